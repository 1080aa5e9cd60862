"""What the applicant is told, in Vietnamese: one e-mail (full text) and one SMS per event.

The SMS is written without diacritics, as Vietnamese SMS usually are: unaccented text is plain
GSM 03.38, so a message holds 160 characters instead of 70 in UCS-2. Its essential part (the
dossier code and the fact: an appointment, "cần bổ sung", "đã có kết quả") always goes out;
the optional parts after it (what to bring, the reason, the procedure's name, the place) are
kept while they fit, the first one that does not is shortened at a word, the rest dropped."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.core.clock import local
from motcua.core.text import clean_text
from motcua.dossiers import lookup_codes
from motcua.dossiers.lookup_codes import lookup_url
from motcua.dossiers.models import Dossier, DossierEvent, EventType, ReturnChannel

SMS_LIMIT = 160
# An optional part shortened below this many characters says nothing useful: dropped instead.
SMS_MIN_PART = 16
ELLIPSIS = "..."

# GSM 03.38: the basic set counts one septet a character, the extension table two.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€")
_SMS_REPLACEMENTS = {
    "đ": "d",
    "Đ": "D",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "«": '"',
    "»": '"',
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # the e-mail: full Vietnamese
    sms_text: str  # accent-folded, at most SMS_LIMIT GSM characters


def compose(event: DossierEvent) -> Message | None:
    """The message for an event the applicant is told about; None for any other event."""
    composer = _COMPOSERS.get(event.type)
    return composer(event.dossier, event) if composer else None


def format_moment(moment: datetime) -> str:
    """A moment as Vietnamese read it, in the site's zone: "10:00 ngày 28/04/2025"."""
    return local(moment).strftime("%H:%M ngày %d/%m/%Y")


# --- SMS text --------------------------------------------------------------------------------


def fold_for_sms(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Đăng ký" → "Dang ky"), one line, only
    characters of the GSM 03.38 alphabet."""
    text = "".join(_SMS_REPLACEMENTS.get(ch, ch) for ch in clean_text(text))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in stripped if ch in GSM_BASIC or ch in GSM_EXTENSION)


def gsm_length(text: str) -> int:
    """Characters as an SMS counts them (septets): extension characters count twice."""
    return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)


def fit_sms(essential: str, *optional: str, limit: int = SMS_LIMIT) -> str:
    """One SMS of at most `limit` GSM characters: `essential` always (shortened only if it
    alone is too long), then each optional part in order while it fits; the first that does
    not fit is shortened at a word boundary when enough room is left for it to say something."""
    text = fold_for_sms(essential)
    if gsm_length(text) > limit:
        return shorten(text, limit)
    for part in optional:
        part = fold_for_sms(part)
        if not part:
            continue
        room = limit - gsm_length(text) - 1  # the space before it
        if gsm_length(part) <= room:
            text = f"{text} {part}"
        elif room >= SMS_MIN_PART:
            text = f"{text} {shorten(part, room)}"
    return text


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` GSM characters, at a word boundary when one is near, with '...'."""
    if gsm_length(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for ch in text:
        used += gsm_length(ch)
        if used > budget:
            break
        kept.append(ch)
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space >= budget // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + ELLIPSIS


# --- The messages ----------------------------------------------------------------------------


def _received(dossier: Dossier, event: DossierEvent) -> Message:
    due = _moment(event.data.get("due_at")) or dossier.due_at
    centre = dossier.receiving_unit.name
    lines = [
        _greeting(dossier),
        "",
        f"{centre} đã tiếp nhận hồ sơ của Ông/Bà.",
        "",
        f"Mã hồ sơ: {dossier.code}",
        *_lookup_code_lines(dossier),
        f"Thủ tục: {_procedure(dossier)}",
        f"Thời điểm tiếp nhận: {format_moment(event.at)}",
        f"Hẹn trả kết quả: {format_moment(due)}",
        f"Hình thức nhận kết quả: {dossier.get_return_channel_display()}",
        *_closing(dossier, signed_by=centre),
    ]
    return Message(
        subject=f"Hồ sơ {dossier.code} đã được tiếp nhận",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Hồ sơ {dossier.code} đã được tiếp nhận, hẹn trả kết quả {format_moment(due)}.",
            *_sms_lookup_code(dossier),
            f"Thủ tục: {_procedure(dossier)}.",
        ),
    )


def _supplement_requested(dossier: Dossier, event: DossierEvent) -> Message:
    items = _items(event.data.get("items"))
    centre = dossier.receiving_unit.name
    lines = [
        _greeting(dossier),
        "",
        f"Hồ sơ {dossier.code} (thủ tục: {_procedure(dossier)}) của Ông/Bà cần được bổ sung, "
        "hoàn thiện để tiếp tục giải quyết.",
        "",
    ]
    if event.reason:
        lines.append(f"Lý do: {event.reason}")
    if items:
        lines += ["Giấy tờ cần bổ sung:", *(f"- {item}" for item in items)]
    lines += [
        "",
        f"Mời Ông/Bà mang các giấy tờ cần bổ sung đến {_place(dossier)} để hoàn thiện hồ sơ. "
        "Ngày hẹn trả kết quả sẽ được thông báo lại sau khi hồ sơ được bổ sung đầy đủ.",
        *_closing(dossier, signed_by=centre),
    ]
    return Message(
        subject=f"Hồ sơ {dossier.code} cần bổ sung, hoàn thiện",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Hồ sơ {dossier.code} cần bổ sung.",
            f"Cần mang: {'; '.join(items)}." if items else "",
            f"Lý do: {event.reason}." if event.reason else "",
            f"Nộp bổ sung tại {centre}.",
        ),
    )


def _completion_requested(dossier: Dossier, event: DossierEvent) -> Message:
    """An online dossier sent back before reception: what is missing, and how to resubmit."""
    items = _items(event.data.get("items"))
    centre = dossier.receiving_unit.name
    lines = [
        _greeting(dossier),
        "",
        f"Hồ sơ {dossier.code} (thủ tục: {_procedure(dossier)}) Ông/Bà nộp trực tuyến chưa đủ "
        f"điều kiện để {centre} tiếp nhận.",
        "",
    ]
    if event.reason:
        lines.append(f"Lý do: {event.reason}")
    if items:
        lines += ["Nội dung cần bổ sung, hoàn thiện:", *(f"- {item}" for item in items)]
    lines += [
        "",
        "Mời Ông/Bà bổ sung, hoàn thiện và nộp lại hồ sơ trực tuyến với cùng mã hồ sơ. "
        "Thời hạn giải quyết được tính từ khi hồ sơ được tiếp nhận.",
        *_closing(dossier, signed_by=centre),
    ]
    return Message(
        subject=f"Hồ sơ {dossier.code} cần bổ sung trước khi tiếp nhận",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Hồ sơ {dossier.code} chưa được tiếp nhận, cần bổ sung và nộp lại trực tuyến.",
            f"Cần bổ sung: {'; '.join(items)}." if items else "",
            f"Lý do: {event.reason}." if event.reason else "",
        ),
    )


def _refused_at_reception(dossier: Dossier, event: DossierEvent) -> Message:
    centre = dossier.receiving_unit.name
    lines = [
        _greeting(dossier),
        "",
        f"{centre} từ chối tiếp nhận hồ sơ {dossier.code} (thủ tục: {_procedure(dossier)}) "
        "của Ông/Bà.",
        "",
    ]
    if event.reason:
        lines.append(f"Lý do: {event.reason}")
    lines += [*_closing(dossier, signed_by=centre)]
    return Message(
        subject=f"Hồ sơ {dossier.code} không được tiếp nhận",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Hồ sơ {dossier.code} không được tiếp nhận.",
            f"Lý do: {event.reason}." if event.reason else "",
        ),
    )


def _extended(dossier: Dossier, event: DossierEvent) -> Message:
    new_due = _moment(event.data.get("new_due_at")) or dossier.due_at
    original = _moment(event.data.get("original_due_at")) or dossier.due_at_original
    agency = dossier.agency.name
    missed = f" theo lịch hẹn {format_moment(original)}" if original else ""
    lines = [
        _greeting(dossier),
        "",
        f"Chúng tôi chân thành xin lỗi Ông/Bà vì hồ sơ {dossier.code} "
        f"(thủ tục: {_procedure(dossier)}) chưa được giải quyết{missed}.",
        "",
    ]
    if event.reason:
        lines.append(f"Lý do: {event.reason}")
    lines += [
        f"Thời gian hẹn trả kết quả mới: {format_moment(new_due)}",
        "",
        "Rất mong Ông/Bà thông cảm. Chúng tôi sẽ thông báo ngay khi hồ sơ có kết quả.",
        *_closing(dossier, signed_by=agency),
    ]
    return Message(
        subject=f"Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {dossier.code}",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Xin lỗi Ông/Bà: hồ sơ {dossier.code} chậm giải quyết, "
            f"hẹn lại trả kết quả {format_moment(new_due)}.",
            f"Lý do: {event.reason}." if event.reason else "",
        ),
    )


def _resolved(dossier: Dossier, event: DossierEvent) -> Message:
    centre = dossier.receiving_unit.name
    if dossier.return_channel == ReturnChannel.POSTAL:
        how = (
            "Kết quả sẽ được gửi đến Ông/Bà qua dịch vụ bưu chính công ích theo địa chỉ: "
            f"{dossier.postal_address}."
        )
        sms_how = "Kết quả sẽ được gửi qua bưu chính công ích."
    elif dossier.return_channel == ReturnChannel.ONLINE:
        how = (
            "Kết quả được trả trực tuyến theo đăng ký của Ông/Bà; "
            f"Ông/Bà có thể tra cứu tại: {lookup_url(dossier)}"
        )
        sms_how = "Kết quả được trả trực tuyến."
    else:
        how = (
            f"Kết quả đã sẵn sàng, mời Ông/Bà đến nhận tại {_place(dossier)}. Khi đến, Ông/Bà "
            "vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả cùng giấy tờ tùy thân."
        )
        sms_how = f"Mời Ông/Bà đến nhận tại {centre}."
    lines = [
        _greeting(dossier),
        "",
        f"Hồ sơ {dossier.code} (thủ tục: {_procedure(dossier)}) của Ông/Bà đã được giải quyết "
        "xong.",
        "",
        how,
        *_closing(dossier, signed_by=centre),
    ]
    return Message(
        subject=f"Hồ sơ {dossier.code} đã có kết quả",
        body="\n".join(lines),
        sms_text=fit_sms(f"Hồ sơ {dossier.code} đã có kết quả.", sms_how),
    )


def _calendar_changed(dossier: Dossier, event: DossierEvent) -> Message | None:
    """Only an appointment that moved is told; a kept one (a new worked day never brings a
    promised date earlier) changes nothing for the applicant."""
    data = event.data or {}
    new_due, old_due = _moment(data.get("due_at")), _moment(data.get("old_due_at"))
    if data.get("kept") or new_due is None or new_due == old_due:
        return None
    centre = dossier.receiving_unit.name
    day = _day(data.get("day"))
    why = (
        f"Ngày {day} được chuyển thành ngày nghỉ"
        if data.get("closed")
        else (f"Lịch làm việc ngày {day} thay đổi")
    )
    label = clean_text(str(data.get("label") or ""))
    why += f" ({label})" if label else ""
    lines = [
        _greeting(dossier),
        "",
        f"{why}, nên ngày hẹn trả kết quả hồ sơ {dossier.code} (thủ tục: {_procedure(dossier)}) "
        "thay đổi.",
        "",
    ]
    if old_due:
        lines.append(f"Ngày hẹn cũ: {format_moment(old_due)}")
    lines += [f"Ngày hẹn mới: {format_moment(new_due)}", *_closing(dossier, signed_by=centre)]
    return Message(
        subject=f"Thay đổi ngày hẹn trả kết quả hồ sơ {dossier.code}",
        body="\n".join(lines),
        sms_text=fit_sms(
            f"Hồ sơ {dossier.code}: ngày hẹn trả kết quả đổi thành {format_moment(new_due)}.",
            f"{why}.",
        ),
    )


def _day(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


_COMPOSERS: dict[str, Callable[[Dossier, DossierEvent], Message | None]] = {
    EventType.RECEIVED: _received,
    EventType.SUPPLEMENT_REQUESTED: _supplement_requested,
    EventType.EXTENDED: _extended,
    EventType.RESOLVED: _resolved,
    EventType.CALENDAR_CHANGED: _calendar_changed,
    EventType.COMPLETION_REQUESTED: _completion_requested,
    EventType.REFUSED_AT_RECEPTION: _refused_at_reception,
}


def _lookup_code_lines(dossier: Dossier) -> list[str]:
    """The receipt gives the applicant what Form 01 gives: the lookup code, and the address
    that opens the full view with it (docs/decisions/0009-lookup-code.md)."""
    if not dossier.lookup_code:
        return []
    return [
        f"Mã tra cứu: {lookup_codes.display(dossier.lookup_code)} (giữ riêng, không cung cấp "
        "cho người khác)",
        f"Tra cứu đầy đủ: {lookup_url(dossier, with_key=True)}",
    ]


def _sms_lookup_code(dossier: Dossier) -> list[str]:
    if not dossier.lookup_code:
        return []
    return [f"Mã tra cứu: {lookup_codes.display(dossier.lookup_code)}."]


def _greeting(dossier: Dossier) -> str:
    return f"Kính gửi Ông/Bà {dossier.applicant_name},"


def _closing(dossier: Dossier, *, signed_by: str) -> list[str]:
    return [
        "",
        f"Ông/Bà có thể tra cứu tình trạng hồ sơ tại: {lookup_url(dossier)}",
        "",
        "Trân trọng,",
        signed_by,
        "",
        "(Thư được gửi tự động từ hệ thống một cửa điện tử, xin Ông/Bà không trả lời thư này.)",
    ]


def _procedure(dossier: Dossier) -> str:
    return dossier.procedure_version.name


def _place(dossier: Dossier) -> str:
    centre = dossier.receiving_unit
    return f"{centre.name} ({centre.address})" if centre.address else centre.name


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [clean_text(str(item)) for item in value if clean_text(str(item))]
