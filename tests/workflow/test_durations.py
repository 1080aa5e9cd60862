"""Durations as people read them: working days and hours, how late, how a dossier ended."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.workflow.explain import (
    Finish,
    finish_of,
    format_finish,
    format_time_left,
    format_working_time,
)

DAY = 480  # 8 working hours


@pytest.mark.parametrize(
    ("minutes", "vi", "en"),
    [
        (7800, "16 ngày 2 giờ làm việc", "16 days 2 hours of working time"),
        (480, "1 ngày làm việc", "1 day of working time"),
        (90, "1 giờ 30 phút làm việc", "1 hour 30 minutes of working time"),
        (0, "0 giờ làm việc", "0 hours of working time"),
    ],
)
def test_working_time_is_counted_in_working_days_and_hours(minutes, vi, en) -> None:
    assert format_working_time(minutes, DAY, "vi") == vi
    assert format_working_time(minutes, DAY, "en") == en


def test_time_left_and_how_late() -> None:
    assert format_time_left(1500, DAY, "vi") == "Còn 3 ngày 1 giờ làm việc"
    assert format_time_left(-1140, DAY, "vi") == "Quá hạn 2 ngày 3 giờ làm việc"
    assert format_time_left(-1140, DAY, "en") == "Overdue by 2 days 3 hours of working time"


def test_an_ended_dossier_says_when_and_whether_early_on_time_or_late() -> None:
    due = datetime(2025, 4, 30, 10, 0)
    early, late = datetime(2025, 4, 28, 10, 0), datetime(2025, 5, 2, 11, 0)
    assert finish_of(early, due, 960) == Finish.EARLY
    assert finish_of(due, due, 0) == Finish.ON_TIME
    assert finish_of(late, due, -540) == Finish.LATE
    assert format_finish(early, due, 960, DAY, "vi") == (
        "Kết thúc lúc 10:00 thứ Hai 28/04/2025, sớm hơn hẹn 2 ngày làm việc"
    )
    assert format_finish(due, due, 0, DAY, "en").endswith(", on time")
    assert format_finish(late, due, -540, DAY, "vi").endswith("trễ hạn 1 ngày 1 giờ làm việc")
