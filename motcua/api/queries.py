"""Reads the dossier API needs that the domain's selectors do not offer yet: which dossiers a
staff member may see, the list with its filters, and the actions open to the caller.

They belong in `motcua.dossiers.selectors` / `motcua.accounts.permissions` (proposed there);
until then they live here and only combine the domain's public predicates and tables."""

from __future__ import annotations

import operator
from datetime import date, datetime, time, timedelta
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.permissions import can_view_dossier
from motcua.catalog.models import Unit
from motcua.core.clock import now, site_zone
from motcua.core.errors import NotFound
from motcua.dossiers import derived, selectors
from motcua.dossiers.models import Dossier, DossierStep, StepKind
from motcua.workflow.states import TRANSITIONS, Place, Role, Status, allowed_actions

# The URL segment of each action's endpoint, relative to the dossier. (`hand_over` and
# `record_resolution`, for imports of history, have no endpoint yet.)
ENDPOINTS = {
    "transfer": "transfer",
    "assign": "assign",
    "appraise": "appraise",
    "submit_for_approval": "submit-for-approval",
    "send_back": "send-back",
    "approve": "approve",
    "refuse": "refuse",
    "return_result": "return-result",
    "deliver": "deliver",
    "mark_uncollected": "mark-uncollected",
    "request_supplement": "request-supplement",
    "receive_supplement": "receive-supplement",
    "withdraw": "withdraw",
    "return_unresolved": "return-unresolved",
    "apologise_and_extend": "extend",
}
# Actions only the assigned specialist may take (as `dossiers/actions.py` calls them).
ASSIGNEE_ONLY = frozenset({"appraise", "submit_for_approval", "request_supplement"})
COORDINATOR_ROLES = (Role.SPECIALIST, Role.AGENCY_LEADER)
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 2), date(2199, 12, 30)


def _memberships(user: User) -> list[tuple[str, str]]:
    """(role, unit path) of the user's active memberships."""
    if not user.is_active:
        return []
    return list(user.memberships.filter(is_active=True).values_list("role", "unit__path"))


def _units_under(paths: list[str]) -> QuerySet[Unit]:
    return Unit.objects.filter(reduce(operator.or_, (Q(path__startswith=p) for p in paths)))


def _open_coordination(units: QuerySet[Unit, Any]) -> QuerySet[DossierStep]:
    return DossierStep.objects.filter(
        kind=StepKind.INTER_AGENCY, completed_at__isnull=True, unit__in=units
    )


def may_view(user: User, dossier: Dossier) -> bool:
    """`can_view_dossier`, plus the staff of a co-ordinating unit (liên thông) while its step
    on the dossier is open: they must read the dossier to give their opinion."""
    if can_view_dossier(user, dossier):
        return True
    paths = [path for role, path in _memberships(user) if role in COORDINATOR_ROLES]
    if not paths:
        return False
    return _open_coordination(_units_under(paths)).filter(dossier=dossier).exists()


def dossier_for(user: User, code: str, *, seen_version: int | None = None) -> Dossier:
    """The dossier the user may see, as the client saw it (`seen_version`): a dossier the
    user may not see is reported as not found, never as forbidden."""
    dossier = selectors.find_by_code(code)
    if dossier is None or not may_view(user, dossier):
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    if seen_version is not None:
        dossier.version = seen_version  # the domain refuses it if it is not the current one
    return dossier


def visible_dossiers(user: User) -> QuerySet[Dossier]:
    """Dossiers whose receiving unit or agency lies under one of the user's units. (A
    co-ordinating unit reaches a dossier awaiting its opinion by code, see `may_view`: an OR
    over the steps here would keep the planner from the dossier indexes.)"""
    if not user.is_active:
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    paths = [path for _, path in _memberships(user)]
    if not paths:
        return Dossier.objects.none()
    units = _units_under(paths).values("pk")
    return Dossier.objects.filter(Q(receiving_unit__in=units) | Q(agency__in=units))


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
    found = visible_dossiers(user)
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
    """The action endpoints the user may call on the dossier now: the transitions its status
    allows, that one of the user's roles may take at the unit holding it (and, for the
    assignee's own steps, only the assignee), then the open inter-agency steps of the user's
    units. The domain still checks everything when the action is called."""
    roles = _memberships(user)

    def holds(allowed: frozenset[Role] | tuple[Role, ...], unit: Unit) -> bool:
        return any(role in allowed and unit.path.startswith(path) for role, path in roles)

    names = []
    for name in allowed_actions(Status(dossier.status)):
        transition = TRANSITIONS[name]
        place = dossier.receiving_unit if transition.place == Place.ONE_STOP else dossier.agency
        if name not in ENDPOINTS or not holds(transition.roles, place):
            continue
        replaying = holds((Role.SYSTEM,), place)  # imports of history act for anyone
        if name in ASSIGNEE_ONLY and dossier.assignee_id != user.pk and not replaying:
            continue
        if name == "apologise_and_extend" and dossier.due_at_original is not None:
            continue  # once per dossier
        names.append(ENDPOINTS[name])
    steps = dossier.steps.filter(kind=StepKind.INTER_AGENCY, completed_at__isnull=True)
    for step in steps.select_related("unit"):
        if holds(COORDINATOR_ROLES, step.unit):
            names.append(f"steps/{step.key}/complete")
    return names
