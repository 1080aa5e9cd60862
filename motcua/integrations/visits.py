"""The hall tickets format `motcua.visits/1` (docs/interchange/hall-tickets.md): import and
export, one ticket per line. A line is recognised again by its `id` (per site): importing it
twice adds nothing. Tickets drawn here are exported with the id `SITE-YYYYMMDD-G0057`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.dossiers.actions import CLOCK_SKEW
from motcua.dossiers.models import Dossier
from motcua.integrations.jsonl import (
    ALREADY_IMPORTED,
    IMPORTED,
    LineRejected,
    Progress,
    Rejection,
    RunSummary,
    Source,
    format_moment,
    parse_moment,
    run_lines,
    start_of_day,
    write_lines,
)
from motcua.queueing import services
from motcua.queueing.models import (
    Counter,
    Hall,
    Outcome,
    PriorityKind,
    ServiceGroup,
    Ticket,
    TicketDossier,
    TicketEvent,
)

FORMAT = "motcua.visits/1"


class VisitImporter:
    def __init__(self) -> None:
        self._halls: dict[str, Hall | None] = {}

    def _hall(self, code: Any) -> Hall:
        if not isinstance(code, str) or not code:
            raise LineRejected(f"site is required (a unit code), got {code!r}")
        if code not in self._halls:
            unit = Unit.objects.filter(code=code).first()
            self._halls[code] = Hall.objects.get_or_create(unit=unit)[0] if unit else None
        hall = self._halls[code]
        if hall is None:
            raise LineRejected(f"unknown site {code!r}")
        return hall

    def handle(self, item: dict[str, Any]) -> str:
        source_id = item.get("id")
        if not isinstance(source_id, str) or not source_id.strip() or len(source_id) > 200:
            raise LineRejected(f"id is required (a string of at most 200), got {source_id!r}")
        hall = self._hall(item.get("site"))
        visit = self._visit(hall, item, source_id.strip())
        try:
            ticket = services.record_past_visit(hall=hall, visit=visit)
        except MotcuaError as refusal:  # a number of that group and day already taken
            raise LineRejected(refusal.message) from None
        return IMPORTED if ticket is not None else ALREADY_IMPORTED

    def _visit(self, hall: Hall, item: dict[str, Any], source_id: str) -> services.PastVisit:
        group_code = item.get("group")
        if not isinstance(group_code, str) or not group_code or len(group_code) > 8:
            raise LineRejected(f"group must be a code of at most 8, got {group_code!r}")
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise LineRejected(f"number must be a whole number from 1, got {number!r}")
        priority = item.get("priority") or ""
        if priority and priority not in PriorityKind.values:
            raise LineRejected(f"priority must be one of {PriorityKind.values}, got {priority!r}")
        outcome = item.get("outcome") or ""
        if outcome and outcome not in Outcome.values:
            raise LineRejected(f"outcome must be one of {Outcome.values}, got {outcome!r}")
        issued_at = parse_moment(item.get("issued_at"), "issued_at")
        called_at = _moment(item, "called_at")
        finished_at = _moment(item, "finished_at")
        for moment in (issued_at, called_at, finished_at):
            if moment is not None and moment > now() + CLOCK_SKEW:
                raise LineRejected("a timestamp is in the future")
        if (called_at and called_at < issued_at) or (
            finished_at and (called_at is None or finished_at < called_at)
        ):
            raise LineRejected("issued_at ≤ called_at ≤ finished_at is required")
        group = ServiceGroup.objects.get_or_create(
            hall=hall, code=group_code, defaults={"name": group_code}
        )[0]
        counter = self._counter(hall, item.get("counter"))
        officer_name = item.get("officer") or ""
        officer = User.objects.filter(username=officer_name).first() if officer_name else None
        return services.PastVisit(
            source_id=source_id,
            group=group,
            number=number,
            priority=priority,
            issued_at=issued_at,
            called_at=called_at,
            finished_at=finished_at,
            counter=counter,
            officer=officer,
            officer_name=str(officer_name),
            outcome=outcome,
            procedure_code=str(item.get("procedure") or "")[:64],
            dossiers=self._dossiers(item.get("dossiers")),
        )

    def _counter(self, hall: Hall, raw: Any) -> Counter | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw or len(raw) > 8:
            raise LineRejected(f"counter must be a short string, got {raw!r}")
        return Counter.objects.get_or_create(hall=hall, number=raw)[0]

    def _dossiers(self, raw: Any) -> list[Dossier]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
            raise LineRejected("dossiers must be a list of dossier codes")
        found = {d.code: d for d in Dossier.objects.filter(code__in=raw)}
        missing = [code for code in raw if code not in found]
        if missing:
            raise LineRejected(f"unknown dossier {missing[0]!r}")
        return [found[code] for code in dict.fromkeys(raw)]


def _moment(item: dict[str, Any], name: str) -> Any:
    return parse_moment(item[name], name) if item.get(name) is not None else None


def import_visits(
    source: Source,
    *,
    strict: bool = False,
    on_rejected: Rejection,
    progress: Progress | None = None,
) -> RunSummary:
    return run_lines(
        source,
        VisitImporter().handle,
        summary=RunSummary(format=FORMAT, strict=strict),
        on_rejected=on_rejected,
        progress=progress,
    )


# --- export -----------------------------------------------------------------------------------


def export_visits(
    write: Callable[[str], object],
    *,
    unit: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    return write_lines(write, visit_lines(unit=unit, since=since, until=until))


def visit_lines(
    *, unit: str | None = None, since: date | None = None, until: date | None = None
) -> Iterator[dict[str, Any]]:
    """The tickets of the sites at or under `unit`, issued between the local dates `since` and
    `until` (inclusive), oldest first."""
    tickets = Ticket.objects.all()
    if unit is not None:
        root = Unit.objects.filter(code=unit).first()
        if root is None:
            raise ValidationFailed(f"Không có đơn vị {unit}.", code="unknown_unit")
        tickets = tickets.filter(hall__unit__path__startswith=root.path)
    if since is not None:
        tickets = tickets.filter(issued_at__gte=start_of_day(since))
    if until is not None:
        tickets = tickets.filter(issued_at__lt=start_of_day(until + timedelta(days=1)))
    rows = tickets.select_related("hall__unit", "group", "counter", "officer").order_by(
        "issued_at", "id"
    )
    for ticket in rows.iterator(chunk_size=2000):
        yield visit_line(ticket)


def visit_line(ticket: Ticket) -> dict[str, Any]:
    site = ticket.hall.unit.code
    line: dict[str, Any] = {
        "id": ticket.source_id
        or f"{site}-{local(ticket.issued_at):%Y%m%d}-{ticket.group.code}{ticket.number:04d}",
        "site": site,
        "group": ticket.group.code,
        "number": ticket.number,
    }
    if ticket.priority:
        line["priority"] = ticket.priority
    line["issued_at"] = format_moment(ticket.issued_at)
    if ticket.called_at:
        line["called_at"] = format_moment(ticket.called_at)
    if ticket.finished_at and ticket.outcome != Outcome.NO_SHOW:
        line["finished_at"] = format_moment(ticket.finished_at)
    if ticket.counter:
        line["counter"] = ticket.counter.number
    officer = ticket.officer.username if ticket.officer else _imported_officer(ticket)
    if officer:
        line["officer"] = officer
    if ticket.outcome:
        line["outcome"] = ticket.outcome
    codes = list(
        TicketDossier.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("dossier__code", flat=True)
    )
    if codes:
        line["dossiers"] = codes
    if ticket.procedure_code:
        line["procedure"] = ticket.procedure_code
    return line


def _imported_officer(ticket: Ticket) -> str:
    if not ticket.source_id or not ticket.called_at:
        return ""
    found = TicketEvent.objects.filter(ticket=ticket, data__has_key="officer").first()
    return str(found.data["officer"]) if found else ""
