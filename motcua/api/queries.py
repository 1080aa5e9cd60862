"""Reads the dossier API needs: the list with its filters, and the action endpoints open to
the caller. Who may see which dossier is `accounts.access`; what each action is and where its
endpoint lives is `workflow.actions`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core.clock import now, site_zone
from motcua.core.errors import NotFound
from motcua.dossiers import derived
from motcua.dossiers.actions import permitted_actions
from motcua.dossiers.models import Dossier
from motcua.workflow.actions import ACTIONS
from motcua.workflow.states import Status

EARLIEST_DAY, LATEST_DAY = date(1970, 1, 2), date(2199, 12, 30)


def search(
    user: User,
    *,
    status: Status | None = None,
    unit: str | None = None,
    agency: str | None = None,
    procedure: str | None = None,
    overdue: bool | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    q: str | None = None,
) -> QuerySet[Dossier]:
    """The visible dossiers matching every filter given, soonest due first."""
    found = access.visible_to(user)
    if status is not None:
        found = found.filter(status=status)
    if unit:
        found = found.filter(receiving_unit__in=_subtree(unit, "unknown_unit"))
    if agency:
        found = found.filter(agency__in=_subtree(agency, "unknown_agency"))
    if procedure:
        found = found.filter(procedure_code=procedure)
    if overdue is not None:
        late = derived.overdue_q(at=now())  # the clock's timestamp rule
        found = found.filter(late if overdue else ~late)
    if received_from is not None:
        found = found.filter(received_at__gte=_start_of(received_from))
    if received_to is not None:
        found = found.filter(received_at__lt=_start_of(received_to + timedelta(days=1)))
    if q:
        found = found.filter(code__startswith=q.upper())
    return (
        found.select_related("procedure_version", "receiving_unit", "agency")
        .prefetch_related("pauses")  # derived.is_overdue of each item
        .order_by("due_at", "pk")
    )


def _subtree(code: str, error_code: str) -> QuerySet[Unit, Any]:
    unit = Unit.objects.filter(code=code).only("path").first()
    if unit is None:
        raise NotFound(f"Không có đơn vị {code}.", code=error_code)
    return Unit.objects.filter(path__startswith=unit.path).values("pk")


def _start_of(day: date) -> datetime:
    day = min(max(day, EARLIEST_DAY), LATEST_DAY)
    return datetime.combine(day, time.min, tzinfo=site_zone())


def actions_open_to(user: User, dossier: Dossier) -> list[str]:
    """The action endpoints the user may call on the dossier now (relative to the dossier):
    the transitions the desk would offer them that have an endpoint, then one per open
    inter-agency step of their units. The domain still checks everything when called."""
    grants = access.grants(user)
    names = [
        ACTIONS[name].endpoint
        for name in permitted_actions(grants, dossier)
        if not ACTIONS[name].history_only
    ]
    step = ACTIONS["complete_step"].endpoint
    return names + [step.format(key=key) for key in access.open_steps_for(grants, dossier)]
