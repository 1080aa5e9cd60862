"""The working calendar (lịch làm việc) of the Vietnamese public sector, docs/domain/legal-clock.md.

Terms used throughout:

- *working day* (ngày làm việc): Monday-Friday, unless a holiday or a swap closes it, plus
  any Saturday or Sunday that a swap makes a worked day.
- *session* (buổi làm việc): a morning or afternoon opening period; the *day length* is the
  sum of the session lengths, in minutes (480 = 8 hours with the default sessions).
- *working instant*: a moment inside a session (start and end included) of a working day.
- *working minutes*: minutes of session time of working days; the legal clock runs on them.

Instants have minute precision: the receipt slip records "giờ… phút" and nothing finer, so
seconds are dropped wherever a datetime enters a working-time computation. Every public
function takes timezone-aware datetimes and raises `ValueError` on a naive one; results are
in the calendar's site zone.

Counting is arithmetic, never a walk over days: weekdays between two dates come from whole
weeks, then sorted lists of exception dates (closed weekdays, worked weekend days) correct
the count through `bisect`. Everything is O(log n) in the number of exceptions and days.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""The site zone (UTC+7 all year, no daylight saving)."""

OVERRIDES_FILE = Path(__file__).parent / "data" / "vn_calendar_overrides.json"
WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
SATURDAY = 5


def as_site_time(value: datetime, tz: tzinfo = VN_TZ) -> datetime:
    """`value` converted to the site zone `tz`; a naive datetime is refused with ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive datetime {value.isoformat()} given: pass a timezone-aware datetime "
            "(e.g. with tzinfo=ZoneInfo('Asia/Ho_Chi_Minh'))"
        )
    return value.astimezone(tz)


# ---------------------------------------------------------------------------------------------
# Sessions


@dataclass(frozen=True)
class Session:
    """One opening period of a working day (buổi làm việc), `start` < `end`, minute precision."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.tzinfo is not None or moment.second or moment.microsecond:
                raise ValueError(f"session times are naive whole minutes, got {moment}")
        if self.start >= self.end:
            raise ValueError(f"session must start before it ends: {self.start}-{self.end}")

    @property
    def span(self) -> tuple[int, int]:
        """(start, end) as minutes since midnight."""
        return _minute_of_time(self.start), _minute_of_time(self.end)

    @property
    def minutes(self) -> int:
        """Length of the session in minutes."""
        start, end = self.span
        return end - start


DEFAULT_SESSIONS = (Session(time(7, 0), time(11, 30)), Session(time(13, 30), time(17, 0)))
"""07:00-11:30 and 13:30-17:00: 8 working hours a day (docs/domain/legal-clock.md#sessions)."""

_SESSION_TEXT = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_sessions(text: str) -> tuple[Session, ...]:
    """Sessions from text such as "07:00-11:30,13:30-17:00"; ValueError when malformed."""
    sessions = tuple(_parse_session(part.strip()) for part in text.split(","))
    check_sessions(sessions)
    return sessions


def _parse_session(text: str) -> Session:
    match = _SESSION_TEXT.match(text)
    if not match:
        raise ValueError(f"session {text!r} is not of the form HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    try:
        return Session(time(h1, m1), time(h2, m2))
    except ValueError as error:
        raise ValueError(f"session {text!r}: {error}") from error


def check_sessions(sessions: tuple[Session, ...]) -> None:
    """Refuse an empty, unordered or overlapping list of sessions (touching is allowed)."""
    if not sessions:
        raise ValueError("a working day needs at least one session")
    for before, after in pairwise(sessions):
        if after.start < before.end:
            raise ValueError(f"sessions must be ordered and not overlap: {before} then {after}")


def _minute_of_time(moment: time) -> int:
    return moment.hour * 60 + moment.minute


# ---------------------------------------------------------------------------------------------
# Exceptions to the weekly pattern


class DayKind(StrEnum):
    """Why a date departs from the Monday-Friday pattern."""

    HOLIDAY = "holiday"  # ngày nghỉ lễ, Tết
    COMPENSATORY_DAY_OFF = "compensatory_day_off"  # nghỉ bù: a holiday fell on a rest day
    SWAPPED_DAY_OFF = "swapped_day_off"  # nghỉ hoán đổi: off, worked back on a weekend day
    CLOSURE = "closure"  # local decision to close (storm, flood, …)
    SWAPPED_WORKING_DAY = "swapped_working_day"  # làm bù: a Saturday or Sunday that is worked
    WORKING_DAY = "working_day"  # cancels a holiday the `holidays` library lists but not in force


CLOSING_KINDS = frozenset(
    {DayKind.HOLIDAY, DayKind.COMPENSATORY_DAY_OFF, DayKind.SWAPPED_DAY_OFF, DayKind.CLOSURE}
)


@dataclass(frozen=True)
class DayOverride:
    """A date whose status is decided by data rather than by the weekly pattern.

    `reason` is shown to citizens in explanations; `legal_basis` names the document (công
    văn, thông báo) that decided it, empty when unknown.
    """

    day: date
    kind: DayKind
    reason: str
    legal_basis: str = ""

    def __post_init__(self) -> None:
        # A worked weekday is already worked: such a row is almost surely a wrong date.
        if self.kind == DayKind.SWAPPED_WORKING_DAY and self.day.weekday() < SATURDAY:
            raise ValueError(
                f"{self.day:%d/%m/%Y} is a weekday: a swapped working day must be a "
                "Saturday or a Sunday"
            )


@dataclass(frozen=True)
class SpecialDay:
    """A day that departs from an ordinary working day, for explanations.

    `kind` is None for an ordinary weekly rest day (Saturday or Sunday); `label` says why
    the day is special, in Vietnamese.
    """

    day: date
    kind: DayKind | None
    label: str
    is_working: bool


def load_shipped_overrides() -> list[DayOverride]:
    """The public-sector swaps and corrections shipped with motcua (data/…overrides.json)."""
    rows = json.loads(OVERRIDES_FILE.read_text(encoding="utf-8"))
    return [
        DayOverride(
            day=date.fromisoformat(row["date"]),
            kind=DayKind(row["kind"]),
            reason=row["reason"],
            legal_basis=row.get("legal_basis", ""),
        )
        for row in rows
    ]


def _library_kind(name: str) -> DayKind:
    """Classify a `holidays` entry by its Vietnamese name."""
    if "thay cho ngày" in name:
        return DayKind.SWAPPED_DAY_OFF
    if "nghỉ bù" in name:
        return DayKind.COMPENSATORY_DAY_OFF
    return DayKind.HOLIDAY


def vietnam_library_holidays(years: range) -> dict[date, str]:
    """Public holidays of `holidays` for Vietnam in `years`, with their Vietnamese names."""
    table = holidays.country_holidays("VN", years=years, language="vi")
    return dict(table.items())


_SWAPPED_FROM = re.compile(r"thay cho ngày (\d{2}/\d{2}/\d{4})")


def implied_working_days(library: Mapping[date, str]) -> list[DayOverride]:
    """The weekend days worked in exchange for the library's swapped days off.

    The library names a swapped day off "Ngày nghỉ (thay cho ngày 04/05/2024)" but does not
    list that Saturday as worked; without it the calendar would lose a working day.
    """
    implied = []
    for day_off, name in sorted(library.items()):
        match = _SWAPPED_FROM.search(name)
        worked = datetime.strptime(match[1], "%d/%m/%Y").date() if match else None
        if worked is None or worked.weekday() < SATURDAY:
            continue  # a weekday is worked anyway
        reason = f"Làm bù cho ngày nghỉ {day_off:%d/%m/%Y}"
        implied.append(DayOverride(worked, DayKind.SWAPPED_WORKING_DAY, reason))
    return implied


# ---------------------------------------------------------------------------------------------
# Weekday arithmetic on proleptic ordinals (ordinal 1 = Monday 1 January of year 1)


def _weekdays_before(ordinal: int) -> int:
    """Number of Mondays-Fridays among the ordinals 1 … ordinal - 1."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def _weekdays_in(first: date, last: date) -> int:
    """Number of Mondays-Fridays from `first` to `last`, both included (0 if last < first)."""
    return max(0, _weekdays_before(last.toordinal() + 1) - _weekdays_before(first.toordinal()))


def _weekend_days(first: date, last: date) -> list[date]:
    """Saturdays and Sundays from `first` to `last`, both included, in order."""
    saturday = first - timedelta(days=(first.weekday() - SATURDAY) % 7)  # on or before first
    weeks = range((last - first).days // 7 + 2)
    found = (saturday + timedelta(weeks=week, days=offset) for week in weeks for offset in (0, 1))
    return [day for day in found if first <= day <= last]


@dataclass(frozen=True)
class _DayStatus:
    kind: DayKind
    reason: str
    legal_basis: str


# ---------------------------------------------------------------------------------------------
# The calendar


class WorkingCalendar:
    """Working days and working time of one site; immutable once built.

    Built from named special dates (statutory holidays, usually from `holidays`) and overrides;
    an override wins over a holiday, and a later override for the same date wins over an
    earlier one. Outside the dates covered by that data, only Saturday and Sunday are rest
    days (`WorkingCalendar.for_vietnam` covers 2015-2040 by default).
    """

    def __init__(
        self,
        *,
        holidays_by_date: Mapping[date, str] = MappingProxyType({}),
        overrides: Iterable[DayOverride] = (),
        sessions: tuple[Session, ...] = DEFAULT_SESSIONS,
        tz: tzinfo = VN_TZ,
    ) -> None:
        check_sessions(sessions)
        self._sessions = tuple(sessions)
        self._spans = tuple(session.span for session in sessions)
        self._day_minutes = sum(session.minutes for session in sessions)
        self._tz = tz
        statuses = {
            day: _DayStatus(_library_kind(name), name, "") for day, name in holidays_by_date.items()
        }
        for override in overrides:
            statuses[override.day] = _DayStatus(
                override.kind, override.reason, override.legal_basis
            )
        self._statuses = MappingProxyType(statuses)
        dates = sorted(statuses)
        # Only a closed weekday or a worked weekend day changes a weekday count.
        self._closed = tuple(
            d.toordinal() for d in dates if d.weekday() < SATURDAY and not self.is_working_day(d)
        )
        self._worked = tuple(
            d.toordinal() for d in dates if d.weekday() >= SATURDAY and self.is_working_day(d)
        )
        # Sorted once so that explanations slice them instead of testing each day.
        self._specials = tuple(e for e in map(self._as_special, dates) if e is not None)
        self._special_dates = tuple(entry.day for entry in self._specials)
        self._special_weekends = tuple(
            entry.day.toordinal() for entry in self._specials if entry.day.weekday() >= SATURDAY
        )

    @classmethod
    def for_vietnam(
        cls,
        *,
        overrides: Iterable[DayOverride] = (),
        sessions: tuple[Session, ...] = DEFAULT_SESSIONS,
        tz: tzinfo = VN_TZ,
        years: range = range(2015, 2041),
        include_shipped: bool = True,
    ) -> WorkingCalendar:
        """The Vietnamese public-sector calendar for `years`.

        Layers, later wins: the `holidays` library's public holidays and the weekend days
        its swaps imply are worked (`implied_working_days`), the shipped overrides
        (`load_shipped_overrides`, unless `include_shipped` is false), then `overrides`
        (the site's own data).
        """
        library = vietnam_library_holidays(years)
        shipped = load_shipped_overrides() if include_shipped else []
        return cls(
            holidays_by_date=library,
            overrides=[*implied_working_days(library), *shipped, *overrides],
            sessions=sessions,
            tz=tz,
        )

    # -- configuration ---------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The site zone; results are expressed in it."""
        return self._tz

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The sessions of every working day, in order."""
        return self._sessions

    @property
    def day_minutes(self) -> int:
        """Day length: working minutes in one working day (sum of the sessions)."""
        return self._day_minutes

    def localize(self, value: datetime) -> datetime:
        """`value` in the site zone; ValueError if naive."""
        return as_site_time(value, self._tz)

    # -- days --------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True if `day` is a working day (ngày làm việc)."""
        status = self._statuses.get(day)
        if status is None or status.kind == DayKind.WORKING_DAY:
            return day.weekday() < SATURDAY
        return status.kind == DayKind.SWAPPED_WORKING_DAY

    def day_kind(self, day: date) -> DayKind | None:
        """The exception recorded for `day`, None when the weekly pattern applies."""
        status = self._statuses.get(day)
        return status.kind if status else None

    def day_label(self, day: date) -> str | None:
        """Why `day` is special: holiday name or swap reason, else "Thứ Bảy"/"Chủ Nhật"."""
        status = self._statuses.get(day)
        if status is not None:
            return status.reason
        if day.weekday() >= SATURDAY:
            return WEEKDAY_NAMES_VI[day.weekday()]
        return None

    def legal_basis(self, day: date) -> str:
        """The document that decided `day`'s exception, "" if none is known."""
        status = self._statuses.get(day)
        return status.legal_basis if status else ""

    def _working_days_through(self, ordinal: int) -> int:
        """Working days with an ordinal ≤ `ordinal`, counted from year 1 (a running total)."""
        return (
            _weekdays_before(ordinal + 1)
            - bisect_right(self._closed, ordinal)
            + bisect_right(self._worked, ordinal)
        )

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d ≤ end; negative when end is before start."""
        return self._working_days_through(end.toordinal()) - self._working_days_through(
            start.toordinal()
        )

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself for 0); count ≥ 0.

        Binary search over ordinals for the first date whose running total of working days
        reaches the target: O(log count × log exceptions).
        """
        if count < 0:
            raise ValueError(f"count of working days must be ≥ 0, got {count}")
        if count == 0:
            return day
        origin = day.toordinal()
        target = self._working_days_through(origin) + count
        reach = 2 * count + 14  # past any realistic run of closed days; doubled if not
        while self._working_days_through(origin + reach) < target:
            reach *= 2
        return date.fromordinal(self._first_reaching(target, origin + 1, origin + reach))

    def _first_reaching(self, target: int, low: int, high: int) -> int:
        """The smallest ordinal in [low, high] whose running total reaches `target` (binary
        search; the running total never decreases, and reaches it at `high`)."""
        while low < high:
            middle = (low + high) // 2
            if self._working_days_through(middle) >= target:
                high = middle
            else:
                low = middle + 1
        return low

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    def first_working_day_from(self, day: date) -> date:
        """`day` if it is a working day, else the next one."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def special_days_between(
        self, first: date, last: date, *, include_weekends: bool = True
    ) -> list[SpecialDay]:
        """Non-working days and worked weekend days from `first` to `last`, both included.

        Exceptions come from the sorted exception table by bisect; ordinary weekends are
        listed too unless `include_weekends` is false (then count them with
        `ordinary_weekend_days_between`).
        """
        found = {entry.day: entry for entry in self._exceptions_between(first, last)}
        if include_weekends:
            for day in _weekend_days(first, last):
                found.setdefault(
                    day, SpecialDay(day, None, WEEKDAY_NAMES_VI[day.weekday()], is_working=False)
                )
        return [found[day] for day in sorted(found)]

    def ordinary_weekend_days_between(self, first: date, last: date) -> int:
        """Saturdays and Sundays from `first` to `last` that no exception concerns."""
        if last < first:
            return 0
        weekend = (last - first).days + 1 - _weekdays_in(first, last)
        special = bisect_right(self._special_weekends, last.toordinal()) - bisect_left(
            self._special_weekends, first.toordinal()
        )
        return weekend - special

    def _exceptions_between(self, first: date, last: date) -> list[SpecialDay]:
        low = bisect_left(self._special_dates, first)
        high = bisect_right(self._special_dates, last)
        return list(self._specials[low:high])

    def _as_special(self, day: date) -> SpecialDay | None:
        """The exception on `day` as a SpecialDay, None if it leaves the day ordinary."""
        status = self._statuses[day]
        working = self.is_working_day(day)
        if status.kind == DayKind.WORKING_DAY or (working and day.weekday() < SATURDAY):
            return None
        return SpecialDay(day, status.kind, status.reason, is_working=working)

    # -- instants ---------------------------------------------------------------------------

    def _split(self, value: datetime) -> tuple[date, int]:
        """(site-zone date, minute of the day) of an aware datetime, seconds dropped."""
        local = self.localize(value)
        return local.date(), local.hour * 60 + local.minute

    def _at(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._tz)

    def _elapsed(self, minute: int) -> int:
        """Working minutes of a working day that lie before `minute` of that day."""
        return sum(min(max(minute, start), end) - start for start, end in self._spans)

    def _at_position(self, day: date, position: int) -> datetime:
        """The earliest instant of `day` after `position` working minutes (0 < position ≤
        day length). A position that ends a session gives the session end (11:30, 17:00)."""
        for start, end in self._spans:
            if position <= end - start:
                return self._at(day, start + position)
            position -= end - start
        raise ValueError(f"position {position} is past the end of the working day")

    def day_start(self, day: date) -> datetime:
        """Start of the first session of `day`."""
        return self._at(day, self._spans[0][0])

    def day_end(self, day: date) -> datetime:
        """End of the last session of `day` (17:00 by default)."""
        return self._at(day, self._spans[-1][1])

    def session_containing(self, value: datetime) -> Session | None:
        """The session whose [start, end] contains the time of day of `value`, if any.

        An instant exactly at a session end belongs to that session. The day itself is not
        checked: see `is_working_instant`.
        """
        _, minute = self._split(value)
        for session, (start, end) in zip(self._sessions, self._spans, strict=True):
            if start <= minute <= end:
                return session
        return None

    def is_working_instant(self, value: datetime) -> bool:
        """True if `value` is inside a session (ends included) of a working day."""
        day, _ = self._split(value)
        return self.is_working_day(day) and self.session_containing(value) is not None

    def next_working_instant(self, value: datetime) -> datetime:
        """`value` (to the minute) if inside a session of a working day, else the next start
        of a session. A session end is not a start: 17:00 moves to the next day's 07:00."""
        day, minute = self._split(value)
        if self.is_working_day(day):
            for start, end in self._spans:
                if minute < end:
                    return self._at(day, max(minute, start))
        return self.day_start(self.next_working_day(day))

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes from `start` to `end` (negative if end is earlier).

        Whole working days in between count one day length each (via `working_days_between`),
        plus the partial first and last days.
        """
        first_day, first_minute = self._split(start)
        last_day, last_minute = self._split(end)
        if (last_day, last_minute) < (first_day, first_minute):
            return -self.working_minutes_between(end, start)
        if first_day == last_day:
            if not self.is_working_day(first_day):
                return 0
            return self._elapsed(last_minute) - self._elapsed(first_minute)
        first = self.day_minutes - self._elapsed(first_minute)
        last = self._elapsed(last_minute)
        whole = self.working_days_between(first_day, last_day - timedelta(days=1))
        return (
            (first if self.is_working_day(first_day) else 0)
            + whole * self.day_minutes
            + (last if self.is_working_day(last_day) else 0)
        )

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant at which `minutes` working minutes have passed since `start`.

        Lands on the earliest such instant: a result that ends a session stays there (17:00),
        it never rolls to the next 07:00. Adding 0 returns `start` (to the minute).
        """
        if minutes < 0:
            raise ValueError(f"working minutes must be ≥ 0, got {minutes}")
        day, minute = self._split(start)
        if minutes == 0:
            return self._at(day, minute)
        used = self._elapsed(minute) if self.is_working_day(day) else self.day_minutes
        if minutes <= self.day_minutes - used:
            return self._at_position(day, used + minutes)
        rest = minutes - (self.day_minutes - used)
        days_ahead = -(-rest // self.day_minutes)  # ceiling division
        target = self.add_working_days(day, days_ahead)
        return self._at_position(target, rest - (days_ahead - 1) * self.day_minutes)
