"""Properties of the legal clock that hold for every receipt instant, limit and pause
(hypothesis; dates 2024-2027, limits up to 400 units)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workflow.calendar import VN_TZ, WorkingCalendar
from motcua.workflow.deadlines import Convention, Duration, DurationUnit, Pause, compute_due

CALENDAR = WorkingCalendar.for_vietnam()
FAST = settings(max_examples=150, deadline=None)

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31, 23, 59)
).map(lambda moment: moment.replace(second=0, microsecond=0, tzinfo=VN_TZ))
durations = st.builds(Duration, st.integers(1, 400), st.sampled_from(list(DurationUnit)))
conventions = st.sampled_from(list(Convention))


def in_session(moment: datetime) -> bool:
    clock = moment.timetz().replace(tzinfo=None)
    return any(s.start <= clock <= s.end for s in CALENDAR.sessions)


@FAST
@given(
    received=instants,
    value=st.integers(1, 399),
    convention=conventions,
    unit=st.sampled_from(list(DurationUnit)),
)
def test_due_is_monotone_in_the_duration(
    received: datetime, value: int, convention: Convention, unit: DurationUnit
) -> None:
    shorter = compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=Duration(value, unit),
        convention=convention,
    )
    longer = compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=Duration(value + 1, unit),
        convention=convention,
    )
    assert shorter.due_at < longer.due_at


@FAST
@given(received=instants, duration=durations, convention=conventions)
def test_due_is_a_working_instant(
    received: datetime, duration: Duration, convention: Convention
) -> None:
    deadline = compute_due(
        calendar=CALENDAR, received_at=received, duration=duration, convention=convention
    )
    assert CALENDAR.is_working_day(deadline.due_at.date())
    assert in_session(deadline.due_at)
    assert deadline.due_at > deadline.started_at >= received


@FAST
@given(received=instants, value=st.integers(1, 400))
def test_d_convention_ends_at_the_close_of_a_working_day(received: datetime, value: int) -> None:
    deadline = compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=Duration(value),
        convention=Convention.DAYS,
    )
    assert deadline.due_at == CALENDAR.day_end(deadline.due_at.date())
    assert (
        CALENDAR.working_days_between(deadline.started_at.date(), deadline.due_at.date()) == value
    )


@FAST
@given(
    received=instants,
    duration=durations,
    convention=conventions,
    offset=st.integers(0, 60 * 24 * 60),
    length=st.integers(1, 60 * 24 * 30),
    restart=st.booleans(),
)
def test_pauses_never_make_the_due_earlier(
    received: datetime,
    duration: Duration,
    convention: Convention,
    offset: int,
    length: int,
    restart: bool,
) -> None:
    plain = compute_due(
        calendar=CALENDAR, received_at=received, duration=duration, convention=convention
    )
    start = plain.started_at + timedelta(minutes=offset)
    pause = Pause(start, start + timedelta(minutes=length))
    paused = compute_due(
        calendar=CALENDAR,
        received_at=received,
        duration=duration,
        convention=convention,
        pauses=(pause,),
        restart=restart,
    )
    assert paused.due_at >= plain.due_at
    if not restart and pause.start < plain.due_at:
        assert paused.paused_minutes == CALENDAR.working_minutes_between(pause.start, pause.end)


@FAST
@given(moment=instants, minutes=st.integers(0, 400 * 480))
def test_working_minutes_undo_add_working_minutes(moment: datetime, minutes: int) -> None:
    start = CALENDAR.next_working_instant(moment)
    end = CALENDAR.add_working_minutes(start, minutes)
    assert CALENDAR.working_minutes_between(start, end) == minutes
    if minutes:
        assert CALENDAR.is_working_instant(end)


@FAST
@given(first=instants, second=instants)
def test_working_minutes_are_additive(first: datetime, second: datetime) -> None:
    low, high = sorted((first, second))
    middle = low + (high - low) / 2
    assert CALENDAR.working_minutes_between(low, high) == (
        CALENDAR.working_minutes_between(low, middle)
        + CALENDAR.working_minutes_between(middle, high)
    )
