"""Reporting periods (kỳ báo cáo), docs/domain/reports.md#periods.

A period is a pair of dates `(start, end)`, both inclusive, in the site's time zone. Two
cut-off conventions exist: `calendar` (1st to last day of the months) and `day15` (from the
15th of the month before the first month to the 14th of the last month; the year runs from
15 December to 14 December). The helpers return plain dates; a report takes its dates
explicitly, so any other span is reported the same way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo


class PeriodConvention(StrEnum):
    CALENDAR = "calendar"  # 1st – last day of the month
    DAY15 = "day15"  # 15th of the previous month – 14th


class Period(NamedTuple):
    """Dates `start`..`end`, both inclusive; compares equal to the tuple `(start, end)`."""

    start: date
    end: date


def months(
    year: int,
    first: int,
    last: int,
    convention: PeriodConvention | str = PeriodConvention.CALENDAR,
) -> Period:
    """The months `first`..`last` of `year` (1-12) under `convention`."""
    if not 1 <= first <= last <= 12:
        raise ValueError(f"months must satisfy 1 <= first <= last <= 12, got {first}..{last}")
    if PeriodConvention(convention) == PeriodConvention.DAY15:
        before_year, before_month = (year - 1, 12) if first == 1 else (year, first - 1)
        return Period(date(before_year, before_month, 15), date(year, last, 14))
    after_year, after_month = (year + 1, 1) if last == 12 else (year, last + 1)
    return Period(date(year, first, 1), date(after_year, after_month, 1) - timedelta(days=1))


def month(
    year: int, number: int, convention: PeriodConvention | str = PeriodConvention.CALENDAR
) -> Period:
    """Month `number` of `year`: month(2025, 3, "day15") == (2025-02-15, 2025-03-14)."""
    return months(year, number, number, convention)


def quarter(
    year: int, number: int, convention: PeriodConvention | str = PeriodConvention.CALENDAR
) -> Period:
    """Quarter 1-4 of `year`: quarter(2023, 1, "day15") == (2022-12-15, 2023-03-14)."""
    if not 1 <= number <= 4:
        raise ValueError(f"quarter must be 1-4, got {number}")
    return months(year, 3 * number - 2, 3 * number, convention)


def half_year(
    year: int, number: int, convention: PeriodConvention | str = PeriodConvention.CALENDAR
) -> Period:
    """Half-year 1 or 2 of `year` (6-month report)."""
    if number not in (1, 2):
        raise ValueError(f"half-year must be 1 or 2, got {number}")
    return months(year, 6 * number - 5, 6 * number, convention)


def nine_months(
    year: int, convention: PeriodConvention | str = PeriodConvention.CALENDAR
) -> Period:
    """The 9-month report: January to September."""
    return months(year, 1, 9, convention)


def year(number: int, convention: PeriodConvention | str = PeriodConvention.CALENDAR) -> Period:
    """The year: 1 Jan – 31 Dec, or 15 Dec of the year before – 14 Dec under `day15`."""
    return months(number, 1, 12, convention)


def month_containing(day: date, convention: PeriodConvention | str) -> tuple[int, int]:
    """The (year, month) whose period holds `day`: under day15, 20 March is in April's."""
    if PeriodConvention(convention) == PeriodConvention.DAY15 and day.day >= 15:
        return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.year, day.month


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    """The (year, month) `by` months after (before, if negative) `month` of `year`."""
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def last_ended_month(today: date, convention: PeriodConvention | str) -> tuple[int, int]:
    """The last month that has ended: the one before the month holding `today`."""
    return shift_month(*month_containing(today, convention), -1)


def bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The half-open instant range [T0, T1) of the dates `start`..`end` in zone `tz`:
    T0 = `start` 00:00, T1 = the day after `end` 00:00, both local and aware."""
    if start > end:
        raise ValueError(f"period starts after it ends: {start} > {end}")
    t0 = datetime.combine(start, time(0), tzinfo=tz)
    t1 = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    return t0, t1
