"""Early / on time / late under the three rules of docs/domain/legal-clock.md#classification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.workflow.calendar import VN_TZ, WorkingCalendar, parse_sessions
from motcua.workflow.classification import ClassificationRule, Timeliness, classify

CALENDAR = WorkingCalendar.for_vietnam(years=range(2025, 2026))
DAY, HALF = ClassificationRule.DAY, ClassificationRule.HALF_SESSION
STAMP = ClassificationRule.TIMESTAMP
EARLY, ON_TIME, LATE = Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


E8_DUE = at(2025, 5, 16, 15, 30)  # in the afternoon session 13:30-17:00

# (case, ended, due, by day, by half session, by timestamp)
TABLE = [
    ("E8 ended the day before", at(2025, 5, 15, 16), E8_DUE, EARLY, EARLY, EARLY),
    ("E8 ended 16:40 on the due day", at(2025, 5, 16, 16, 40), E8_DUE, ON_TIME, LATE, LATE),
    ("E8 ended the next working day", at(2025, 5, 19, 8), E8_DUE, LATE, LATE, LATE),
    ("ended that morning", at(2025, 5, 16, 9), E8_DUE, ON_TIME, EARLY, ON_TIME),
    ("ended at the afternoon's start", at(2025, 5, 16, 13, 30), E8_DUE, ON_TIME, ON_TIME, ON_TIME),
    ("ended exactly at the due", E8_DUE, E8_DUE, ON_TIME, ON_TIME, ON_TIME),
    ("ended a minute late", at(2025, 5, 16, 15, 31), E8_DUE, ON_TIME, LATE, LATE),
    # A due at 11:30 ends the morning session, so its half-day starts at 07:00.
    ("due at 11:30, ended 07:00", at(2025, 5, 16, 7), at(2025, 5, 16, 11, 30),
     ON_TIME, ON_TIME, ON_TIME),
    ("due at 17:00, ended at lunch", at(2025, 5, 16, 12), at(2025, 5, 16, 17),
     ON_TIME, EARLY, ON_TIME),
    ("no due date", at(2025, 5, 19, 8), None, ON_TIME, ON_TIME, ON_TIME),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ended", "due", "by_day", "by_half", "by_stamp"),
    [case[1:] for case in TABLE],
    ids=[case[0] for case in TABLE],
)
def test_classification_rules(
    ended: datetime,
    due: datetime | None,
    by_day: Timeliness,
    by_half: Timeliness,
    by_stamp: Timeliness,
) -> None:
    assert classify(ended_at=ended, due_at=due) == by_day
    assert classify(ended_at=ended, due_at=due, rule=HALF, calendar=CALENDAR) == by_half
    assert classify(ended_at=ended, due_at=due, rule=STAMP) == by_stamp


def test_dates_are_compared_in_the_site_zone() -> None:
    # 23:30 UTC on 15 May is 06:30 on 16 May in Việt Nam: the due day itself.
    ended = datetime(2025, 5, 15, 23, 30, tzinfo=UTC)
    assert classify(ended_at=ended, due_at=E8_DUE, rule=DAY) == ON_TIME


def test_half_session_follows_the_site_sessions() -> None:
    calendar = WorkingCalendar.for_vietnam(
        sessions=parse_sessions("07:30-12:00,13:00-16:30"), years=range(2025, 2026)
    )
    due = at(2025, 5, 16, 15, 30)
    assert (
        classify(ended_at=at(2025, 5, 16, 12, 59), due_at=due, rule=HALF, calendar=calendar)
        == EARLY
    )
    assert (
        classify(ended_at=at(2025, 5, 16, 13, 0), due_at=due, rule=HALF, calendar=calendar)
        == ON_TIME
    )


def test_half_session_needs_the_calendar() -> None:
    with pytest.raises(ValueError, match="needs the calendar"):
        classify(ended_at=at(2025, 5, 16, 9), due_at=E8_DUE, rule=HALF)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        classify(ended_at=datetime(2025, 5, 16, 9), due_at=E8_DUE)
    with pytest.raises(ValueError, match="naive datetime"):
        classify(ended_at=E8_DUE, due_at=datetime(2025, 5, 16, 9))
