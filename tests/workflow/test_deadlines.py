"""Due dates (ngày hẹn trả): docs/domain/legal-clock.md#worked-examples and the boundary cases.

Shipped calendar, sessions 07:00-11:30 and 13:30-17:00. H = working-hour addition (default),
D = Civil Code day counting.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from motcua.workflow.calendar import VN_TZ, WorkingCalendar
from motcua.workflow.deadlines import (
    Convention,
    Deadline,
    Duration,
    DurationUnit,
    Pause,
    compute_due,
    working_time_used,
)
from motcua.workflow.explain import LineKind, render_all

CALENDAR = WorkingCalendar.for_vietnam()
H, D = Convention.HOURS, Convention.DAYS


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def due(
    received: datetime,
    duration: str,
    convention: Convention = H,
    pauses: tuple[Pause, ...] = (),
    *,
    restart: bool = False,
    now: datetime | None = None,
) -> Deadline:
    return compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=Duration.parse(duration),
        convention=convention,
        pauses=pauses,
        restart=restart,
        now=now,
    )


E4 = at(2025, 5, 5, 9)  # Monday 5 May 2025 09:00
E4_PAUSE = (Pause(at(2025, 5, 7, 14), at(2025, 5, 19, 9)),)
TWO_PAUSES = (  # 8 working hours, then 6
    Pause(at(2025, 5, 6, 9), at(2025, 5, 7, 9)),
    Pause(at(2025, 5, 8, 14), at(2025, 5, 9, 10)),
)
HOUR_PAUSES = (
    Pause(at(2025, 5, 6, 9), at(2025, 5, 6, 10)),
    Pause(at(2025, 5, 8, 9), at(2025, 5, 8, 10)),
)


def case(
    name: str,
    received: datetime,
    duration: str,
    convention: Convention,
    expected: datetime,
    *,
    started: datetime | None = None,
    pauses: tuple[Pause, ...] = (),
    restart: bool = False,
) -> object:
    """One row: receipt, limit and convention → due (and where the clock starts if not at
    receipt)."""
    starts = started or received
    return pytest.param(received, duration, convention, pauses, restart, starts, expected, id=name)


EXAMPLES = [
    # docs/domain/legal-clock.md#worked-examples
    case("E1 H", at(2025, 4, 24, 10), "3d", H, at(2025, 4, 28, 10)),
    case("E1 D", at(2025, 4, 24, 10), "3d", D, at(2025, 4, 28, 17)),
    case("E2 H", at(2025, 4, 29, 15, 30), "10d", H, at(2025, 5, 16, 15, 30)),
    case("E2 D", at(2025, 4, 29, 15, 30), "10d", D, at(2025, 5, 16, 17)),
    case("E3 H", at(2026, 2, 14, 20), "5d", H, at(2026, 2, 27, 17), started=at(2026, 2, 23, 7)),
    case("E3 D", at(2026, 2, 14, 20), "5d", D, at(2026, 3, 2, 17), started=at(2026, 2, 23, 7)),
    case("E4 without pause", E4, "10d", H, at(2025, 5, 19, 9)),
    case("E4 pause H", E4, "10d", H, at(2025, 5, 28, 16), pauses=E4_PAUSE),
    case("E4 restart H", E4, "10d", H, at(2025, 6, 2, 9), pauses=E4_PAUSE, restart=True),
    case("E4 restart D", E4, "10d", D, at(2025, 6, 2, 17), pauses=E4_PAUSE, restart=True),
    # Judgement call: under D the 61 paused hours reach into 29 May, which counts whole.
    case("E4 pause D", E4, "10d", D, at(2025, 5, 29, 17), pauses=E4_PAUSE),
    case("E5 D", at(2026, 4, 24, 9), "3d", D, at(2026, 5, 4, 17)),
    case("E6 D", at(2025, 12, 31, 9), "5d", D, at(2026, 1, 9, 17)),
    case("E6 D, a 6th day", at(2025, 12, 31, 9), "6d", D, at(2026, 1, 10, 17)),
    # Receipt in the lunch break: the clock starts at 13:30. Eight working hours later is the
    # end of the next morning session, and a due at a session end stays there: 11:30.
    case("lunch H", at(2025, 5, 6, 12, 15), "1d", H, at(2025, 5, 7, 11, 30),
         started=at(2025, 5, 6, 13, 30)),
    case("lunch D", at(2025, 5, 6, 12, 15), "1d", D, at(2025, 5, 7, 17),
         started=at(2025, 5, 6, 13, 30)),
    # Receipt at closing time: the clock starts next morning; a full day ends at 17:00.
    case("17:00 H", at(2025, 5, 6, 17), "1d", H, at(2025, 5, 7, 17), started=at(2025, 5, 7, 7)),
    case("17:00 D", at(2025, 5, 6, 17), "1d", D, at(2025, 5, 8, 17), started=at(2025, 5, 7, 7)),
    # Receipt on a holiday (online): taken up on Monday 5 May after the 30/4-4/5 break.
    case("holiday H", at(2025, 4, 30, 9), "2d", H, at(2025, 5, 6, 17), started=at(2025, 5, 5, 7)),
    case("holiday D", at(2025, 4, 30, 9), "2d", D, at(2025, 5, 7, 17), started=at(2025, 5, 5, 7)),
    # Receipt on the worked Saturday 26 April 2025: an ordinary working day.
    case("worked Saturday H", at(2025, 4, 26, 9), "1d", H, at(2025, 4, 28, 9)),
    case("worked Saturday D", at(2025, 4, 26, 9), "1d", D, at(2025, 4, 28, 17)),
    # Limits in hours: 16 h from 15:00 = 2 h today, 8 h, then 6 h → 15:00 two days later.
    case("16h", at(2025, 5, 13, 15), "16h", H, at(2025, 5, 15, 15)),
    case("4h", at(2025, 5, 13, 15), "4h", H, at(2025, 5, 14, 9)),
    case("16h named D is added in hours", at(2025, 5, 13, 15), "16h", D, at(2025, 5, 15, 15)),
    # 14 paused hours after 19 May 09:00 end at 17:00 on 20 May, not 07:00 on 21 May.
    case("two pauses", E4, "10d", H, at(2025, 5, 20, 17), pauses=TWO_PAUSES),
    case("two pauses D", E4, "10d", D, at(2025, 5, 21, 17), pauses=TWO_PAUSES),
    # Under D the total paused time is rounded up to a whole day once, not pause by pause.
    case("two one-hour pauses D", E4, "10d", D, at(2025, 5, 20, 17), pauses=HOUR_PAUSES),
    # A pause entirely inside the 30/4-1/5 holidays covers no working time.
    case("pause inside a holiday", at(2025, 4, 29, 9), "10d", H, at(2025, 5, 16, 9),
         pauses=(Pause(at(2025, 5, 1, 8), at(2025, 5, 2, 16)),)),
    # A pause that starts once the time is up cannot move the due.
    case("pause after the due", at(2025, 5, 6, 9), "1d", H, at(2025, 5, 7, 9),
         pauses=(Pause(at(2025, 5, 8, 9), at(2025, 5, 9, 9)),)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("received", "duration", "convention", "pauses", "restart", "started", "expected"), EXAMPLES
)
def test_due_dates(
    received: datetime,
    duration: str,
    convention: Convention,
    pauses: tuple[Pause, ...],
    restart: bool,
    started: datetime,
    expected: datetime,
) -> None:
    deadline = due(received, duration, convention, pauses, restart=restart)
    assert deadline.started_at == started
    assert deadline.due_at == expected
    assert deadline.due_at.tzinfo == VN_TZ


def used(until: datetime, pauses: tuple[Pause, ...] = E4_PAUSE) -> int:
    """Working minutes used by E4's dossier by `until`."""
    return working_time_used(calendar=CALENDAR, started_at=E4, until=until, pauses=pauses)


def test_e4_used_and_paused_time() -> None:
    assert used(at(2025, 5, 7, 14)) == 19 * 60  # 6 h + 8 h + 5 h before the request
    assert used(at(2025, 5, 19, 9)) == 19 * 60  # nothing more while paused
    assert used(at(2025, 5, 28, 16)) == 10 * 8 * 60  # the whole limit at the new due
    assert used(at(2025, 5, 1, 9), pauses=()) == 0  # before the start
    assert due(E4, "10d", H, E4_PAUSE).paused_minutes == 61 * 60


def test_a_pause_still_running_at_now_gives_a_provisional_due() -> None:
    deadline = due(at(2025, 5, 5, 9), "10d", H, E4_PAUSE, now=at(2025, 5, 12, 7))
    # Paused 3 h on 7 May and 16 h on 8-9 May so far: 19 May 09:00 + 19 h.
    assert deadline.provisional
    assert deadline.paused_minutes == 19 * 60
    assert deadline.due_at == at(2025, 5, 21, 14)
    assert deadline.explanation[-2].kind != LineKind.PAUSE  # weekends line, then due
    assert any(line.kind == LineKind.PAUSE_RUNNING for line in deadline.explanation)


def test_restart_with_the_supplement_pending_waits_like_a_pause() -> None:
    deadline = due(at(2025, 5, 5, 9), "10d", H, E4_PAUSE, restart=True, now=at(2025, 5, 12, 7))
    assert deadline.provisional
    assert not deadline.restarted
    assert deadline.due_at == at(2025, 5, 21, 14)


# ---------------------------------------------------------------------------------------------
# Explanations


def test_e1_explanation_in_vietnamese() -> None:
    text = due(at(2025, 4, 24, 10), "3d").explain("vi")
    assert text[0] == (
        "Tiếp nhận lúc 10:00 thứ Năm 24/04/2025; thời hạn 3 ngày làm việc, "
        "tính theo giờ làm việc (mỗi ngày 8 giờ)."
    )
    assert text[1].startswith("Thứ Bảy 26/04/2025 là ngày làm việc bù (")
    assert text[1].endswith("), được tính.")
    assert "Bỏ qua 1 ngày nghỉ cuối tuần." in text
    assert text[-1] == "Hẹn trả: 10:00 thứ Hai 28/04/2025."


def test_e1_explanation_in_english() -> None:
    text = due(at(2025, 4, 24, 10), "3d").explain("en")
    assert text[0].startswith("Received at 10:00 on Thursday 24 April 2025; time limit 3")
    assert text[1].startswith("Saturday 26 April 2025 is a make-up working day")
    assert text[-1] == "Due: 10:00 on Monday 28 April 2025."


def test_e2_lists_each_holiday_and_counts_the_weekends() -> None:
    text = due(at(2025, 4, 29, 15, 30), "10d").explain()
    assert text[1:4] == [
        "Thứ Tư 30/04/2025 nghỉ: Ngày Chiến thắng — không tính.",
        "Thứ Năm 01/05/2025 nghỉ: Ngày Quốc tế Lao động — không tính.",
        "Thứ Sáu 02/05/2025 nghỉ: Ngày nghỉ (thay cho ngày 26/04/2025) — không tính.",
    ]
    assert text[4] == "Bỏ qua 4 ngày nghỉ cuối tuần."
    assert text[5] == "Hẹn trả: 15:30 thứ Sáu 16/05/2025."


def test_e3_explains_the_late_start() -> None:
    text = due(at(2026, 2, 14, 20), "5d").explain()
    assert (
        text[1]
        == "Hồ sơ nhận ngoài giờ làm việc: thời hạn bắt đầu tính từ 07:00 thứ Hai 23/02/2026."
    )
    assert due(at(2026, 2, 14, 20), "5d", D).explain()[1].endswith("(ngày này không tính).")


def test_e4_explains_the_pause_and_the_restart() -> None:
    paused = due(at(2025, 5, 5, 9), "10d", H, E4_PAUSE).explain()
    assert (
        "Tạm dừng từ 14:00 thứ Tư 07/05/2025 đến 09:00 thứ Hai 19/05/2025 để bổ sung hồ sơ: "
        "lùi hạn 61 giờ làm việc." in paused
    )
    restarted = due(at(2025, 5, 5, 9), "10d", D, E4_PAUSE, restart=True)
    assert restarted.restarted
    assert any(
        line.startswith(
            "Nhận hồ sơ bổ sung lúc 09:00 thứ Hai 19/05/2025: thời hạn "
            "10 ngày làm việc được tính lại từ đầu"
        )
        for line in restarted.explain()
    )


def test_a_pause_without_working_time_says_the_due_stays() -> None:
    text = due(
        at(2025, 4, 29, 9), "10d", H, (Pause(at(2025, 5, 1, 8), at(2025, 5, 2, 16)),)
    ).explain()
    assert any(line.endswith("không trùng giờ làm việc nào nên hạn giữ nguyên.") for line in text)


def test_explanations_of_d_counting_and_hour_limits() -> None:
    assert "không tính ngày tiếp nhận" in due(at(2025, 4, 24, 10), "3d", D).explain()[0]
    hours = due(at(2025, 5, 13, 15), "16h", D)
    assert hours.convention == H
    assert "16 giờ làm việc" in hours.explain()[0]
    assert [line.kind for line in hours.explanation][:2] == [
        LineKind.RECEIVED,
        LineKind.HOURS_UNDER_DAYS,
    ]


def test_explanation_parameters_are_plain_json() -> None:
    deadline = due(at(2025, 5, 5, 9), "10d", D, E4_PAUSE, restart=True)
    json.dumps([line.params for line in deadline.explanation])
    assert render_all(deadline.explanation, "en")[-1] == "Due: 17:00 on Monday 2 June 2025."


def test_special_days_are_listed_only_between_start_and_due() -> None:
    lines = due(at(2025, 12, 31, 9), "5d", D).explanation
    days = [line.day for line in lines if line.kind == LineKind.CLOSED_DAY]
    assert days == [date(2026, 1, 1), date(2026, 1, 2)]


# ---------------------------------------------------------------------------------------------
# Durations and bad input


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("3d", 3, DurationUnit.WORKING_DAYS),
        ("16h", 16, DurationUnit.WORKING_HOURS),
        ("3", 3, DurationUnit.WORKING_DAYS),
        (" 5D ", 5, DurationUnit.WORKING_DAYS),
    ],
)
def test_duration_parse(text: str, value: int, unit: DurationUnit) -> None:
    assert Duration.parse(text) == Duration(value, unit)


@pytest.mark.parametrize("text", ["0", "0d", "-3", "-2h"])
def test_duration_must_be_positive(text: str) -> None:
    with pytest.raises(ValueError, match="duration must be positive"):
        Duration.parse(text)


def test_duration_text_must_be_understood() -> None:
    with pytest.raises(ValueError, match="not understood"):
        Duration.parse("three days")


def test_naive_receipt_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        due(datetime(2025, 5, 5, 9), "3d")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        due(at(2025, 5, 5, 9), "10d", now=datetime(2025, 5, 6, 9))


def test_pauses_given_in_utc_are_explained_in_site_time() -> None:
    utc_pause = Pause(datetime(2025, 5, 7, 7, tzinfo=UTC), datetime(2025, 5, 19, 2, tzinfo=UTC))
    deadline = due(E4, "10d", H, (utc_pause,))
    assert deadline.due_at == at(2025, 5, 28, 16)
    assert any(
        "Tạm dừng từ 14:00 thứ Tư 07/05/2025 đến 09:00" in line for line in deadline.explain()
    )


def test_naive_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        Pause(datetime(2025, 5, 7, 14), at(2025, 5, 19, 9))


def test_pause_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        Pause(at(2025, 5, 7, 14), at(2025, 5, 7, 14))


@pytest.mark.parametrize(
    "pauses",
    [
        pytest.param(
            (
                Pause(at(2025, 5, 6, 9), at(2025, 5, 8, 9)),
                Pause(at(2025, 5, 7, 9), at(2025, 5, 9, 9)),
            ),
            id="overlapping",
        ),
        pytest.param(
            (
                Pause(at(2025, 5, 8, 9), at(2025, 5, 9, 9)),
                Pause(at(2025, 5, 6, 9), at(2025, 5, 7, 9)),
            ),
            id="out of order",
        ),
        pytest.param((Pause(at(2025, 5, 5, 8), at(2025, 5, 6, 9)),), id="before the start"),
    ],
)
def test_pauses_must_be_ordered_and_after_the_start(pauses: tuple[Pause, ...]) -> None:
    with pytest.raises(ValueError, match="pauses must be in order"):
        due(at(2025, 5, 5, 9), "10d", H, pauses)


def test_pause_before_an_after_hours_start_is_refused() -> None:
    # Received Saturday evening during Tết: the clock starts Monday 23 February.
    with pytest.raises(ValueError, match="before the clock started"):
        due(at(2026, 2, 14, 20), "5d", H, (Pause(at(2026, 2, 15, 9), at(2026, 2, 24, 9)),))


def test_pause_starting_after_now_is_refused() -> None:
    with pytest.raises(ValueError, match="not before now"):
        due(at(2025, 5, 5, 9), "10d", H, E4_PAUSE, now=at(2025, 5, 6, 9))
