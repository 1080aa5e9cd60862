"""The dossier's legal clock: the catalogue's norms and the dossier's facts (its events), handed
to the pure functions of `motcua.workflow`. Nothing here stores anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from motcua.calendars.services import calendar_for
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.workflow import deadlines
from motcua.workflow.calendar import WorkingCalendar
from motcua.workflow.explain import render_all

Lang = Literal["vi", "en"]


def norms_duration(value: int, unit: str) -> deadlines.Duration:
    return deadlines.Duration(value=value, unit=deadlines.DurationUnit(unit))


def due_at_receipt(
    *, version: ProcedureVersion, unit: Unit, received_at: datetime
) -> deadlines.Deadline:
    """The appointment printed on the receipt slip for a dossier received now at `unit`."""
    return deadlines.compute_due(
        calendar=calendar_for(unit),
        received_at=received_at,
        duration=norms_duration(version.duration_value, version.duration_unit),
        convention=deadlines.Convention(version.convention),
    )


def explanation_lines(deadline: deadlines.Deadline, lang: Lang = "vi") -> list[str]:
    return list(render_all(deadline.explanation, lang))


@dataclass(frozen=True)
class ClockFacts:
    """What the events say about the clock: the pauses so far and an apology's new date."""

    pauses: list[deadlines.Pause]
    open_pause_since: datetime | None
    extended_due: datetime | None
    extended_at: datetime | None


def facts_of(dossier: object, closing: deadlines.Pause | None = None) -> ClockFacts:
    pauses: list[deadlines.Pause] = []
    since: datetime | None = None
    extended_due = extended_at = None
    for event in dossier.events.order_by("sequence"):  # type: ignore[attr-defined]
        if event.type == "supplement_requested":
            since = event.at
        elif event.type == "supplement_received" and since is not None:
            pauses.append(deadlines.Pause(start=since, end=event.at))
            since = None
        elif event.type == "extended":
            extended_due = datetime.fromisoformat(event.data["new_due_at"])
            extended_at = event.at
    if closing is not None and since is not None:  # the supplement arriving right now
        pauses.append(closing)
        since = None
    return ClockFacts(pauses, since, extended_due, extended_at)


def recompute(dossier: object, *, closing: deadlines.Pause | None = None) -> deadlines.Deadline:
    """The dossier's due date from its norms and all its closed pauses (pause or restart rule).

    After an apology the new appointment replaces the computed one, and pauses that begin
    after the apology push it further by the working time they cover."""
    facts = facts_of(dossier, closing)
    calendar = calendar_for(dossier.receiving_unit)  # type: ignore[attr-defined]
    pauses = _within_clock(facts.pauses, dossier.clock_started_at)  # type: ignore[attr-defined]
    deadline = deadlines.compute_due(
        calendar=calendar,
        received_at=dossier.received_at,  # type: ignore[attr-defined]
        duration=norms_duration(dossier.duration_value, dossier.duration_unit),  # type: ignore[attr-defined]
        convention=deadlines.Convention(dossier.convention),  # type: ignore[attr-defined]
        pauses=pauses,
        restart=dossier.pause_rule == "restart" and bool(pauses),  # type: ignore[attr-defined]
    )
    if facts.extended_due is None or facts.extended_at is None:
        return deadline
    later = [p for p in facts.pauses if p.start >= facts.extended_at]
    pushed = sum(calendar.working_minutes_between(p.start, p.end) for p in later)
    due = calendar.add_working_minutes(facts.extended_due, pushed) if pushed else facts.extended_due
    return deadlines.Deadline(
        received_at=deadline.received_at,
        started_at=deadline.started_at,
        due_at=due,
        convention=deadline.convention,
        duration=deadline.duration,
        paused_minutes=deadline.paused_minutes,
        explanation=deadline.explanation,
    )


def _within_clock(pauses: list[deadlines.Pause], started: datetime) -> list[deadlines.Pause]:
    """A pause asked for before the clock started (e.g. in the evening of an after-hours
    receipt) only counts from the moment the clock starts."""
    return [
        deadlines.Pause(start=max(pause.start, started), end=pause.end)
        for pause in pauses
        if pause.end > started
    ]


@dataclass(frozen=True)
class ClockReading:
    """Used, paused and left working time at a moment, in minutes, for the dossier desk."""

    used: int
    paused: int
    left: int
    total: int
    running: bool
    overdue: bool


def reading(dossier: object, at: datetime, calendar: WorkingCalendar | None = None) -> ClockReading:
    """The clock at `at`, on the receiving unit's calendar (or `calendar` if already read)."""
    facts = facts_of(dossier)
    if calendar is None:
        calendar = calendar_for(dossier.receiving_unit)  # type: ignore[attr-defined]
    ended = dossier.ended_at  # type: ignore[attr-defined]
    until = min(at, ended) if ended else at
    pauses = list(facts.pauses)
    if facts.open_pause_since is not None and facts.open_pause_since < until:
        pauses.append(deadlines.Pause(start=facts.open_pause_since, end=until))
    started = dossier.clock_started_at  # type: ignore[attr-defined]
    paused = sum(
        calendar.working_minutes_between(p.start, min(p.end, until))
        for p in pauses
        if p.start < until
    )
    used = (
        max(0, calendar.working_minutes_between(started, until) - paused) if until > started else 0
    )
    total = norms_duration(dossier.duration_value, dossier.duration_unit).minutes(  # type: ignore[attr-defined]
        calendar.day_minutes
    )
    due = dossier.due_at  # type: ignore[attr-defined]
    left = (
        calendar.working_minutes_between(until, due)
        if due > until
        else -calendar.working_minutes_between(due, until)
    )
    return ClockReading(
        used=used,
        paused=paused,
        left=left,
        total=total,
        running=ended is None and facts.open_pause_since is None,
        overdue=until > due,
    )


def working_days_used(dossier: object, at: datetime) -> Decimal:
    """The working time the clock ran until `at` (pauses excluded), in working days of the
    receiving unit's calendar, to 2 decimals: what a dossier's processing took."""
    calendar: WorkingCalendar = calendar_for(dossier.receiving_unit)  # type: ignore[attr-defined]
    used = reading(dossier, at, calendar).used
    days = Decimal(used) / Decimal(calendar.day_minutes)
    return days.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
