"""Reads for the staff's daily work: each person's inbox and the centre's view of what the
agencies owe it. Aggregations run in the database; nothing loads a province into Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from motcua.accounts.models import Role, User
from motcua.calendars.services import calendar_groups
from motcua.catalog.models import RECEIVING_KINDS, Unit
from motcua.dossiers import derived
from motcua.dossiers.models import Dossier, DossierStep
from motcua.workflow.states import AT_AGENCY, Status

# Which states wait for which role, at which place (domain.md §4.1).
WAITING_AT_ONE_STOP = {
    Status.RECEIVED: "Chuyển cơ quan giải quyết",
    Status.AWAITING_SUPPLEMENT: "Chờ công dân bổ sung",
    Status.RESOLVED: "Trả kết quả",
}
WAITING_FOR_LEADER = {
    Status.TRANSFERRED: "Phân công thụ lý",
    Status.AWAITING_APPROVAL: "Phê duyệt, ký",
    Status.APPROVED: "Chuyển kết quả về một cửa",
}
WAITING_FOR_SPECIALIST = {
    Status.ASSIGNED: "Thẩm định",
    Status.APPRAISED: "Trình phê duyệt",
    Status.APPROVED: "Chuyển kết quả về một cửa",
}


def _under(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _paths(user: User, role: Role) -> list[str]:
    return list(
        user.memberships.filter(role=role, is_active=True).values_list("unit__path", flat=True)
    )


def inbox(user: User) -> QuerySet[Dossier]:
    """Dossiers waiting for `user` to act, most urgent first."""
    waiting = Q(pk__in=[])
    counter = _paths(user, Role.COUNTER_OFFICER)
    if counter:
        waiting |= _under("receiving_unit", counter) & Q(status__in=list(WAITING_AT_ONE_STOP))
    leader = _paths(user, Role.AGENCY_LEADER)
    if leader:
        waiting |= _under("agency", leader) & Q(status__in=list(WAITING_FOR_LEADER))
    if _paths(user, Role.SPECIALIST):
        waiting |= Q(assignee=user, status__in=list(WAITING_FOR_SPECIALIST))
    consulting = _paths(user, Role.SPECIALIST) + leader
    if consulting:
        open_step = DossierStep.objects.filter(
            _under("unit", consulting),
            dossier=OuterRef("pk"),
            kind="inter_agency",
            completed_at__isnull=True,
        )
        waiting |= Q(Exists(open_step))
    return (
        Dossier.objects.filter(waiting)
        .select_related("procedure_version", "receiving_unit", "agency", "assignee")
        .order_by("due_at", "id")
    )


def monitored(user: User) -> QuerySet[Dossier]:
    """Everything a centre director watches: open dossiers received under their centre."""
    paths = _paths(user, Role.CENTRE_DIRECTOR) + _paths(user, Role.ADMINISTRATOR)
    return (
        Dossier.objects.filter(_under("receiving_unit", paths))
        .exclude(status__in=[Status.RETURNED, Status.STOPPED, Status.RETURNED_NOT_RESOLVED])
        .select_related("procedure_version", "receiving_unit", "agency", "assignee")
        .order_by("due_at", "id")
    )


def waiting_label(dossier: Dossier) -> str:
    status = Status(dossier.status)
    for table in (WAITING_AT_ONE_STOP, WAITING_FOR_LEADER, WAITING_FOR_SPECIALIST):
        if status in table:
            return table[status]
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
