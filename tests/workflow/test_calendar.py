"""The working calendar: the closed and worked days of docs/domain/legal-clock.md, counting
against a day-by-day reference, session boundaries, and the shipped swap table."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from motcua.workflow.calendar import (
    DEFAULT_SESSIONS,
    VN_TZ,
    DayKind,
    DayOverride,
    Session,
    WorkingCalendar,
    load_shipped_overrides,
    parse_sessions,
)

CALENDAR = WorkingCalendar.for_vietnam()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# ---------------------------------------------------------------------------------------------
# Closed and worked days (docs/domain/legal-clock.md#holidays-and-swaps)

CLOSED_2025 = [
    date(2025, 1, 1),  # Tết Dương lịch
    *(date(2025, 1, day) for day in range(27, 32)),  # Tết Nguyên Đán, Mon-Fri
    date(2025, 4, 7),  # Giỗ Tổ Hùng Vương
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),  # swapped with Saturday 26 April
    date(2025, 9, 1),
    date(2025, 9, 2),
]
CLOSED_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 2),  # swapped with Saturday 10 January: missing from `holidays`
    *(date(2026, 2, day) for day in range(16, 21)),  # Tết, Mon-Fri
    date(2026, 4, 27),  # Hùng Kings fell on Sunday 26 April: compensatory Monday
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 9, 2),
]
WORKED_WEEKEND_DAYS = [date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]


@pytest.mark.parametrize("day", CLOSED_2025 + CLOSED_2026, ids=str)
def test_public_sector_closed_days(day: date) -> None:
    assert not CALENDAR.is_working_day(day)
    assert CALENDAR.day_label(day)


@pytest.mark.parametrize("day", WORKED_WEEKEND_DAYS, ids=str)
def test_swapped_saturdays_are_worked(day: date) -> None:
    assert day.weekday() == 5
    assert CALENDAR.is_working_day(day)
    assert CALENDAR.day_kind(day) == DayKind.SWAPPED_WORKING_DAY


def test_tet_2026_closes_14_to_22_february() -> None:
    closed = [date(2026, 2, day) for day in range(14, 23)]
    assert not any(CALENDAR.is_working_day(day) for day in closed)
    assert CALENDAR.is_working_day(date(2026, 2, 13))
    assert CALENDAR.is_working_day(date(2026, 2, 23))


def test_vietnam_culture_day_is_not_yet_a_holiday() -> None:
    assert (
        "Ngày Văn hóa Việt Nam"
        in holidays.country_holidays("VN", years=2026, language="vi")[date(2026, 11, 24)]
    )
    assert CALENDAR.is_working_day(date(2026, 11, 24))
    assert CALENDAR.day_kind(date(2026, 11, 24)) == DayKind.WORKING_DAY


def test_2025_has_250_working_days() -> None:
    # 261 weekdays - 12 closed weekdays + 1 worked Saturday.
    assert CALENDAR.working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 250


def test_day_labels() -> None:
    assert CALENDAR.day_label(date(2025, 4, 30)) == "Ngày Chiến thắng"
    assert CALENDAR.day_label(date(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert CALENDAR.day_label(date(2026, 1, 2)) == (
        "Nghỉ bù Tết Dương lịch 2026 (hoán đổi với thứ Bảy 10/01/2026)"
    )
    assert CALENDAR.day_label(date(2025, 5, 3)) == "Thứ Bảy"
    assert CALENDAR.day_label(date(2025, 5, 4)) == "Chủ Nhật"
    assert CALENDAR.day_label(date(2025, 5, 6)) is None


def test_library_kinds_are_recognised() -> None:
    assert CALENDAR.day_kind(date(2025, 4, 30)) == DayKind.HOLIDAY
    assert CALENDAR.day_kind(date(2026, 4, 27)) == DayKind.COMPENSATORY_DAY_OFF
    assert CALENDAR.day_kind(date(2025, 5, 2)) == DayKind.SWAPPED_DAY_OFF
    assert CALENDAR.day_kind(date(2025, 5, 6)) is None


# ---------------------------------------------------------------------------------------------
# Overrides


def test_every_library_swap_names_a_saturday_worked_in_the_shipped_table() -> None:
    shipped = {o.day: o.kind for o in load_shipped_overrides()}
    library = holidays.country_holidays("VN", years=range(2024, 2027), language="vi")
    named = [
        datetime.strptime(match[1], "%d/%m/%Y").date()
        for name in library.values()
        if (match := re.search(r"thay cho ngày (\d{2}/\d{2}/\d{4})", name))
    ]
    assert named, "the library should name at least one swapped Saturday in 2024-2026"
    for saturday in named:
        assert saturday.weekday() == 5
        assert shipped.get(saturday) == DayKind.SWAPPED_WORKING_DAY, saturday
        assert CALENDAR.is_working_day(saturday)


def test_shipped_overrides_have_reasons() -> None:
    overrides = load_shipped_overrides()
    assert {o.day for o in overrides} >= {
        date(2024, 5, 4),
        date(2025, 4, 26),
        date(2026, 1, 2),
        date(2026, 1, 10),
        date(2026, 8, 22),
        date(2026, 11, 24),
    }
    assert all(o.reason for o in overrides)


def test_site_override_wins_over_library_and_shipped_table() -> None:
    storm = date(2025, 9, 10)
    calendar = WorkingCalendar.for_vietnam(
        overrides=[
            DayOverride(storm, DayKind.CLOSURE, "Bão số 5: tạm dừng tiếp nhận"),
            DayOverride(date(2025, 4, 26), DayKind.CLOSURE, "Đóng cửa để bảo trì"),
            DayOverride(date(2025, 9, 2), DayKind.WORKING_DAY, "Thử nghiệm"),
        ],
        years=range(2025, 2026),
    )
    assert not calendar.is_working_day(storm)
    assert calendar.day_label(storm) == "Bão số 5: tạm dừng tiếp nhận"
    assert not calendar.is_working_day(date(2025, 4, 26))
    assert calendar.is_working_day(date(2025, 9, 2))


def test_calendar_without_shipped_table_follows_the_library() -> None:
    bare = WorkingCalendar.for_vietnam(include_shipped=False, years=range(2025, 2027))
    assert not bare.is_working_day(date(2025, 5, 2))
    assert bare.is_working_day(date(2026, 1, 2))  # the library lacks this swap
    assert not bare.is_working_day(date(2026, 1, 10))
    assert not bare.is_working_day(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("saturday", "day_off"),
    [(date(2019, 5, 4), "29/04/2019"), (date(2025, 4, 26), "02/05/2025")],
)
def test_library_swaps_imply_their_worked_saturday(saturday: date, day_off: str) -> None:
    bare = WorkingCalendar.for_vietnam(include_shipped=False)
    assert bare.is_working_day(saturday)
    assert bare.day_label(saturday) == f"Làm bù cho ngày nghỉ {day_off}"


def test_swapped_working_day_must_be_a_weekend_day() -> None:
    with pytest.raises(ValueError, match="must be a Saturday or a Sunday"):
        DayOverride(date(2025, 5, 6), DayKind.SWAPPED_WORKING_DAY, "nhầm ngày")


# ---------------------------------------------------------------------------------------------
# Counting against a day-by-day reference


def reference_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days d with start < d ≤ end, one day at a time."""
    days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if calendar.is_working_day(day))


def reference_add(calendar: WorkingCalendar, start: date, count: int) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        count -= calendar.is_working_day(day)
    return day


def random_ranges(seed: int, count: int) -> list[tuple[date, date]]:
    rng = random.Random(seed)
    first = date(2015, 1, 1).toordinal()
    pairs = []
    for _ in range(count):
        start = first + rng.randrange(0, 365 * 25)
        pairs.append((date.fromordinal(start), date.fromordinal(start + rng.randrange(0, 800))))
    return pairs


@pytest.mark.parametrize(("start", "end"), random_ranges(seed=2025, count=300))
def test_working_days_between_matches_reference(start: date, end: date) -> None:
    assert CALENDAR.working_days_between(start, end) == reference_between(CALENDAR, start, end)
    assert CALENDAR.working_days_between(end, start) == -reference_between(CALENDAR, start, end)


@pytest.mark.parametrize(("start", "end"), random_ranges(seed=766, count=300))
def test_add_working_days_matches_reference(start: date, end: date) -> None:
    count = (end - start).days % 400
    assert CALENDAR.add_working_days(start, count) == reference_add(CALENDAR, start, count)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 4, 24), 3, date(2025, 4, 28)),  # Saturday 26 April worked
        (date(2025, 12, 31), 5, date(2026, 1, 9)),
        (date(2025, 12, 31), 6, date(2026, 1, 10)),  # the worked Saturday
        (date(2026, 4, 24), 3, date(2026, 5, 4)),
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # across Tết
        (date(2025, 5, 3), 0, date(2025, 5, 3)),  # 0 is the day itself
    ],
)
def test_add_working_days_examples(start: date, count: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, count) == expected


def test_add_working_days_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="≥ 0"):
        CALENDAR.add_working_days(date(2025, 5, 5), -1)


def test_next_working_day_skips_the_2026_new_year_bridge() -> None:
    assert CALENDAR.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert CALENDAR.next_working_day(date(2026, 1, 9)) == date(2026, 1, 10)


def test_special_days_between_lists_exceptions_and_weekends() -> None:
    found = CALENDAR.special_days_between(date(2025, 4, 25), date(2025, 5, 4))
    assert [(d.day.day, d.kind, d.is_working) for d in found] == [
        (26, DayKind.SWAPPED_WORKING_DAY, True),
        (27, None, False),
        (30, DayKind.HOLIDAY, False),
        (1, DayKind.HOLIDAY, False),
        (2, DayKind.SWAPPED_DAY_OFF, False),
        (3, None, False),
        (4, None, False),
    ]
    assert CALENDAR.ordinary_weekend_days_between(date(2025, 4, 25), date(2025, 5, 4)) == 3


@pytest.mark.parametrize(("start", "end"), random_ranges(seed=118, count=50))
def test_special_days_between_matches_reference(start: date, end: date) -> None:
    listed = {d.day for d in CALENDAR.special_days_between(start, end)}
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    expected = {d for d in days if not CALENDAR.is_working_day(d) or d.weekday() >= 5}
    assert listed == expected


# ---------------------------------------------------------------------------------------------
# Sessions and instants


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (at(2025, 5, 6, 6, 59), at(2025, 5, 6, 7, 0)),  # before opening
        (at(2025, 5, 6, 7, 0), at(2025, 5, 6, 7, 0)),  # at opening: itself
        (at(2025, 5, 6, 10, 15), at(2025, 5, 6, 10, 15)),  # inside a session
        (at(2025, 5, 6, 11, 30), at(2025, 5, 6, 13, 30)),  # a session end is not a start
        (at(2025, 5, 6, 12, 0), at(2025, 5, 6, 13, 30)),  # lunch break
        (at(2025, 5, 6, 17, 0), at(2025, 5, 7, 7, 0)),  # closing time
        (at(2025, 4, 25, 17, 0), at(2025, 4, 26, 7, 0)),  # Friday evening → worked Saturday
        (at(2025, 4, 29, 18, 0), at(2025, 5, 5, 7, 0)),  # holiday bridge 30/4-4/5
        (at(2026, 2, 14, 20, 0), at(2026, 2, 23, 7, 0)),  # Tết closure
        (datetime(2025, 5, 6, 3, 15, tzinfo=UTC), at(2025, 5, 6, 10, 15)),  # given in UTC
    ],
    ids=str,
)
def test_next_working_instant(given: datetime, expected: datetime) -> None:
    assert CALENDAR.next_working_instant(given) == expected


def test_next_working_instant_drops_seconds() -> None:
    assert CALENDAR.next_working_instant(at(2025, 5, 6, 9, 0).replace(second=42)) == at(
        2025, 5, 6, 9, 0
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        CALENDAR.next_working_instant(datetime(2025, 5, 6, 9, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        CALENDAR.working_minutes_between(datetime(2025, 5, 6, 9), at(2025, 5, 7))


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at(2025, 5, 6, 9, 0), at(2025, 5, 6, 10, 0), 60),
        (at(2025, 5, 6, 11, 0), at(2025, 5, 6, 14, 0), 60),  # across lunch
        (at(2025, 5, 6, 7, 0), at(2025, 5, 6, 17, 0), 480),
        (at(2025, 5, 6, 17, 0), at(2025, 5, 7, 7, 0), 0),  # overnight
        (at(2025, 5, 7, 14, 0), at(2025, 5, 19, 9, 0), 61 * 60),  # E4's pause
        (at(2025, 4, 29, 15, 30), at(2025, 5, 5, 8, 0), 150),  # across the May holidays
        (at(2025, 5, 3, 8, 0), at(2025, 5, 4, 16, 0), 0),  # a weekend
        (at(2025, 5, 6, 10, 0), at(2025, 5, 6, 9, 0), -60),  # reversed: negative
    ],
)
def test_working_minutes_between(start: datetime, end: datetime, minutes: int) -> None:
    assert CALENDAR.working_minutes_between(start, end) == minutes


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2025, 5, 6, 9, 0), 60, at(2025, 5, 6, 10, 0)),
        (at(2025, 5, 6, 11, 0), 30, at(2025, 5, 6, 11, 30)),  # stays at the session end
        (at(2025, 5, 6, 11, 0), 31, at(2025, 5, 6, 13, 31)),
        (at(2025, 5, 6, 9, 0), 360, at(2025, 5, 6, 17, 0)),  # stays at 17:00
        (at(2025, 5, 6, 9, 0), 361, at(2025, 5, 7, 7, 1)),
        (at(2025, 5, 6, 20, 0), 480, at(2025, 5, 7, 17, 0)),  # evening start
        (at(2025, 5, 6, 12, 0), 0, at(2025, 5, 6, 12, 0)),  # adding nothing
    ],
)
def test_add_working_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    assert CALENDAR.add_working_minutes(start, minutes) == expected


def test_results_are_in_the_site_zone() -> None:
    utc_start = datetime(2025, 5, 6, 2, 0, tzinfo=UTC)  # 09:00 in Việt Nam
    result = CALENDAR.add_working_minutes(utc_start, 60)
    assert result.tzinfo == VN_TZ
    assert result == at(2025, 5, 6, 10, 0)


# ---------------------------------------------------------------------------------------------
# Custom sessions


def test_parse_sessions_default_text() -> None:
    assert parse_sessions("07:00-11:30,13:30-17:00") == DEFAULT_SESSIONS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7h-11h",
        "08:00-07:00",
        "07:00-12:00,11:00-17:00",
        "13:00-17:00,07:00-11:00",
        "07:00-25:00",
    ],
)
def test_parse_sessions_refuses_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="session"):
        parse_sessions(text)


def test_session_must_start_before_it_ends() -> None:
    with pytest.raises(ValueError, match="start before it ends"):
        Session(time(9, 0), time(9, 0))


def test_custom_sessions_0730_to_1630() -> None:
    calendar = WorkingCalendar.for_vietnam(
        sessions=parse_sessions("07:30-12:00,13:00-16:30"), years=range(2025, 2026)
    )
    assert calendar.day_minutes == 480
    assert calendar.next_working_instant(at(2025, 5, 6, 7, 0)) == at(2025, 5, 6, 7, 30)
    assert calendar.next_working_instant(at(2025, 5, 6, 12, 30)) == at(2025, 5, 6, 13, 0)
    assert calendar.add_working_minutes(at(2025, 5, 6, 7, 30), 480) == at(2025, 5, 6, 16, 30)
    assert calendar.add_working_minutes(at(2025, 5, 6, 10, 0), 3 * 480) == at(2025, 5, 9, 10, 0)
    assert calendar.day_end(date(2025, 5, 6)) == at(2025, 5, 6, 16, 30)
