"""Reads for the staff's daily work: each person's inbox and the centre's view of what the
agencies owe it. Aggregations run in the database; nothing loads a province into Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.calendars.services import calendar_groups
from motcua.catalog.models import RECEIVING_KINDS, Unit
from motcua.dossiers import derived
from motcua.dossiers.models import Dossier, DossierStep
from motcua.workflow.actions import ACTIONS, awaited, waiting_for
from motcua.workflow.states import AT_AGENCY, TERMINAL, Place, Role, Status

# Which field of a dossier holds the unit where each place's work is done.
PLACE_FIELDS = {Place.ONE_STOP: "receiving_unit", Place.AGENCY: "agency"}


def _under(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def inbox(user: User) -> QuerySet[Dossier]:
    """Dossiers waiting for `user` to act, most urgent first: for each role they hold, the
    states the action records say wait for that role (`workflow.actions.awaited`) at the
    place under their units; a specialist's work is the dossiers assigned to them; and the
    open inter-agency steps of their units."""
    grants = access.grants(user)
    waiting = Q(pk__in=[])
    for role in {role for role, _path in grants.held}:
        paths = grants.paths(role)
        for place, states in awaited(Role(role)).items():
            if place == Place.STEP:
                continue
            if role == Role.SPECIALIST:
                waiting |= Q(assignee=user, status__in=list(states))
            else:
                waiting |= _under(PLACE_FIELDS[place], paths) & Q(status__in=list(states))
    answering = grants.paths(*ACTIONS["complete_step"].roles)
    if answering:
        # The few dossiers with an open step there, as a list of ids rather than a correlated
        # subquery: PostgreSQL can then combine the indexes of each branch of the OR, instead
        # of testing every dossier of the province's history (3.6 s on 1 M dossiers).
        consulted = DossierStep.objects.filter(
            _under("unit", answering), kind="inter_agency", completed_at__isnull=True
        ).values_list("dossier_id", flat=True)
        waiting |= Q(pk__in=list(consulted))
    return (
        Dossier.objects.filter(waiting)
        .select_related("procedure_version", "receiving_unit", "agency", "assignee")
        .order_by("due_at", "id")
    )


def monitored(user: User) -> QuerySet[Dossier]:
    """Everything a centre director watches: open dossiers received under their centre."""
    return (
        Dossier.objects.filter(_under("receiving_unit", access.monitored_paths(user)))
        .exclude(status__in=sorted(TERMINAL))
        .select_related("procedure_version", "receiving_unit", "agency", "assignee")
        .order_by("due_at", "id")
    )


def waiting_label(dossier: Dossier, language: str | None = None) -> str:
    """What the inbox says the dossier waits for, in `language`: the action its state awaits
    (`workflow.actions`), else its status."""
    action = waiting_for(Status(dossier.status))
    if action is not None:
        return action.waiting_label.in_language(language)
    return dossier.status_label


@dataclass(frozen=True)
class AgencyDebt:
    """What one agency owes the centre: dossiers it holds, and how late."""

    agency: Unit
    holding: int
    overdue: int
    due_soon: int
    late_steps: int
    oldest_overdue_due: datetime | None
    returned_late: int
    returned: int


def agency_debts(centre: Unit, *, at: datetime, since: datetime) -> list[AgencyDebt]:
    """For dossiers received under `centre`: per deciding agency, what is held now (overdue,
    less than a working day left), steps that ran late, and results returned to the one-stop
    since `since` and how many of those after the appointment."""
    scope = Dossier.objects.filter(receiving_unit__path__startswith=centre.path)
    held = Q(status__in=[s.value for s in AT_AGENCY])
    late = derived.overdue_q(at=at)  # the clock's timestamp rule
    returned = Q(ended_at__gte=since, status__in=[Status.RESOLVED, Status.RETURNED])
    counters = Unit.objects.filter(path__startswith=centre.path, kind__in=RECEIVING_KINDS)
    soon = derived.little_time_left_q(at, calendar_groups(counters.values_list("pk", flat=True)))
    rows = (
        scope.values("agency")
        .annotate(
            holding=Count("id", filter=held),
            overdue=Count("id", filter=held & late),
            due_soon=Count("id", filter=held & ~late & soon),
            oldest=Min("due_at", filter=held & late),
            returned=Count("id", filter=returned),
            returned_late=Count("id", filter=returned & late),
        )
        .filter(Q(holding__gt=0) | Q(returned__gt=0))
    )
    late_steps = dict(
        DossierStep.objects.filter(dossier__in=scope, late=True, completed_at__gte=since)
        .values("unit")
        .annotate(n=Count("id"))
        .values_list("unit", "n")
    )
    agencies = Unit.objects.in_bulk([row["agency"] for row in rows])
    debts = [
        AgencyDebt(
            agency=agencies[row["agency"]],
            holding=row["holding"],
            overdue=row["overdue"],
            due_soon=row["due_soon"],
            late_steps=late_steps.get(row["agency"], 0),
            oldest_overdue_due=row["oldest"],
            returned_late=row["returned_late"],
            returned=row["returned"],
        )
        for row in rows
    ]
    return sorted(debts, key=lambda d: (-d.overdue, -d.returned_late, -d.holding, d.agency.code))
