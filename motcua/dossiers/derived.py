"""A dossier's state at a moment, derived from its stored facts: paused, overdue, time used and
time left. Each is defined once here in Python and, where a list or a report needs it in the
database, once as its SQL twin (`…_q`) right next to it; tests/dossiers/test_derived_state.py
keeps each pair equal on SQLite and PostgreSQL.

Every definition reads the state just before the instant `at`, as the reports' half-open
periods [T0, T1) do: a dossier that ends at `at` is still open, a pause that ends at `at` still
runs. While a supplement is awaited the clock stands still at the pause's start; once the
dossier has ended it stands at its end (`clock_stopped_at`).

Overdue (quá hạn) names its rule, as the reports do (`OverdueRule`): the clock's TIMESTAMP rule
(the due instant has passed) or the report's DAY rule (the due's local date is before the
day the clock stands on; for a running clock, the day of the last moment before `at`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan, LessThan

from motcua.calendars.services import calendar_for
from motcua.core.clock import local, site_zone
from motcua.dossiers.models import Dossier, SupplementPause
from motcua.workflow import deadlines, explain
from motcua.workflow.calendar import WorkingCalendar

# The working time of one calendar and the receiving units it applies to (SQL twins that
# need working time take one entry per calendar in use: see calendars.services).
CalendarGroups = Sequence[tuple[WorkingCalendar, Sequence[int]]]


class OverdueRule(StrEnum):
    """Which definition of overdue a reader uses."""

    TIMESTAMP = "timestamp"  # the clock's: the due instant has passed
    DAY = "day"  # the report's: the due's local date is before the day the clock stands on


# --- the due ------------------------------------------------------------------------------


def reporting_due(dossier: Any) -> datetime:
    """The due reports classify against: the original one if an apology extended it."""
    return dossier.due_at_original or dossier.due_at


def reporting_due_expression(prefix: str = "") -> Coalesce:
    """SQL twin of `reporting_due` (`prefix`: the path to the dossier, e.g. "dossier__")."""
    return Coalesce(f"{prefix}due_at_original", f"{prefix}due_at")


def _due(dossier: Any, reporting: bool) -> datetime:
    return reporting_due(dossier) if reporting else dossier.due_at


def _due_expression(reporting: bool, prefix: str = "") -> Any:
    return reporting_due_expression(prefix) if reporting else F(f"{prefix}due_at")


def local_day(expression: Any) -> TruncDate:
    """The local date (site zone) of a datetime column or expression."""
    return TruncDate(expression, tzinfo=site_zone())


def day_before(at: datetime) -> date:
    """The local date of the last moment before `at` (for a period's end, its last day)."""
    return local(at - timedelta(microseconds=1)).date()


# --- ended and paused ---------------------------------------------------------------------


def has_ended(dossier: Any, at: datetime) -> bool:
    return dossier.ended_at is not None and dossier.ended_at < at


def ended_q(at: datetime) -> Q:
    return Q(ended_at__lt=at)


def paused_since(dossier: Any, at: datetime) -> datetime | None:
    """The start of the wait for a supplement (chờ bổ sung) running just before `at`."""
    for pause in dossier.pauses.all():
        if pause.started_at < at and (pause.ended_at is None or pause.ended_at >= at):
            return pause.started_at
    return None


def is_paused(dossier: Any, at: datetime) -> bool:
    return paused_since(dossier, at) is not None


def pauses_running_at(at: datetime) -> QuerySet[SupplementPause]:
    """The waits for a supplement running just before `at` (begun before, not ended before)."""
    return SupplementPause.objects.filter(started_at__lt=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=at)
    )


def paused_q(at: datetime) -> Q:
    """SQL twin of `is_paused`. The pauses running at `at` are one uncorrelated sub-query
    (PostgreSQL hashes it once, and an aggregate that reads it can still run in parallel
    workers; a correlated EXISTS would be probed once per dossier and per use, in one
    process)."""
    return Q(pk__in=pauses_running_at(at).values("dossier_id"))


def running_q(at: datetime) -> Q:
    """SQL twin of `is_running`: open and not waiting for a supplement just before `at`."""
    return ~ended_q(at) & ~paused_q(at)


def is_running(dossier: Any, at: datetime) -> bool:
    return not has_ended(dossier, at) and not is_paused(dossier, at)


def clock_stopped_at(dossier: Any, at: datetime) -> datetime:
    """Where the clock stands just before `at`: the end, the running pause's start, or `at`."""
    if has_ended(dossier, at):
        return dossier.ended_at
    return paused_since(dossier, at) or at


# --- overdue ------------------------------------------------------------------------------


def is_overdue(
    dossier: Any,
    *,
    at: datetime,
    rule: OverdueRule = OverdueRule.TIMESTAMP,
    reporting: bool = False,
) -> bool:
    """Past the due (`reporting`: the original due of an extended dossier) where the clock
    stands just before `at`: an ended dossier that ended late, a waiting one whose pause
    began after its due, a running one whose due has passed."""
    due = _due(dossier, reporting)
    if has_ended(dossier, at) or is_paused(dossier, at):
        stopped = clock_stopped_at(dossier, at)
        if rule == OverdueRule.DAY:
            return local(stopped).date() > local(due).date()
        return stopped > due
    if rule == OverdueRule.DAY:
        return local(due).date() < day_before(at)
    return due < at


def overdue_q(
    *, at: datetime, rule: OverdueRule = OverdueRule.TIMESTAMP, reporting: bool = False
) -> Q:
    """SQL twin of `is_overdue`."""
    ended = ended_q(at)
    return (
        (ended & _ended_late_q(rule, reporting))
        | (
            ~ended
            & Q(
                Exists(
                    pauses_running_at(at).filter(
                        _paused_late_q(rule, reporting), dossier=OuterRef("pk")
                    )
                )
            )
        )
        | (running_q(at) & running_overdue_q(at=at, rule=rule, reporting=reporting))
    )


def running_overdue_q(*, at: datetime, rule: OverdueRule, reporting: bool = False) -> Q:
    """The part of `overdue_q` for a running clock, for callers that already select running
    dossiers (the report's pending figures): the due before `at`, or before its day."""
    due = _due_expression(reporting)
    if rule == OverdueRule.DAY:
        return Q(LessThan(local_day(due), Value(day_before(at), output_field=DateField())))
    return Q(LessThan(due, Value(at)))


def _ended_late_q(rule: OverdueRule, reporting: bool) -> Q:
    due = _due_expression(reporting)
    if rule == OverdueRule.DAY:
        return Q(GreaterThan(local_day("ended_at"), local_day(due)))
    return Q(GreaterThan(F("ended_at"), due))


def _paused_late_q(rule: OverdueRule, reporting: bool) -> Q:
    """On the pause rows (its dossier's due reached through the foreign key)."""
    due = _due_expression(reporting, prefix="dossier__")
    if rule == OverdueRule.DAY:
        return Q(GreaterThan(local_day("started_at"), local_day(due)))
    return Q(GreaterThan(F("started_at"), due))


# --- time used and time left --------------------------------------------------------------


def _closed_pauses(dossier: Any, until: datetime) -> list[deadlines.Pause]:
    return [
        deadlines.Pause(start=pause.started_at, end=min(pause.ended_at or until, until))
        for pause in dossier.pauses.all()
        if pause.started_at < min(pause.ended_at or until, until)
    ]


def time_used(dossier: Any, at: datetime, calendar: WorkingCalendar) -> int:
    """Working minutes the clock ran from its start to where it stands just before `at`,
    pauses excluded."""
    until = clock_stopped_at(dossier, at)
    return deadlines.working_time_used(
        calendar=calendar,
        started_at=dossier.clock_started_at,
        until=until,
        pauses=_closed_pauses(dossier, until),
    )


def time_paused(dossier: Any, at: datetime, calendar: WorkingCalendar) -> int:
    """Working minutes covered by the waits for supplements before `at` (the running one up
    to `at`), from the clock's start."""
    until = min(at, dossier.ended_at) if dossier.ended_at else at
    started = dossier.clock_started_at
    return sum(
        calendar.working_minutes_between(max(p.start, started), p.end)
        for p in _closed_pauses(dossier, until)
        if p.end > started
    )


def time_left(dossier: Any, at: datetime, calendar: WorkingCalendar) -> int:
    """Working minutes from where the clock stands to the due; negative once past it."""
    until, due = clock_stopped_at(dossier, at), dossier.due_at
    if due > until:
        return calendar.working_minutes_between(until, due)
    return -calendar.working_minutes_between(due, until)


def has_little_time_left(
    dossier: Any, at: datetime, calendar: WorkingCalendar, minutes: int | None = None
) -> bool:
    """Running, with less than `minutes` working minutes left (one working day of its
    calendar when not given); overdue ones included."""
    limit = calendar.day_minutes if minutes is None else minutes
    return is_running(dossier, at) and time_left(dossier, at, calendar) < limit


def little_time_left_q(at: datetime, groups: CalendarGroups, minutes: int | None = None) -> Q:
    """SQL twin of `has_little_time_left`, for dossiers received by the units of `groups`:
    less than m working minutes left ⇔ the due comes before the instant m working minutes
    after `at`, which each calendar computes once."""
    soon = Q(pk__in=[])
    for calendar, unit_ids in groups:
        limit = calendar.day_minutes if minutes is None else minutes
        reached = calendar.add_working_minutes(at, limit)
        soon |= Q(receiving_unit_id__in=list(unit_ids), due_at__lt=reached)
    return running_q(at) & soon


def working_days_used(
    dossier: Any, at: datetime, calendar: WorkingCalendar | None = None
) -> Decimal:
    """`time_used` in working days of the receiving unit's calendar, to 2 decimals: what a
    dossier's processing took. Recorded when the dossier ends (`Dossier.working_days_used`,
    its SQL twin, which Decision 766 indicator 2.2 averages)."""
    calendar = calendar or calendar_for(dossier.receiving_unit)
    days = Decimal(time_used(dossier, at, calendar)) / Decimal(calendar.day_minutes)
    return days.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def working_days_used_expression() -> F:
    """SQL twin of `working_days_used` for ended dossiers: the value recorded at the end."""
    return F("working_days_used")


# --- the desk's clock ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClockReading:
    """Used, paused and left working time at a moment, in minutes (the desk and the API)."""

    used: int
    paused: int
    left: int
    total: int
    running: bool
    overdue: bool


def reading(
    dossier: Dossier, at: datetime, calendar: WorkingCalendar | None = None
) -> ClockReading:
    """The clock just before `at`, on the receiving unit's calendar (or `calendar`)."""
    calendar = calendar or calendar_for(dossier.receiving_unit)
    total = deadlines.Duration(
        value=dossier.duration_value, unit=deadlines.DurationUnit(dossier.duration_unit)
    ).minutes(calendar.day_minutes)
    return ClockReading(
        used=time_used(dossier, at, calendar),
        paused=time_paused(dossier, at, calendar),
        left=time_left(dossier, at, calendar),
        total=total,
        running=is_running(dossier, at),
        overdue=is_overdue(dossier, at=at),
    )


@dataclass(frozen=True)
class ClockWords:
    """The clock as people read it, in one language (`workflow.explain` formats each): time
    used and paused in working days and hours, what is left or how late a running dossier
    is (`left`, empty once ended), and when an ended one ended against its due (`finish`,
    empty while it runs)."""

    used: str
    paused: str
    left: str
    finish: str


def in_words(
    dossier: Dossier,
    at: datetime,
    lang: str,
    calendar: WorkingCalendar | None = None,
    *,
    measured: ClockReading | None = None,
) -> ClockWords:
    """`reading` in words for the desk, the inbox and the API."""
    calendar = calendar or calendar_for(dossier.receiving_unit)
    measured = measured or reading(dossier, at, calendar)
    language: explain.Lang = "en" if lang.startswith("en") else "vi"
    day = calendar.day_minutes
    ended = has_ended(dossier, at)
    finish = ""
    if ended and dossier.ended_at is not None:
        finish = explain.format_finish(
            local(dossier.ended_at), local(dossier.due_at), measured.left, day, language
        )
    return ClockWords(
        used=explain.format_working_time(measured.used, day, language),
        paused=explain.format_working_time(measured.paused, day, language),
        left="" if ended else explain.format_time_left(measured.left, day, language),
        finish=finish,
    )
