"""How fast is the legal clock? Run: .venv/bin/python benchmarks/deadlines.py

Builds the calendar once, then times due-date computations with plain `perf_counter` loops
(about one second per case). The last two rows show that adding a year of working days
costs about the same as adding three: counting is arithmetic, not a walk over days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime

from motcua.workflow.calendar import VN_TZ, WorkingCalendar
from motcua.workflow.deadlines import Convention, Duration, Pause, compute_due

SECONDS_PER_CASE = 1.0


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def rate(action: Callable[[], object]) -> float:
    """Calls per second of `action`, measured for about SECONDS_PER_CASE."""
    calls, started = 0, time.perf_counter()
    deadline = started + SECONDS_PER_CASE
    while (now := time.perf_counter()) < deadline:
        for _ in range(100):
            action()
        calls += 100
    return calls / (now - started)


def cases(calendar: WorkingCalendar) -> list[tuple[str, Callable[[], object]]]:
    received = at(2025, 4, 24, 10)
    pauses = (
        Pause(at(2025, 4, 25, 9), at(2025, 4, 29, 9)),
        Pause(at(2025, 5, 5, 14), at(2025, 5, 7, 10)),
    )

    def due(
        duration: str,
        convention: Convention = Convention.HOURS,
        with_pauses: tuple[Pause, ...] = (),
    ) -> Callable[[], object]:
        return lambda: compute_due(
            calendar=calendar,
            received_at=received,
            duration=Duration.parse(duration),
            convention=convention,
            pauses=with_pauses,
        )

    return [
        ("compute_due 3 working days (H)", due("3d")),
        ("compute_due 3 working days (D)", due("3d", Convention.DAYS)),
        ("compute_due 250 working days (H)", due("250d")),
        ("compute_due 10 days, two pauses (H)", due("10d", with_pauses=pauses)),
        (
            "add_working_minutes 3 days (no explanation)",
            lambda: calendar.add_working_minutes(received, 3 * 480),
        ),
        (
            "add_working_minutes 250 days (no explanation)",
            lambda: calendar.add_working_minutes(received, 250 * 480),
        ),
        ("add_working_days 3", lambda: calendar.add_working_days(date(2025, 4, 24), 3)),
        ("add_working_days 250", lambda: calendar.add_working_days(date(2025, 4, 24), 250)),
    ]


def main() -> None:
    started = time.perf_counter()
    calendar = WorkingCalendar.for_vietnam()
    print(f"calendar built once in {time.perf_counter() - started:.2f} s\n")
    print(f"{'case':<46} {'per second':>12} {'µs each':>10}")
    rates: dict[str, float] = {}
    for name, action in cases(calendar):
        rates[name] = rate(action)
        print(f"{name:<46} {rates[name]:>12,.0f} {1e6 / rates[name]:>10.1f}")
    ratio = rates["add_working_days 3"] / rates["add_working_days 250"]
    print(f"\nadd_working_days: 250 days cost {ratio:.1f}× 3 days (arithmetic, no day walk).")
    print("compute_due for a year also lists each holiday in its explanation (~15 lines).")


if __name__ == "__main__":
    main()
