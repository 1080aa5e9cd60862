"""The legal clock: the due date (ngày hẹn trả) of a dossier, docs/domain/legal-clock.md.

Terms:

- *received_at*: when the dossier was accepted (tiếp nhận); *started_at*: when the clock
  starts, `received_at` moved to the next working instant if it fell outside working time.
- *duration* (thời hạn giải quyết): the procedure's legal time limit, in working days or in
  working hours; one working day is one day length of working minutes (8 h by default).
- *convention*: how a time limit becomes a due instant (`Convention`).
- *pause* (tạm dừng): from a supplement request (yêu cầu bổ sung) to the receipt of the
  supplement; the working time it covers does not count.
- *same-day cut-off* (giải quyết trong ngày): a procedure returned the day it is received
  when the clock starts no later than the cut-off ("15:00"), else the next working day.
- *fixed appointment* (`FixedDue`): a due set by a decision rather than counted, e.g. an
  apology's new date (xin lỗi, hẹn lại); later pauses push it like a counted one.
- *floor* (`Floor`): a promised appointment kept when the calendar changed; the due is
  never earlier than it (docs/decisions/0005-calendar-changes.md).

All instants are timezone-aware, handled at minute precision, returned in the site zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from motcua.workflow.calendar import WorkingCalendar, as_site_time
from motcua.workflow.explain import ExplanationLine, Lang, LineKind, Param, render_all


class DurationUnit(StrEnum):
    """Unit of a legal time limit."""

    WORKING_DAYS = "working_days"  # ngày làm việc
    WORKING_HOURS = "working_hours"  # giờ làm việc


_DURATION_TEXT = re.compile(r"^([+-]?\d+)\s*([dh]?)$")


@dataclass(frozen=True)
class Duration:
    """A legal time limit (thời hạn giải quyết): a positive whole number of `unit`."""

    value: int
    unit: DurationUnit = DurationUnit.WORKING_DAYS

    def __post_init__(self) -> None:
        if self.value <= 0:
            raise ValueError("duration must be positive")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse "3d" (working days), "16h" (working hours) or "3" (days)."""
        match = _DURATION_TEXT.match(text.strip().lower())
        if not match:
            raise ValueError(f"duration {text!r} not understood: write e.g. 3d, 16h or 3")
        unit = DurationUnit.WORKING_HOURS if match[2] == "h" else DurationUnit.WORKING_DAYS
        return cls(int(match[1]), unit)

    def minutes(self, day_minutes: int) -> int:
        """Length in working minutes, a working day being `day_minutes` long."""
        if self.unit == DurationUnit.WORKING_HOURS:
            return self.value * 60
        return self.value * day_minutes

    def __str__(self) -> str:
        return f"{self.value}{'h' if self.unit == DurationUnit.WORKING_HOURS else 'd'}"


class Convention(StrEnum):
    """How a time limit becomes a due instant (docs/domain/legal-clock.md#conventions).

    HOURS (H, default): due = started_at + the limit in working minutes, walking sessions
    and the calendar, so the due keeps the clock time of receipt.
    DAYS (D, Civil Code arts. 147-148): the day the clock starts is not counted; the period
    ends at the close (last session end) of the N-th following working day. A limit in
    working hours is always counted as HOURS, whichever convention the procedure names.
    """

    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True)
class Pause:
    """A clock pause: `start` = supplement requested, `end` = supplement received."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        as_site_time(self.start)
        as_site_time(self.end)  # both refuse naive datetimes
        if self.end <= self.start:
            raise ValueError(f"pause must end after it starts: {self.start} → {self.end}")


class FixedKind(StrEnum):
    """Why an appointment was set by hand rather than counted."""

    EXTENDED = "extended"  # xin lỗi và hẹn lại: the agency's apology with a new date
    RECORDED = "recorded"  # the date a previous system recorded at receipt (imported history)


@dataclass(frozen=True)
class FixedDue:
    """An appointment set at `at` to the instant `due`.

    `minutes` is the working time from `at` to `due` on the calendar of the day it was set
    (0 if `due` is not after `at`). If the calendar changes afterwards (a new day off between
    the two), the appointment keeps that working time rather than its date: see `resolved`.
    """

    kind: FixedKind
    at: datetime
    due: datetime
    minutes: int
    reason: str = ""

    @classmethod
    def on(
        cls,
        calendar: WorkingCalendar,
        *,
        kind: FixedKind,
        at: datetime,
        due: datetime,
        reason: str = "",
    ) -> FixedDue:
        """The appointment as set on `calendar` (its working time measured there)."""
        minutes = max(0, calendar.working_minutes_between(at, due))
        return cls(kind=kind, at=at, due=due, minutes=minutes, reason=reason)

    def resolved(self, calendar: WorkingCalendar) -> datetime:
        """`due` while `calendar` still gives it the same working time; otherwise the instant
        that working time reaches on `calendar` (a new day off between moves it later)."""
        due = calendar.localize(self.due)
        if self.minutes == 0 or calendar.working_minutes_between(self.at, due) == self.minutes:
            return due
        return calendar.add_working_minutes(calendar.localize(self.at), self.minutes)


@dataclass(frozen=True)
class Floor:
    """A promised appointment (`due`) kept when `day` became a working day (`label` says
    why): the due computed afterwards is never earlier than it."""

    due: datetime
    day: date
    label: str = ""


@dataclass(frozen=True)
class Deadline:
    """The outcome of `compute_due`.

    `convention` is the one applied (HOURS for a limit in hours); `paused_minutes` is the
    working time covered by the pauses that moved the due; `provisional` is true when a
    pause was still running at `now`, so the due will move again.
    """

    received_at: datetime
    started_at: datetime
    due_at: datetime
    convention: Convention
    duration: Duration
    paused_minutes: int
    explanation: tuple[ExplanationLine, ...]
    restarted: bool = False
    provisional: bool = False

    def explain(self, lang: Lang = "vi") -> list[str]:
        """The explanation as sentences in `lang`."""
        return render_all(self.explanation, lang)


@dataclass
class _Run:
    """Mutable state while pauses are applied one after the other."""

    base: datetime  # the due without pauses, from the start or the last restart
    due: datetime
    window_start: datetime  # counting restarts here; explanations list days after it
    shift: int = 0  # working minutes paused since `base` was set
    paused_minutes: int = 0
    restarted: bool = False
    fixed: bool = False  # `base` is a fixed appointment, not a counted one
    counted_due: datetime | None = None  # the counted due a fixed appointment replaced
    lines: list[ExplanationLine] = field(default_factory=list)
    tail: list[ExplanationLine] = field(default_factory=list)  # undated, before the due


def compute_due(
    *,
    calendar: WorkingCalendar,
    received_at: datetime,
    duration: Duration,
    convention: Convention = Convention.HOURS,
    pauses: Sequence[Pause] = (),
    restart: bool = False,
    now: datetime | None = None,
    same_day_cutoff: time | None = None,
    fixed: Sequence[FixedDue] = (),
    floor: Floor | None = None,
) -> Deadline:
    """The due instant of a dossier received at `received_at` with time limit `duration`.

    `pauses` must be in order, not overlapping, and start at or after `started_at`. Without
    `restart` each pause moves the due later by the working time it covers; under DAYS the
    due is then the close of the working day reached (a started day counts whole). A pause
    that starts once the due has passed moves nothing: the time was already up. With
    `restart` the full limit counts again from the end of each pause (under DAYS, from the
    working day after the supplement's receipt). With `now`, a pause still running at `now`
    counts up to `now` and the result is `provisional`; a pause starting after `now` is an
    error.

    With `same_day_cutoff` the due is the close of the working day the clock starts on if it
    starts no later than the cut-off, else the close of the next working day; it is then
    counted like DAYS (a pause moves it to the close of the working day reached).

    `fixed` appointments (in order of `at`) replace the due from the moment they are set;
    the pauses that start afterwards push them like a counted due, and a restart never
    ends before the fixed appointment pushed by its pause. The due is never before `floor`.
    """
    received = calendar.localize(received_at)
    started = calendar.next_working_instant(received)
    applied = Convention.HOURS if duration.unit == DurationUnit.WORKING_HOURS else convention
    if same_day_cutoff is not None:
        applied = Convention.DAYS  # due at a day's close; a begun day counts whole
    rule = _Rule(calendar, duration, applied, same_day_cutoff)
    checked, provisional = _checked_pauses(calendar, pauses, started, now)
    base = rule.due_from(started)
    run = _Run(base=base, due=base, window_start=started)
    for item in _in_order(checked, fixed):
        if isinstance(item, FixedDue):
            _apply_fixed(run, item, calendar)
            continue
        running = provisional and item is checked[-1]
        _apply_pause(run, item, rule, restart=restart, running=running)
    if floor is not None and floor.due > run.due:
        run.due = calendar.localize(floor.due)
        run.tail.append(_line(LineKind.FLOOR, floor.day, at=run.due, label=floor.label))
    lines = _opening_lines(received, started, duration, rule, convention)
    lines += _body_lines(run, calendar)
    return Deadline(
        received_at=received,
        started_at=started,
        due_at=run.due,
        convention=applied,
        duration=duration,
        paused_minutes=run.paused_minutes,
        explanation=tuple(lines),
        restarted=run.restarted,
        provisional=provisional,
    )


@dataclass(frozen=True)
class _Rule:
    """How a started clock becomes a due: the limit, the convention applied, the cut-off."""

    calendar: WorkingCalendar
    duration: Duration
    convention: Convention
    cutoff: time | None = None

    @property
    def shown(self) -> str:
        """The counting method as explanations name it."""
        return "same_day" if self.cutoff is not None else self.convention.value

    def due_from(self, start: datetime) -> datetime:
        """The due of a clock that starts at the working instant `start`, without pauses."""
        calendar = self.calendar
        if self.cutoff is not None:
            return calendar.day_end(self.same_day(start))
        if self.convention == Convention.DAYS:
            return calendar.day_end(calendar.add_working_days(start.date(), self.duration.value))
        return calendar.add_working_minutes(start, self.duration.minutes(calendar.day_minutes))

    def same_day(self, start: datetime) -> date:
        """The day a same-day procedure is due: the start's own day up to the cut-off minute
        (a dossier received at 15:00 is not received "after 15:00"), else the next one."""
        assert self.cutoff is not None
        if start.time().replace(second=0, microsecond=0) <= self.cutoff:
            return start.date()
        return self.calendar.next_working_day(start.date())


def _in_order(pauses: list[Pause], fixed: Sequence[FixedDue]) -> list[Pause | FixedDue]:
    """Pauses and fixed appointments by time; an appointment set when a pause starts comes
    first, so that pause pushes it."""

    def key(item: Pause | FixedDue) -> tuple[datetime, int]:
        return (item.at, 0) if isinstance(item, FixedDue) else (item.start, 1)

    return sorted([*pauses, *fixed], key=key)


def _apply_fixed(run: _Run, fixed: FixedDue, calendar: WorkingCalendar) -> None:
    """The appointment replaces the due from now on; say why and from which date."""
    due = fixed.resolved(calendar)
    set_to, at = calendar.localize(fixed.due), calendar.localize(fixed.at)
    if run.counted_due is None:
        run.counted_due = run.due
    if fixed.kind != FixedKind.RECORDED or set_to != run.due:
        run.lines.append(
            _line(
                LineKind.FIXED,
                at,
                fixed_kind=fixed.kind.value,
                at=at,
                previous=run.due,
                due=set_to,
                reason=fixed.reason,
            )
        )
    if due != set_to:
        run.tail.append(
            _line(LineKind.FIXED_SHIFTED, None, set_to=set_to, due=due, minutes=fixed.minutes)
        )
    run.base = run.due = due
    run.shift, run.fixed = 0, True


def _checked_pauses(
    calendar: WorkingCalendar, pauses: Sequence[Pause], started: datetime, now: datetime | None
) -> tuple[list[Pause], bool]:
    """The pauses in the site zone, validated, the last one cut at `now`; and whether that
    one was still running at `now`."""
    local = [Pause(calendar.localize(p.start), calendar.localize(p.end)) for p in pauses]
    previous_end = started
    for pause in local:
        if pause.start < previous_end:
            what = "the clock started" if previous_end is started else "the previous pause ended"
            raise ValueError(
                f"pause starting {pause.start.isoformat()} begins before {what} "
                f"({previous_end.isoformat()}): pauses must be in order and not overlap"
            )
        previous_end = pause.end
    cut = None if now is None else calendar.localize(now)
    if cut is None or not local or local[-1].end <= cut:
        return local, False
    if local[-1].start >= cut:
        raise ValueError(f"pause starting {local[-1].start.isoformat()} is not before now")
    return [*local[:-1], Pause(local[-1].start, cut)], True


def _apply_pause(run: _Run, pause: Pause, rule: _Rule, *, restart: bool, running: bool) -> None:
    """Move `run.due` for one pause and record why."""
    calendar = rule.calendar
    if pause.start >= run.due:
        run.lines.append(
            _line(LineKind.PAUSE_AFTER_DUE, pause.start, start=pause.start, end=pause.end)
        )
        return
    covered = calendar.working_minutes_between(pause.start, pause.end)
    run.paused_minutes += covered
    kept = None
    if restart and not running:
        kept = _kept_over_restart(run, pause, covered, rule)
        if kept is None:
            _restart_after(run, pause, covered, rule)
            return
    run.shift += covered
    run.due, whole_day = _pushed(run, rule)
    kind = LineKind.PAUSE_RUNNING if running else LineKind.PAUSE
    run.lines.append(
        _line(
            kind,
            pause.start,
            start=pause.start,
            end=pause.end,
            minutes=covered,
            whole_day=whole_day,
        )
    )
    if kept is not None:
        run.lines.append(kept)


def _pushed(run: _Run, rule: _Rule) -> tuple[datetime, bool]:
    """`run.base` moved by the working time paused since it was set; under D (and same-day)
    to the close of the working day reached. Rounding the total shift once, not each pause,
    keeps two one-hour pauses from costing two days."""
    due = rule.calendar.add_working_minutes(run.base, run.shift)
    whole_day = rule.convention == Convention.DAYS and run.shift > 0
    return (rule.calendar.day_end(due.date()) if whole_day else due), whole_day


def _kept_over_restart(
    run: _Run, pause: Pause, covered: int, rule: _Rule
) -> ExplanationLine | None:
    """Under the restart rule, a fixed appointment pushed by the pause stays when it is later
    than counting the whole limit again (a restart never brings a promised date earlier):
    the line that says so, or None when the restart applies."""
    if not run.fixed:
        return None
    restarted = rule.due_from(rule.calendar.next_working_instant(pause.end))
    run.shift += covered
    pushed, _ = _pushed(run, rule)
    run.shift -= covered
    if pushed <= restarted:
        return None
    return _line(LineKind.RESTART_KEPT, pause.end, at=pause.end, restarted=restarted, due=pushed)


def _restart_after(run: _Run, pause: Pause, covered: int, rule: _Rule) -> None:
    """Count the full limit again from the supplement's receipt (`pause.end`)."""
    calendar, duration = rule.calendar, rule.duration
    since = calendar.next_working_instant(pause.end)
    run.base = run.due = rule.due_from(since)
    run.window_start, run.restarted, run.shift = since, True, 0
    run.fixed, run.counted_due = False, None
    run.lines.append(
        _line(
            LineKind.PAUSE,
            pause.start,
            start=pause.start,
            end=pause.end,
            minutes=covered,
            restart=True,
        )
    )
    run.lines.append(
        _line(
            LineKind.RESTART,
            pause.end,
            at=pause.end,
            since=since,
            value=duration.value,
            unit=duration.unit.value,
            convention=rule.shown,
        )
    )


def _opening_lines(
    received: datetime,
    started: datetime,
    duration: Duration,
    rule: _Rule,
    declared: Convention,
) -> list[ExplanationLine]:
    """Receipt, time limit and counting method; where the clock starts if not at receipt."""
    params: dict[str, object] = {
        "at": received,
        "value": duration.value,
        "unit": duration.unit.value,
        "convention": rule.shown,
        "day_minutes": rule.calendar.day_minutes,
    }
    if rule.cutoff is not None:
        params["cutoff"] = f"{rule.cutoff:%H:%M}"
    lines = [_line(LineKind.RECEIVED, received, **params)]
    if started != received.replace(second=0, microsecond=0):
        lines.append(_line(LineKind.STARTED_LATE, started, at=started, convention=rule.shown))
    if rule.cutoff is not None:
        day = rule.same_day(started)
        lines.append(
            _line(
                LineKind.SAME_DAY,
                started,
                at=started,
                cutoff=f"{rule.cutoff:%H:%M}",
                next_day=day != started.date(),
                due=rule.calendar.day_end(day),
            )
        )
    elif rule.convention != declared:
        lines.append(_line(LineKind.HOURS_UNDER_DAYS, None))
    return lines


def _body_lines(run: _Run, calendar: WorkingCalendar) -> list[ExplanationLine]:
    """Special days and pauses in date order, the weekend count, then the due. Behind a fixed
    appointment, the special days are listed only up to the counted due it replaced."""
    first = run.window_start.date() + timedelta(days=1)  # the start day is not a skipped day
    last = (run.counted_due or run.due).date()
    days = [
        _line(
            LineKind.WORKED_DAY if entry.is_working else LineKind.CLOSED_DAY,
            entry.day,
            label=entry.label,
            day_kind=entry.kind.value if entry.kind else "",
        )
        for entry in calendar.special_days_between(first, last, include_weekends=False)
    ]
    # Behind a fixed appointment: the counted story first, then the appointment and what
    # happened after it, in order.
    split = next(
        (i for i, line in enumerate(run.lines) if line.kind == LineKind.FIXED and run.fixed),
        len(run.lines),
    )
    lines = sorted([*days, *run.lines[:split]], key=lambda line: line.day or date.min)
    weekends = calendar.ordinary_weekend_days_between(first, last)
    if weekends:
        lines.append(_line(LineKind.WEEKENDS, None, count=weekends))
    lines += run.lines[split:] + run.tail
    lines.append(_line(LineKind.DUE, run.due, at=run.due))
    return lines


def _line(kind: LineKind, about: datetime | date | None, **params: object) -> ExplanationLine:
    """An explanation line; datetimes in `params` become ISO text so lines stay JSON."""
    day = about.date() if isinstance(about, datetime) else about
    return ExplanationLine(kind=kind, day=day, params={k: _plain(v) for k, v in params.items()})


def _plain(value: object) -> Param:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | bool):
        return value
    raise TypeError(f"explanation parameter {value!r} is not str, int, bool or datetime")


def working_time_used(
    *,
    calendar: WorkingCalendar,
    started_at: datetime,
    until: datetime,
    pauses: Sequence[Pause] = (),
) -> int:
    """Working minutes from `started_at` to `until`, less the working time of the pauses
    (each cut to that interval); 0 if `until` is not after `started_at`.

    With the due's limit in minutes this gives "used / paused / left" for a dossier.
    """
    total = calendar.working_minutes_between(started_at, until)
    if total <= 0:
        return 0
    paused = sum(
        calendar.working_minutes_between(max(p.start, started_at), min(p.end, until))
        for p in pauses
        if p.end > started_at and p.start < until
    )
    return max(0, total - paused)
