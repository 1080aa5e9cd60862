"""Reporting periods under the two cut-off conventions (docs/domain/reports.md#periods)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.reports import periods
from motcua.workflow.calendar import VN_TZ

D = date


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (periods.month(2025, 3), (D(2025, 3, 1), D(2025, 3, 31))),
        (periods.month(2024, 2), (D(2024, 2, 1), D(2024, 2, 29))),
        (periods.month(2025, 12), (D(2025, 12, 1), D(2025, 12, 31))),
        (periods.month(2025, 3, "day15"), (D(2025, 2, 15), D(2025, 3, 14))),
        (periods.month(2025, 1, "day15"), (D(2024, 12, 15), D(2025, 1, 14))),
        (periods.quarter(2020, 1), (D(2020, 1, 1), D(2020, 3, 31))),
        (periods.quarter(2025, 4), (D(2025, 10, 1), D(2025, 12, 31))),
        # Kon Tum Q1 2023 (docs/domain/reports.md#periods): 15 Dec – 14 Mar
        (periods.quarter(2023, 1, "day15"), (D(2022, 12, 15), D(2023, 3, 14))),
        (periods.half_year(2020, 1), (D(2020, 1, 1), D(2020, 6, 30))),
        (periods.half_year(2025, 2), (D(2025, 7, 1), D(2025, 12, 31))),
        (periods.half_year(2025, 2, "day15"), (D(2025, 6, 15), D(2025, 12, 14))),
        (periods.nine_months(2021), (D(2021, 1, 1), D(2021, 9, 30))),
        (periods.year(2023), (D(2023, 1, 1), D(2023, 12, 31))),
        (periods.year(2023, periods.PeriodConvention.DAY15), (D(2022, 12, 15), D(2023, 12, 14))),
    ],
)
def test_periods(period: periods.Period, expected: tuple[date, date]) -> None:
    assert period == expected
    assert (period.start, period.end) == expected


def test_bounds_are_local_midnights() -> None:
    t0, t1 = periods.bounds(D(2025, 3, 1), D(2025, 3, 31), VN_TZ)
    assert t0 == datetime(2025, 3, 1, tzinfo=VN_TZ)
    assert t1 == datetime(2025, 4, 1, tzinfo=VN_TZ)
    assert t0.utcoffset() is not None and t0.isoformat() == "2025-03-01T00:00:00+07:00"


@pytest.mark.parametrize(
    "call",
    [
        lambda: periods.month(2025, 13),
        lambda: periods.quarter(2025, 5),
        lambda: periods.half_year(2025, 3),
        lambda: periods.month(2025, 3, "weekly"),
        lambda: periods.bounds(D(2025, 3, 2), D(2025, 3, 1), VN_TZ),
    ],
)
def test_impossible_periods(call) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        call()
