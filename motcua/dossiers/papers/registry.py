"""Which version of each official form is in force on a given day: a table of entries.

Each entry is one version of one form: its number ("01"–"07"), the set it belongs to (the
circular that publishes it), the first day it is in force, its template and its printed
title. A version stays in force until the next version of the same form takes effect, so
`version_for(form="02", on=day)` picks the entry with the latest `effective_from` not after
`day`. Adding the next set of forms is adding entries (and templates), nothing else.

- Form 01 (receipt and appointment slip) is shared by the 2018 and 2025 sets: one entry,
  in force since Circular 01/2018/TT-VPCP took effect (6 Jan 2019).
- Forms 02–07 are those of Circular 03/2025/TT-VPCP, Appendix I, in force from 15 Sep 2025.
  Their numbering differs from 2018 (05 is now the stop notice, 06 the control slip, 07 the
  tracking book). The 2018 forms 02–06 are not implemented: asking for one of them on a day
  before 15 Sep 2025 raises `FormNotInForceError`.

The renderers (`forms2025.render_pdf`, `forms2025.paper_html`) look the template and title up
here; this module is pure data and imports nothing from Django or WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

SET_2018 = "TT 01/2018/TT-VPCP"
SET_2025 = "TT 03/2025/TT-VPCP"
SHARED_2018_2025 = "TT 01/2018/TT-VPCP, giữ nguyên ở TT 03/2025/TT-VPCP"

SET_2018_FROM = date(2019, 1, 6)
SET_2025_FROM = date(2025, 9, 15)


@dataclass(frozen=True)
class FormVersion:
    form: str  # "02": the form's number in its set (Mẫu số 02)
    set_name: str  # the circular that publishes this version
    effective_from: date  # first day in force
    template: str  # Django template name
    title: str  # printed title, upper case


FORM_VERSIONS: tuple[FormVersion, ...] = (
    FormVersion(
        "01",
        SHARED_2018_2025,
        SET_2018_FROM,
        "papers/form01_receipt.html",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    ),
    FormVersion(
        "02",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form02_supplement.html",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    ),
    FormVersion(
        "03",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form03_refusal.html",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    ),
    FormVersion(
        "04",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form04_apology_extension.html",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    ),
    FormVersion(
        "05",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form05_stop_notice.html",
        # Appendix I lists form 05 as "Thông báo dừng giải quyết hồ sơ".
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    ),
    FormVersion(
        "06",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form06_control_slip.html",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    ),
    FormVersion(
        "07",
        SET_2025,
        SET_2025_FROM,
        "papers/2025/form07_tracking_book.html",
        "SỔ THEO DÕI HỒ SƠ",
    ),
)


class UnknownFormError(LookupError):
    """No official form has this number."""


class FormNotInForceError(LookupError):
    """The form exists, but no version of it held here was in force on that day."""


def known_forms() -> tuple[str, ...]:
    """The form numbers the registry knows, in order: ('01', …, '07')."""
    return tuple(sorted({entry.form for entry in FORM_VERSIONS}))


def versions(form: str) -> tuple[FormVersion, ...]:
    """Every version of `form`, oldest first. Raises `UnknownFormError`."""
    number = _form_number(form)
    found = tuple(
        sorted(
            (entry for entry in FORM_VERSIONS if entry.form == number),
            key=lambda entry: entry.effective_from,
        )
    )
    if not found:
        raise UnknownFormError(
            f"there is no official form {form!r}; known forms: {', '.join(known_forms())}"
        )
    return found


def version_for(form: str, on: date) -> FormVersion:
    """The version of `form` in force on `on` (a calendar day in Vietnam).

    Raises `UnknownFormError` for a number no set has, and `FormNotInForceError` for a day
    before the first version held here took effect."""
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError(f"`on` must be the calendar day in Vietnam (a date), got {on!r}")
    day = on
    in_force = [entry for entry in versions(form) if entry.effective_from <= day]
    if not in_force:
        first = versions(form)[0]
        raise FormNotInForceError(
            f"form {first.form}: no version held here was in force on {day:%d/%m/%Y}; the "
            f"first ({first.set_name}) is in force from {first.effective_from:%d/%m/%Y}"
            + (
                f" (the {SET_2018} version of this form is not implemented)"
                if first.effective_from == SET_2025_FROM
                else ""
            )
        )
    return in_force[-1]


def template_for(form: str, on: date) -> str:
    """The template name of the version of `form` in force on `on`."""
    return version_for(form, on).template


def title_for(form: str, on: date) -> str:
    """The printed title of the version of `form` in force on `on`."""
    return version_for(form, on).title


def _form_number(form: str) -> str:
    """'2', '02', 2 → '02'; anything else is returned as given (and will not be found)."""
    text = str(form).strip()
    if text.isascii() and text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    return text
