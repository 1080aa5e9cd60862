"""Plain-language explanation (diễn giải) of how a due date was computed.

A computation produces `ExplanationLine`s: a `kind` (one of `LineKind`), the date it is
about, and parameters that are plain JSON values (str, int, bool; instants as ISO 8601 text
in the site zone), so the lines can be stored and rendered later in Vietnamese or English
with `render` / `render_all`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

Param = str | int | bool
Lang = Literal["vi", "en"]

WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ Nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class LineKind(StrEnum):
    """What an explanation line says."""

    RECEIVED = "received"  # receipt instant, time limit and counting method
    STARTED_LATE = "started_late"  # received outside working time: where the clock starts
    HOURS_UNDER_DAYS = "hours_under_days"  # a limit in hours is added in hours
    WORKED_DAY = "worked_day"  # a weekend day that is worked and counts
    CLOSED_DAY = "closed_day"  # a holiday, day off or closure that does not count
    WEEKENDS = "weekends"  # how many ordinary weekend days were skipped
    PAUSE = "pause"  # a supplement request and its receipt moved the due
    PAUSE_RUNNING = "pause_running"  # still waiting for the supplement at computation time
    PAUSE_AFTER_DUE = "pause_after_due"  # a pause that began once the time was already up
    RESTART = "restart"  # the full limit counts again from the supplement's receipt
    SAME_DAY = "same_day"  # a same-day procedure: received before or after the cut-off
    FIXED = "fixed"  # an appointment set by hand: apology (xin lỗi, hẹn lại) or recorded
    FIXED_SHIFTED = "fixed_shifted"  # the calendar changed: a fixed date kept its working time
    RESTART_KEPT = "restart_kept"  # a restart would end before the promised date: kept
    FLOOR = "floor"  # a new working day would shorten a promised date: kept
    CALENDAR_CHANGE = "calendar_change"  # a day changed status and moved the appointment
    PAUSED_NOW = "paused_now"  # waiting for a supplement now: the due will move
    DUE = "due"  # the due instant (hẹn trả)


@dataclass(frozen=True)
class ExplanationLine:
    """One step of a due-date explanation; see the module docstring for `params`."""

    kind: str
    day: date | None
    params: dict[str, Param] = field(default_factory=dict, hash=False)


# ---------------------------------------------------------------------------------------------
# Formatting of dates, instants and spans


def _weekday(day: date, lang: Lang, *, capital: bool = False) -> str:
    name = (WEEKDAYS_VI if lang == "vi" else WEEKDAYS_EN)[day.weekday()]
    return name[0].upper() + name[1:] if capital else name


def format_day(day: date, lang: Lang, *, capital: bool = False) -> str:
    """A date with its weekday: "thứ Năm 24/04/2025" / "Thursday 24 April 2025"."""
    if lang == "vi":
        return f"{_weekday(day, lang, capital=capital)} {day:%d/%m/%Y}"
    return f"{_weekday(day, lang)} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def format_instant(value: datetime | str, lang: Lang) -> str:
    """Clock time and day: "10:00 thứ Hai 28/04/2025" / "10:00 on Monday 28 April 2025"."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    joiner = " " if lang == "vi" else " on "
    return f"{moment:%H:%M}{joiner}{format_day(moment.date(), lang)}"


def format_span(minutes: int, lang: Lang) -> str:
    """A length of working time: "61 giờ", "7 giờ 30 phút" / "61 hours", "30 minutes"."""
    hours, rest = divmod(minutes, 60)
    if lang == "vi":
        parts = [f"{hours} giờ" if hours else "", f"{rest} phút" if rest else ""]
    else:
        parts = [_plural(hours, "hour") if hours else "", _plural(rest, "minute") if rest else ""]
    return " ".join(part for part in parts if part) or ("0 phút" if lang == "vi" else "0 minutes")


def format_working_time(minutes: int, day_minutes: int, lang: Lang) -> str:
    """A length of working time in working days (of `day_minutes` each) and hours, as people
    count it: 7800 minutes of 480-minute days → "16 ngày 2 giờ làm việc" / "16 days 2 hours
    of working time". Minutes appear only when there is less than a day."""
    days, rest = divmod(abs(minutes), day_minutes) if day_minutes > 0 else (0, abs(minutes))
    hours, mins = divmod(rest, 60)
    if days:
        mins = 0
    counted = [(days, "day", "ngày"), (hours, "hour", "giờ"), (mins, "minute", "phút")]
    if lang == "vi":
        words = " ".join(f"{count} {noun}" for count, _, noun in counted if count)
        return f"{words or '0 giờ'} làm việc"
    words = " ".join(_plural(count, noun) for count, noun, _ in counted if count)
    return f"{words or '0 hours'} of working time"


def format_time_left(left: int, day_minutes: int, lang: Lang) -> str:
    """What is left before the due (`left` working minutes, negative once past it):
    "Còn 3 ngày 2 giờ làm việc" / "Quá hạn 2 ngày 3 giờ làm việc"."""
    span = format_working_time(left, day_minutes, lang)
    if left >= 0:
        return f"Còn {span}" if lang == "vi" else f"{span[0].upper()}{span[1:]} left"
    return f"Quá hạn {span}" if lang == "vi" else f"Overdue by {span}"


class Finish(StrEnum):
    """How an ended dossier's processing ended against its due."""

    EARLY = "early"  # at least an hour of working time before the due
    ON_TIME = "on_time"  # by the due, with less than an hour to spare
    LATE = "late"  # after the due instant


def finish_of(ended_at: datetime, due_at: datetime, margin: int) -> Finish:
    """`margin`: working minutes from the end to the due (negative when late)."""
    if ended_at > due_at:
        return Finish.LATE
    return Finish.EARLY if margin >= 60 else Finish.ON_TIME


def format_finish(
    ended_at: datetime, due_at: datetime, margin: int, day_minutes: int, lang: Lang
) -> str:
    """When an ended dossier ended and how that stands against its due: "Kết thúc lúc 10:00
    thứ Hai 28/04/2025, sớm hơn hẹn 2 ngày 1 giờ làm việc" / "…, đúng hạn" / "…, trễ hạn 3 giờ
    làm việc"."""
    finish = finish_of(ended_at, due_at, margin)
    at = format_instant(ended_at, lang)
    span = format_working_time(margin, day_minutes, lang)
    if lang == "vi":
        verdict = {
            Finish.EARLY: f"sớm hơn hẹn {span}",
            Finish.ON_TIME: "đúng hạn",
            Finish.LATE: f"trễ hạn {span}" if margin else "trễ hạn",
        }[finish]
        return f"Kết thúc lúc {at}, {verdict}"
    verdict = {
        Finish.EARLY: f"early by {span}",
        Finish.ON_TIME: "on time",
        Finish.LATE: f"late by {span}" if margin else "late",
    }[finish]
    return f"Ended at {at}, {verdict}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _ordinal_en(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def format_limit(value: int, unit: str, lang: Lang) -> str:
    """The legal time limit: "3 ngày làm việc" / "3 working days" (unit: working_days|hours)."""
    in_days = unit == "working_days"
    if lang == "vi":
        return f"{value} {'ngày' if in_days else 'giờ'} làm việc"
    return _plural(value, "working day" if in_days else "working hour")


# ---------------------------------------------------------------------------------------------
# One renderer per line kind; each returns the sentence in `lang`


def _received(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    limit = format_limit(int(p["value"]), str(p["unit"]), lang)
    at = format_instant(str(p["at"]), lang)
    if p["convention"] == "same_day":
        return _received_same_day(at, str(p["cutoff"]), lang)
    if p["convention"] == "days":
        return _received_days(at, limit, int(p["value"]), lang)
    hours = format_span(int(p["day_minutes"]), lang)
    if lang == "vi":
        return f"Tiếp nhận lúc {at}; thời hạn {limit}, tính theo giờ làm việc (mỗi ngày {hours})."
    return f"Received at {at}; time limit {limit}, counted in working hours ({hours} a day)."


def _received_days(at: str, limit: str, value: int, lang: Lang) -> str:
    if lang == "vi":
        return (
            f"Tiếp nhận lúc {at}; thời hạn {limit}, tính theo ngày làm việc: không tính ngày "
            f"tiếp nhận, hết hạn vào cuối ngày làm việc thứ {value}."
        )
    return (
        f"Received at {at}; time limit {limit}, counted in whole working days: the day of "
        f"receipt is not counted; the period ends at the close of the "
        f"{_ordinal_en(value)} working day."
    )


def _received_same_day(at: str, cutoff: str, lang: Lang) -> str:
    if lang == "vi":
        return (
            f"Tiếp nhận lúc {at}; thủ tục giải quyết trong ngày: hồ sơ nhận đến {cutoff} trả "
            f"kết quả trong ngày, nhận sau {cutoff} trả trong ngày làm việc tiếp theo."
        )
    return (
        f"Received at {at}; a same-day procedure: received by {cutoff}, the result is due "
        f"that day; received after {cutoff}, by the end of the next working day."
    )


def _same_day(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    at, cutoff = format_instant(str(p["at"]), lang), str(p["cutoff"])
    due = format_instant(str(p["due"]), lang)
    if lang == "vi":
        when = f"sau {cutoff}" if p["next_day"] else f"không muộn hơn {cutoff}"
        which = "ngày làm việc tiếp theo" if p["next_day"] else "ngày làm việc đó"
        return f"Thời hạn bắt đầu lúc {at}, {when}: hẹn trả vào cuối {which}, {due}."
    when = f"after {cutoff}" if p["next_day"] else f"no later than {cutoff}"
    which = "the next working day" if p["next_day"] else "that working day"
    return f"The time limit starts at {at}, {when}: due at the close of {which}, {due}."


def _fixed(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    at, due = format_instant(str(p["at"]), lang), format_instant(str(p["due"]), lang)
    previous = format_instant(str(p["previous"]), lang)
    reason = str(p.get("reason") or "")
    if p["fixed_kind"] == "recorded":
        if lang == "vi":
            return f"Ngày hẹn trả do hệ thống trước ghi khi tiếp nhận: {due} (thay cho {previous})."
        return f"The appointment the previous system recorded at receipt: {due} (not {previous})."
    if lang == "vi":
        why = f" (lý do: {reason})" if reason else ""
        return (
            f"Lúc {at} cơ quan giải quyết xin lỗi và hẹn lại{why}: ngày hẹn trả dời từ "
            f"{previous} sang {due}."
        )
    why = f" (reason: {reason})" if reason else ""
    return (
        f"At {at} the deciding agency apologised and set a new appointment{why}: moved from "
        f"{previous} to {due}."
    )


def _fixed_shifted(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    set_to, due = format_instant(str(p["set_to"]), lang), format_instant(str(p["due"]), lang)
    span = format_span(int(p["minutes"]), lang)
    if lang == "vi":
        return (
            f"Lịch làm việc thay đổi sau khi hẹn: giữ đủ {span} làm việc đã hẹn nên ngày hẹn "
            f"{set_to} chuyển thành {due}."
        )
    return (
        f"The working calendar changed after the appointment was set: keeping its {span} of "
        f"working time moves {set_to} to {due}."
    )


def _restart_kept(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    restarted, due = (format_instant(str(p[key]), lang) for key in ("restarted", "due"))
    if lang == "vi":
        return (
            f"Tính lại thời hạn từ đầu thì hạn là {restarted}, sớm hơn ngày đã hẹn cộng thời "
            f"gian tạm dừng nên giữ {due}."
        )
    return (
        f"Counting the time limit again would give {restarted}, earlier than the promised date "
        f"pushed by the pause, so {due} stands."
    )


def _floor(line: ExplanationLine, lang: Lang) -> str:
    day, at = _day(line), format_instant(str(line.params["at"]), lang)
    label = str(line.params.get("label") or "")
    if lang == "vi":
        why = f" ({label})" if label else ""
        return (
            f"{format_day(day, lang, capital=True)} được chuyển thành ngày làm việc{why} sau "
            f"khi đã hẹn: ngày hẹn {at} được giữ nguyên, không rút ngắn."
        )
    why = f" ({label})" if label else ""
    return (
        f"{format_day(day, lang)} became a working day{why} after the appointment was given: "
        f"{at} stands; a promised date is never brought forward."
    )


def _calendar_change(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    day = _day(line)
    previous, due = format_instant(str(p["previous"]), lang), format_instant(str(p["due"]), lang)
    label = str(p.get("label") or "")
    closed = bool(p["closed"])
    if lang == "vi":
        what = "ngày nghỉ" if closed else "ngày làm việc"
        why = f" ({label})" if label else ""
        return (
            f"{format_day(day, lang, capital=True)} được chuyển thành {what}{why}: ngày hẹn "
            f"trả dời từ {previous} sang {due}."
        )
    what = "a day off" if closed else "a working day"
    why = f" ({label})" if label else ""
    return (
        f"{format_day(day, lang)} became {what}{why}: the appointment moved from {previous} "
        f"to {due}."
    )


def _paused_now(line: ExplanationLine, lang: Lang) -> str:
    since = format_instant(str(line.params["since"]), lang)
    if lang == "vi":
        return (
            f"Đang tạm dừng từ {since} để chờ bổ sung hồ sơ: ngày hẹn dưới đây sẽ lùi thêm "
            "đúng thời gian chờ khi nhận được hồ sơ bổ sung."
        )
    return (
        f"Paused since {since}, waiting for the supplement: the date below moves later by the "
        "working time of the wait once the supplement arrives."
    )


def _started_late(line: ExplanationLine, lang: Lang) -> str:
    at = format_instant(str(line.params["at"]), lang)
    days = line.params.get("convention") == "days"
    if lang == "vi":
        tail = " (ngày này không tính)" if days else ""
        return f"Hồ sơ nhận ngoài giờ làm việc: thời hạn bắt đầu tính từ {at}{tail}."
    tail = " (that day is not counted)" if days else ""
    return f"Received outside working hours: the time limit starts at {at}{tail}."


def _hours_under_days(line: ExplanationLine, lang: Lang) -> str:
    if lang == "vi":
        return "Thời hạn tính bằng giờ nên được cộng theo giờ làm việc, không làm tròn theo ngày."
    return "A time limit in hours is added in working hours, not rounded to whole days."


def _worked_day(line: ExplanationLine, lang: Lang) -> str:
    day, label = _day(line), line.params["label"]
    if lang == "vi":
        return f"{format_day(day, lang, capital=True)} là ngày làm việc bù ({label}), được tính."
    return f"{format_day(day, lang)} is a make-up working day ({label}) and counts."


def _closed_day(line: ExplanationLine, lang: Lang) -> str:
    day, label = _day(line), line.params["label"]
    if lang == "vi":
        return f"{format_day(day, lang, capital=True)} nghỉ: {label} — không tính."
    return f"{format_day(day, lang)} is a day off: {label} — not counted."


def _weekends(line: ExplanationLine, lang: Lang) -> str:
    count = int(line.params["count"])
    if lang == "vi":
        return f"Bỏ qua {count} ngày nghỉ cuối tuần."
    return f"Skipped {_plural(count, 'weekend day')}."


def _pause(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    start, end = format_instant(str(p["start"]), lang), format_instant(str(p["end"]), lang)
    head = (
        f"Tạm dừng từ {start} đến {end} để bổ sung hồ sơ"
        if lang == "vi"
        else f"Paused from {start} to {end} for the dossier to be supplemented"
    )
    return head + _pause_effect(p, lang)


def _pause_effect(p: dict[str, Param], lang: Lang) -> str:
    """What a pause did to the due: moved it, nothing (no working time), or see the restart."""
    minutes = int(p["minutes"])
    span = format_span(minutes, lang)
    if p.get("restart"):
        return f" ({span} làm việc)." if lang == "vi" else f" ({span} of working time)."
    if minutes == 0:
        return (
            ": không trùng giờ làm việc nào nên hạn giữ nguyên."
            if lang == "vi"
            else ": it covers no working time, so the due stays."
        )
    if lang == "vi":
        tail = " (tính theo ngày: hạn là cuối ngày làm việc đạt được)" if p.get("whole_day") else ""
        return f": lùi hạn {span} làm việc{tail}."
    tail = " (day counting: the due is the close of the working day reached)"
    return f": the due moves {span} of working time later{tail if p.get('whole_day') else ''}."


def _pause_running(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    start, until = format_instant(str(p["start"]), lang), format_instant(str(p["end"]), lang)
    span = format_span(int(p["minutes"]), lang)
    if lang == "vi":
        return (
            f"Đang tạm dừng từ {start} để chờ bổ sung hồ sơ: tính đến {until} hạn đã lùi "
            f"{span} làm việc và còn lùi tiếp cho đến khi nhận hồ sơ bổ sung."
        )
    return (
        f"Paused since {start}, waiting for the supplement: by {until} the due has moved "
        f"{span} of working time and keeps moving until the supplement arrives."
    )


def _pause_after_due(line: ExplanationLine, lang: Lang) -> str:
    start, end = (format_instant(str(line.params[key]), lang) for key in ("start", "end"))
    if lang == "vi":
        return f"Tạm dừng từ {start} đến {end} bắt đầu sau khi đã hết hạn nên không lùi hạn."
    return f"The pause from {start} to {end} began after the time was up, so it moves nothing."


def _restart(line: ExplanationLine, lang: Lang) -> str:
    p = line.params
    at = format_instant(str(p["at"]), lang)
    limit = format_limit(int(p["value"]), str(p["unit"]), lang)
    # The clock restarts later than the receipt only when the supplement came after hours.
    since = "" if p["since"] == p["at"] else format_instant(str(p["since"]), lang)
    days = p["convention"] == "days"
    if lang == "vi":
        tail = (f" từ {since}" if since else "") + (
            " (không tính ngày nhận hồ sơ bổ sung)" if days else ""
        )
        return f"Nhận hồ sơ bổ sung lúc {at}: thời hạn {limit} được tính lại từ đầu{tail}."
    tail = (f" from {since}" if since else "") + (
        " (the day the supplement is received is not counted)" if days else ""
    )
    return f"Supplement received at {at}: the time limit of {limit} counts again in full{tail}."


def _due(line: ExplanationLine, lang: Lang) -> str:
    at = format_instant(str(line.params["at"]), lang)
    return f"Hẹn trả: {at}." if lang == "vi" else f"Due: {at}."


def _day(line: ExplanationLine) -> date:
    if line.day is None:
        raise ValueError(f"explanation line {line.kind!r} needs a day")
    return line.day


_RENDERERS: dict[str, Callable[[ExplanationLine, Lang], str]] = {
    LineKind.RECEIVED: _received,
    LineKind.STARTED_LATE: _started_late,
    LineKind.HOURS_UNDER_DAYS: _hours_under_days,
    LineKind.WORKED_DAY: _worked_day,
    LineKind.CLOSED_DAY: _closed_day,
    LineKind.WEEKENDS: _weekends,
    LineKind.PAUSE: _pause,
    LineKind.PAUSE_RUNNING: _pause_running,
    LineKind.PAUSE_AFTER_DUE: _pause_after_due,
    LineKind.RESTART: _restart,
    LineKind.SAME_DAY: _same_day,
    LineKind.FIXED: _fixed,
    LineKind.FIXED_SHIFTED: _fixed_shifted,
    LineKind.RESTART_KEPT: _restart_kept,
    LineKind.FLOOR: _floor,
    LineKind.CALENDAR_CHANGE: _calendar_change,
    LineKind.PAUSED_NOW: _paused_now,
    LineKind.DUE: _due,
}


def render(line: ExplanationLine, lang: Lang = "vi") -> str:
    """The sentence for `line` in Vietnamese ("vi") or English ("en")."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unsupported language {lang!r}: use 'vi' or 'en'")
    renderer = _RENDERERS.get(line.kind)
    if renderer is None:
        raise ValueError(f"unknown explanation line kind {line.kind!r}")
    return renderer(line, lang)


def render_all(lines: Iterable[ExplanationLine], lang: Lang = "vi") -> list[str]:
    """`render` applied to each line, in order."""
    return [render(line, lang) for line in lines]
