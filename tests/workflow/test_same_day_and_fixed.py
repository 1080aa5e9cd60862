"""Same-day procedures (giải quyết trong ngày, cut-off 15:00), appointments fixed by hand
(apology, a previous system's date) and the floor a kept promise sets, on real 2025 dates:
Tết (25/01–02/02 off), 30/4–1/5 (Saturday 26/04 worked, Friday 02/05 off), 2/9 (01–02/09 off).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from motcua.workflow.calendar import VN_TZ, DayKind, DayOverride, WorkingCalendar
from motcua.workflow.deadlines import (
    Convention,
    Duration,
    FixedDue,
    FixedKind,
    Floor,
    Pause,
    compute_due,
)
from motcua.workflow.explain import LineKind, render_all

CALENDAR = WorkingCalendar.for_vietnam()
CUTOFF = time(15, 0)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def same_day(received: datetime, *pauses: Pause, restart: bool = False) -> object:
    return compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=Duration(1),
        pauses=pauses,
        restart=restart,
        same_day_cutoff=CUTOFF,
    )


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        pytest.param(at(2025, 4, 24, 9), at(2025, 4, 24, 17), id="Thursday 09:00: that day"),
        pytest.param(at(2025, 4, 24, 15), at(2025, 4, 24, 17), id="at 15:00 itself: that day"),
        pytest.param(at(2025, 4, 24, 15, 1), at(2025, 4, 25, 17), id="15:01: next working day"),
        pytest.param(at(2025, 4, 25, 16), at(2025, 4, 26, 17), id="Friday late: worked Sat 26/4"),
        pytest.param(at(2025, 4, 29, 16), at(2025, 5, 5, 17), id="29/4 late: after 30/4-4/5"),
        pytest.param(at(2025, 4, 30, 9), at(2025, 5, 5, 17), id="on the 30/4 holiday: 5/5"),
        pytest.param(at(2025, 1, 24, 14), at(2025, 1, 24, 17), id="last day before Tết, 14:00"),
        pytest.param(at(2025, 1, 24, 16), at(2025, 2, 3, 17), id="last day before Tết, 16:00"),
        pytest.param(at(2025, 1, 29, 10), at(2025, 2, 3, 17), id="during Tết: first day back"),
        pytest.param(at(2025, 8, 29, 15, 30), at(2025, 9, 3, 17), id="29/8 late: after 2/9"),
        pytest.param(at(2025, 8, 30, 10), at(2025, 9, 3, 17), id="Saturday before 2/9"),
        pytest.param(at(2025, 6, 2, 12), at(2025, 6, 2, 17), id="lunch break: starts 13:30"),
        pytest.param(at(2025, 6, 2, 18), at(2025, 6, 3, 17), id="evening: starts next 07:00"),
    ],
)
def test_same_day_procedures(received: datetime, expected: datetime) -> None:
    deadline = same_day(received)
    assert deadline.due_at == expected
    assert deadline.explanation[-1].kind == LineKind.DUE
    assert render_all(deadline.explanation)[-1].endswith(f"{expected:%d/%m/%Y}.")


def test_same_day_explanation_names_the_cut_off_and_the_day_reached() -> None:
    vi = render_all(same_day(at(2025, 4, 29, 16)).explanation, "vi")
    en = render_all(same_day(at(2025, 4, 29, 16)).explanation, "en")
    assert "thủ tục giải quyết trong ngày" in vi[0] and "15:00" in vi[0]
    assert "sau 15:00: hẹn trả vào cuối ngày làm việc tiếp theo" in vi[1]
    assert "a same-day procedure" in en[0]
    assert vi[-1] == "Hẹn trả: 17:00 thứ Hai 05/05/2025."
    assert en[-1] == "Due: 17:00 on Monday 5 May 2025."
    assert not any("không tính ngày" in line for line in vi)  # the start day does count


def test_a_same_day_pause_moves_the_due_to_the_close_of_the_day_reached() -> None:
    deadline = same_day(at(2025, 6, 2, 9), Pause(at(2025, 6, 2, 10), at(2025, 6, 2, 11)))
    assert deadline.due_at == at(2025, 6, 3, 17)


def test_a_same_day_restart_counts_from_the_supplement_with_the_cut_off() -> None:
    early = same_day(at(2025, 6, 2, 9), Pause(at(2025, 6, 2, 10), at(2025, 6, 4, 9)), restart=True)
    late = same_day(at(2025, 6, 2, 9), Pause(at(2025, 6, 2, 10), at(2025, 6, 4, 16)), restart=True)
    assert early.due_at == at(2025, 6, 4, 17)
    assert late.due_at == at(2025, 6, 5, 17)


def test_without_a_cut_off_the_one_day_procedure_is_due_the_next_day() -> None:
    plain = compute_due(calendar=CALENDAR, received_at=at(2025, 4, 24, 9), duration=Duration(1))
    assert plain.due_at == at(2025, 4, 25, 9)


# --- fixed appointments and the floor ----------------------------------------------------


def three_days(
    *pauses: Pause,
    fixed: tuple[FixedDue, ...] = (),
    floor: Floor | None = None,
    restart: bool = False,
    calendar: WorkingCalendar = CALENDAR,
) -> object:
    return compute_due(
        calendar=calendar,
        received_at=at(2025, 6, 2, 9),  # Monday; due Thursday 5/6 09:00
        duration=Duration(3),
        pauses=pauses,
        restart=restart,
        fixed=fixed,
        floor=floor,
    )


def apology(on: datetime, due: datetime) -> FixedDue:
    return FixedDue.on(CALENDAR, kind=FixedKind.EXTENDED, at=on, due=due, reason="Chờ xác minh")


def test_an_apology_replaces_the_due_and_later_pauses_push_it() -> None:
    extended = apology(at(2025, 6, 4, 9), at(2025, 6, 10, 17))
    assert three_days(fixed=(extended,)).due_at == at(2025, 6, 10, 17)
    later = Pause(at(2025, 6, 6, 9), at(2025, 6, 9, 9))  # one working day
    deadline = three_days(later, fixed=(extended,))
    assert deadline.due_at == at(2025, 6, 11, 17)
    vi = render_all(deadline.explanation, "vi")
    assert any("xin lỗi và hẹn lại (lý do: Chờ xác minh)" in line for line in vi)
    assert any(
        "dời từ 09:00 thứ Năm 05/06/2025 sang 17:00 thứ Ba 10/06/2025" in line for line in vi
    )
    assert vi[-1] == "Hẹn trả: 17:00 thứ Tư 11/06/2025."


def test_a_pause_that_began_before_the_apology_does_not_push_it() -> None:
    earlier = Pause(at(2025, 6, 3, 9), at(2025, 6, 4, 9))
    extended = apology(at(2025, 6, 5, 8), at(2025, 6, 12, 17))
    assert three_days(earlier, fixed=(extended,)).due_at == at(2025, 6, 12, 17)


def test_a_day_off_added_after_the_apology_keeps_its_working_time() -> None:
    extended = apology(at(2025, 6, 4, 9), at(2025, 6, 10, 17))
    storm = WorkingCalendar.for_vietnam(
        overrides=[DayOverride(date(2025, 6, 9), DayKind.CLOSURE, "Bão")]
    )
    deadline = three_days(fixed=(extended,), calendar=storm)
    assert deadline.due_at == at(2025, 6, 11, 17)
    assert render_all(deadline.explanation, "en")[-2].startswith("The working calendar changed")


def test_a_restart_never_ends_before_the_promised_date_pushed_by_its_pause() -> None:
    extended = apology(at(2025, 6, 4, 9), at(2025, 6, 20, 17))
    short = Pause(at(2025, 6, 5, 9), at(2025, 6, 5, 10))
    kept = three_days(short, fixed=(extended,), restart=True)
    assert kept.due_at == at(2025, 6, 23, 8)  # 20/6 17:00 + 1 working hour
    assert any(line.kind == LineKind.RESTART_KEPT for line in kept.explanation)
    near = apology(at(2025, 6, 4, 9), at(2025, 6, 6, 17))
    long = Pause(at(2025, 6, 5, 9), at(2025, 6, 30, 9))
    restarted = three_days(long, fixed=(near,), restart=True)
    assert restarted.due_at == at(2025, 7, 3, 9)  # three days from the supplement


def test_a_recorded_due_equal_to_the_counted_one_says_nothing_more() -> None:
    recorded = FixedDue.on(
        CALENDAR, kind=FixedKind.RECORDED, at=at(2025, 6, 2, 9), due=at(2025, 6, 5, 9)
    )
    plain = three_days()
    assert render_all(three_days(fixed=(recorded,)).explanation) == render_all(plain.explanation)


def test_a_floor_keeps_a_promised_date_a_new_working_day_would_shorten() -> None:
    worked = WorkingCalendar.for_vietnam(
        overrides=[DayOverride(date(2025, 6, 7), DayKind.SWAPPED_WORKING_DAY, "Làm bù")]
    )
    received = at(2025, 6, 5, 9)  # Thursday, 3 days: Tuesday 10/6 09:00
    counted = compute_due(calendar=worked, received_at=received, duration=Duration(3))
    assert counted.due_at == at(2025, 6, 9, 9)
    floor = Floor(due=at(2025, 6, 10, 9), day=date(2025, 6, 7), label="Làm bù")
    kept = compute_due(calendar=worked, received_at=received, duration=Duration(3), floor=floor)
    assert kept.due_at == at(2025, 6, 10, 9)
    vi = render_all(kept.explanation, "vi")
    assert "không rút ngắn" in vi[-2] and vi[-1] == "Hẹn trả: 09:00 thứ Ba 10/06/2025."
    long_pause = (Pause(at(2025, 6, 5, 10), at(2025, 6, 9, 10)),)
    pushed = compute_due(
        calendar=worked,
        received_at=received,
        duration=Duration(3),
        pauses=long_pause,
        floor=floor,
        convention=Convention.HOURS,
    )
    assert pushed.due_at > floor.due  # a floor is a minimum, not a fixed date
