"""Early, on time or late (trước hạn / đúng hạn / quá hạn), docs/domain/legal-clock.md.

Practice and the national scoring note disagree, so a report names its `ClassificationRule`:
the same dossier can be on time by the provincial day rule and late by Decision 766.
`ended_at` is the dossier's end instant as that page defines it; `due_at` its due (None when the
procedure has no time limit, which every rule reads as on time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from motcua.workflow.calendar import VN_TZ, WorkingCalendar, as_site_time


class Timeliness(StrEnum):
    """How a dossier ended relative to its due."""

    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn


class ClassificationRule(StrEnum):
    """Which definition of early / on time / late a report uses.

    DAY (provincial practice): compare local dates of end and due.
    HALF_SESSION (OpenCPS): late after the due; early before the start of the session
    (half-day, buổi) containing the due; on time in between.
    TIMESTAMP (Decision 766 strictness): late after the due instant; early on an earlier
    date; on time otherwise.
    """

    DAY = "day"
    HALF_SESSION = "half_session"
    TIMESTAMP = "timestamp"


def classify(
    *,
    ended_at: datetime,
    due_at: datetime | None,
    rule: ClassificationRule = ClassificationRule.DAY,
    calendar: WorkingCalendar | None = None,
) -> Timeliness:
    """Classify a dossier that ended at `ended_at`; HALF_SESSION needs the `calendar`."""
    tz = calendar.tz if calendar else VN_TZ
    ended = as_site_time(ended_at, tz)
    if due_at is None:
        return Timeliness.ON_TIME
    due = as_site_time(due_at, tz)
    if rule == ClassificationRule.DAY:
        return _by_day(ended, due)
    if ended > due:
        return Timeliness.LATE
    if rule == ClassificationRule.HALF_SESSION:
        if calendar is None:
            raise ValueError("the half_session rule needs the calendar (its sessions)")
        early_before = _half_day_start(due, calendar)
    else:
        early_before = due.replace(hour=0, minute=0, second=0, microsecond=0)
    return Timeliness.EARLY if ended < early_before else Timeliness.ON_TIME


def _by_day(ended: datetime, due: datetime) -> Timeliness:
    if ended.date() < due.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME if ended.date() == due.date() else Timeliness.LATE


def _half_day_start(due: datetime, calendar: WorkingCalendar) -> datetime:
    """Start of the session containing `due` (a due at a session end belongs to it).

    A due outside every session (set by hand, e.g. an extension to 20:00) belongs to the
    last session that began before it; before the first session, to the start of its day.
    """
    minute = due.hour * 60 + due.minute
    started = [s.start for s in calendar.sessions if s.start.hour * 60 + s.start.minute <= minute]
    midnight = due.replace(hour=0, minute=0, second=0, microsecond=0)
    if not started:
        return midnight
    last = started[-1]
    return midnight + timedelta(hours=last.hour, minutes=last.minute)
