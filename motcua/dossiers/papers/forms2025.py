"""Forms 02–07 of Circular 03/2025/TT-VPCP (Appendix I): data contracts and renderers.

- 02 `SupplementRequest`: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (A5 portrait);
- 03 `Refusal`: Phiếu từ chối tiếp nhận giải quyết hồ sơ (A5 portrait);
- 04 `ApologyExtension`: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (A5 portrait);
- 05 `StopNotice`: Thông báo dừng giải quyết hồ sơ (A5 portrait);
- 06 `ControlSlip`: Phiếu kiểm soát quá trình giải quyết hồ sơ (A4 landscape);
- 07 `TrackingBook`: Sổ theo dõi hồ sơ (A4 landscape, table header repeated on every page).

`render_pdf(paper)` and `paper_html(paper)` take any of these (or form 01's `ReceiptSlip`),
find the form number from the contract's type, and ask `registry` for the version in force
on the day the paper is issued (`header.issued_at` in Vietnam; for form 01 the receipt time).

Forms 02–06 print the QR code of the public lookup page at the top left and the dossier code
(text and Code 128), like form 01; form 07 is a register of many dossiers and prints neither.
Every string is normalised to NFC before it reaches a template, and the template engine
escapes all of it. Times print in Vietnam time as "10 giờ 00 phút, ngày 24/04/2025".

The field lists follow the 2018 forms (docs/domain/papers.md); confirm them against the Circular's
Appendix I before production printing (docs/domain/papers.md#open-questions).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from typing import Any, NamedTuple, TypeAlias

from django.utils.safestring import mark_safe

from motcua.dossiers.papers import barcodes, registry, rendering
from motcua.dossiers.papers.receipt import (
    PRINT_TZ,
    ReceiptSlip,
    format_moment,
    format_place_date,
    receipt_context,
)

STYLESHEET = "papers/forms2025.css"  # under motcua/static, applied after papers/paper.css

RESULTS = ("Trước hạn", "Đúng hạn", "Quá hạn")  # result of a step on form 06 ("" = not yet)
BOOK_PROCEDURE_CHARS = 60
BOOK_DATES = "Ngày, tháng, năm"  # the heading over columns 8-12 of form 07
BOOK_COLUMNS = (  # form 07's columns (1)-(13): heading, and whether it sits under BOOK_DATES
    ("STT", False),
    ("Mã hồ sơ", False),
    ("Tên thủ tục hành chính", False),
    ("Số lượng hồ sơ (bộ)", False),
    ("Tên cá nhân, tổ chức", False),
    ("Địa chỉ, số điện thoại", False),
    ("Cơ quan chủ trì giải quyết", False),
    ("Nhận hồ sơ", True),
    ("Hẹn trả kết quả", True),
    ("Chuyển hồ sơ đến cơ quan giải quyết", True),
    ("Nhận kết quả từ cơ quan giải quyết", True),
    ("Trả kết quả cho cá nhân, tổ chức", True),
    ("Ghi chú", False),
)  # a longer procedure name is cut at a word on the printed book
TITLE_LINE_CHARS = 44  # longest title kept on one line (12 pt bold fills an A5 line at ~48)
BLANK_MOMENT = "….. giờ ….. phút, ngày …../…../……."  # filled in by hand on form 06


# ---- Contracts ----


@dataclass(frozen=True)
class PaperHeader:
    """The top of every paper: who issues it, where and when, and which dossier it is about."""

    issuing_body: str  # "UBND TỈNH AN HÒA" (line above the centre name, upper case)
    centre_name: str  # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", or the agency issuing 04/05
    place: str  # "An Hòa" → "An Hòa, ngày 06 tháng 10 năm 2025"
    issued_at: datetime  # aware; date of the paper, and picks the form version in force
    dossier_code: str = ""  # required on forms 02–06; not printed on form 07
    lookup_url: str = ""  # public lookup page (QR), required on forms 02–06


@dataclass(frozen=True)
class SupplementRequest:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    header: PaperHeader
    number: str  # "15/PYCBS" → "Số: 15/PYCBS"
    applicant_name: str
    applicant_address: str  # may be ""
    applicant_phone: str  # may be ""
    applicant_email: str  # may be ""
    procedure_name: str
    procedure_code: str  # may be ""
    items: list[tuple[str, str]]  # (component, what is required: "bản chính", …)
    reason: str
    supplement_due: datetime | None  # deadline for the supplement; None omits the line
    contact: str  # whom to call: "Ông Trần Văn Bình, quầy số 5, ĐT 0236 3822 111"
    officer_name: str  # guiding officer (signs)
    is_second_request: bool  # prints "Yêu cầu bổ sung lần 2"


@dataclass(frozen=True)
class Refusal:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    header: PaperHeader
    number: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    procedure_name: str
    procedure_code: str
    reason: str
    signer_name: str
    signer_title: str  # "NGƯỜI TIẾP NHẬN HỒ SƠ", "GIÁM ĐỐC", …


@dataclass(frozen=True)
class ApologyExtension:
    """Form 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (by the agency)."""

    header: PaperHeader  # issued by the handling agency
    number: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    procedure_name: str
    procedure_code: str
    received_at: datetime
    original_due: datetime  # the appointment on form 01
    new_due: datetime  # the new appointment (after `original_due`)
    reason: str  # why the dossier is late
    signer_name: str
    signer_title: str  # head of the handling agency: "GIÁM ĐỐC"

    def __post_init__(self) -> None:
        if self.new_due <= self.original_due:
            raise ValueError(
                f"the new appointment ({self.new_due}) must be after the original one "
                f"({self.original_due})"
            )


@dataclass(frozen=True)
class StopNotice:
    """Form 05: Thông báo dừng giải quyết hồ sơ."""

    header: PaperHeader
    number: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    procedure_name: str
    procedure_code: str
    received_at: datetime
    stopped_at: datetime
    reason: str  # "Ông/Bà có đơn đề nghị rút hồ sơ ngày …"
    requested_by_applicant: bool
    fee_note: str  # "Lệ phí đã nộp không được hoàn trả." / ""
    signer_name: str
    signer_title: str


@dataclass(frozen=True)
class ControlRow:
    """One hand-over on form 06."""

    step_name: str  # "Chuyển hồ sơ đến cơ quan giải quyết"
    from_unit: str  # "Trung tâm Phục vụ hành chính công"
    to_unit: str  # "Sở Xây dựng"
    handed_over_at: datetime | None  # None prints a blank to fill in by hand
    received_at: datetime | None
    step_due_at: datetime | None
    result: str  # "Trước hạn" / "Đúng hạn" / "Quá hạn" / ""
    note: str = ""

    def __post_init__(self) -> None:
        if unicodedata.normalize("NFC", self.result) not in (*RESULTS, ""):
            raise ValueError(f"result must be one of {RESULTS} or '', got {self.result!r}")


@dataclass(frozen=True)
class ControlSlip:
    """Form 06: Phiếu kiểm soát quá trình giải quyết hồ sơ. First row one-stop → agency,
    last row agency → one-stop."""

    header: PaperHeader
    applicant_name: str
    procedure_name: str
    procedure_code: str
    received_at: datetime
    due_at: datetime
    rows: list[ControlRow]


@dataclass(frozen=True)
class BookRow:
    """One dossier in the tracking book (form 07)."""

    number: int  # STT
    dossier_code: str
    procedure_name: str
    sets_count: int
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    agency_name: str  # handling agency
    received_at: datetime
    due_at: datetime | None
    transferred_at: datetime | None  # sent to the handling agency
    result_received_at: datetime | None  # result back from the agency
    delivered_at: datetime | None  # result returned to the applicant
    note: str = ""
    procedure_code: str = ""  # "1.004222": printed before the (shortened) name


@dataclass(frozen=True)
class TrackingBook:
    """Form 07: Sổ theo dõi hồ sơ, one line per dossier received in the period."""

    header: PaperHeader  # the centre; dossier_code and lookup_url unused
    period_from: date
    period_to: date
    rows: list[BookRow]

    def __post_init__(self) -> None:
        if self.period_from > self.period_to:
            raise ValueError(f"period_from {self.period_from} is after period_to {self.period_to}")


Paper: TypeAlias = (
    ReceiptSlip
    | SupplementRequest
    | Refusal
    | ApologyExtension
    | StopNotice
    | ControlSlip
    | TrackingBook
)


# ---- Rendering ----


def render_pdf(paper: Paper, *, on: date | None = None) -> bytes:
    """The paper as PDF bytes, from the template of the form version in force on `on`
    (default: the day the paper is issued, in Vietnam)."""
    version, context, stylesheets = _prepare(paper, on)
    return rendering.render_paper_pdf(version.template, context, extra_stylesheets=stylesheets)


def paper_html(paper: Paper, *, on: date | None = None, preview: bool = True) -> str:
    """The paper as HTML. With `preview` it links the stylesheets (browser preview, tests);
    without, it is exactly the HTML `render_pdf` hands to WeasyPrint."""
    version, context, stylesheets = _prepare(paper, on)
    return rendering.paper_html(
        version.template, context, preview=preview, extra_stylesheets=stylesheets
    )


def form_number(paper: Paper) -> str:
    """'02' for a `SupplementRequest`, and so on."""
    return _kind(paper).form


def issue_day(paper: Paper) -> date:
    """The day the paper is issued, in Vietnam: what picks the form version in force."""
    moment = paper.received_at if isinstance(paper, ReceiptSlip) else paper.header.issued_at
    return _vietnam_time(moment).date()


def paper_context(paper: Paper, *, on: date | None = None) -> dict[str, Any]:
    """The template context of `paper` (NFC text, formatted times, QR and barcode SVG)."""
    return _prepare(paper, on)[1]


class _Kind(NamedTuple):
    form: str
    build: Callable[[Any, registry.FormVersion], dict[str, Any]]
    stylesheets: tuple[str, ...]


def _prepare(
    paper: Paper, on: date | None
) -> tuple[registry.FormVersion, dict[str, Any], tuple[str, ...]]:
    kind = _kind(paper)
    version = registry.version_for(kind.form, on if on is not None else issue_day(paper))
    return version, kind.build(_nfc(paper), version), kind.stylesheets


def _kind(paper: object) -> _Kind:
    try:
        return _KINDS[type(paper)]
    except KeyError:
        raise TypeError(f"not an official paper: {type(paper).__name__}") from None


def _receipt(slip: ReceiptSlip, version: registry.FormVersion) -> dict[str, Any]:
    return {**receipt_context(slip), "title": version.title}


def _common(header: PaperHeader, version: registry.FormVersion, *, number: str) -> dict[str, Any]:
    """Header context shared by forms 02–06: QR of the lookup page and Code 128 of the code."""
    if not header.dossier_code or not header.lookup_url:
        raise ValueError(f"form {version.form} needs the dossier code and the lookup URL")
    return {
        "title": version.title,
        "title_lines": title_lines(version.title),
        "form": version.form,
        "set_name": version.set_name,
        "issuing_body": header.issuing_body,
        "centre_name": header.centre_name,
        "number": number,
        "place_date": format_place_date(header.place, header.issued_at),
        "dossier_code": header.dossier_code,
        "lookup_url": header.lookup_url,
        # Generated here from the symbol matrices; their only text is escaped in barcodes.py.
        "qr_svg": mark_safe(barcodes.qr_svg(header.lookup_url)),  # noqa: S308
        "barcode_svg": mark_safe(barcodes.code128_svg(header.dossier_code)),  # noqa: S308
    }


def _supplement(p: SupplementRequest, version: registry.FormVersion) -> dict[str, Any]:
    return {
        **_common(p.header, version, number=p.number),
        "p": p,
        "supplement_due_label": format_moment(p.supplement_due) if p.supplement_due else "",
    }


def _refusal(p: Refusal, version: registry.FormVersion) -> dict[str, Any]:
    return {**_common(p.header, version, number=p.number), "p": p}


def _apology(p: ApologyExtension, version: registry.FormVersion) -> dict[str, Any]:
    return {
        **_common(p.header, version, number=p.number),
        "p": p,
        "received_label": format_moment(p.received_at),
        "original_due_label": format_moment(p.original_due),
        "new_due_label": format_moment(p.new_due),
    }


def _stop(p: StopNotice, version: registry.FormVersion) -> dict[str, Any]:
    return {
        **_common(p.header, version, number=p.number),
        "p": p,
        "received_label": format_moment(p.received_at),
        "stopped_label": format_moment(p.stopped_at),
    }


def _control(p: ControlSlip, version: registry.FormVersion) -> dict[str, Any]:
    rows = [
        {
            "row": row,
            "handed_over": _moment_or_blank(row.handed_over_at),
            "received": _moment_or_blank(row.received_at),
            "step_due": format_moment(row.step_due_at) if row.step_due_at else "",
        }
        for row in p.rows
    ]
    return {
        **_common(p.header, version, number=""),
        "p": p,
        "received_label": format_moment(p.received_at),
        "due_label": format_moment(p.due_at),
        "rows": rows,
        "results": " / ".join(RESULTS),
    }


def _book(p: TrackingBook, version: registry.FormVersion) -> dict[str, Any]:
    h = p.header
    rows = [
        {
            "row": row,
            "procedure": book_procedure(row.procedure_code, row.procedure_name),
            "contact": book_contact(row),
            "received": _book_moment(row.received_at),
            "due": _book_moment(row.due_at),
            "transferred": _book_moment(row.transferred_at),
            "result_received": _book_moment(row.result_received_at),
            "delivered": _book_moment(row.delivered_at),
        }
        for row in p.rows
    ]
    return {
        "title": version.title,
        "title_lines": title_lines(version.title),
        "form": version.form,
        "set_name": version.set_name,
        "issuing_body": h.issuing_body,
        "centre_name": h.centre_name,
        "number": "",
        "place_date": format_place_date(h.place, h.issued_at),
        "p": p,
        "period_label": book_period(p),
        "columns": [heading for heading, dated in BOOK_COLUMNS if not dated],
        "dates_heading": BOOK_DATES,
        "date_columns": [heading for heading, dated in BOOK_COLUMNS if dated],
        "rows": rows,
        "sets_total": sum(row.sets_count for row in p.rows),
    }


def book_period(book: TrackingBook) -> str:
    return f"Từ ngày {book.period_from:%d/%m/%Y} đến ngày {book.period_to:%d/%m/%Y}"


def book_contact(row: BookRow) -> str:
    """Column (6): the address, then the phone ("…, tỉnh An Hòa; ĐT: 0912 345 678")."""
    phone = f"ĐT: {row.applicant_phone}" if row.applicant_phone else ""
    return "; ".join(part for part in (row.applicant_address, phone) if part)


def book_procedure(code: str, name: str, *, max_chars: int = BOOK_PROCEDURE_CHARS) -> str:
    """The procedure as the printed book shows it: its code, then its name cut at a word
    after `max_chars` characters ("…"), so one dossier takes two or three lines, not twenty.
    The code names the procedure in full; the XLSX book keeps the whole name."""
    if len(name) > max_chars:
        cut = name.rfind(" ", 0, max_chars)
        name = name[: cut if cut > 0 else max_chars].rstrip(" ,;") + "…"
    return f"{code} — {name}" if code else name


def title_lines(title: str, *, max_chars: int = TITLE_LINE_CHARS) -> list[str]:
    """The title as printed: one line, or two of balanced length if it is longer than
    `max_chars` (so form 04 does not leave one word alone on its second line)."""
    if len(title) <= max_chars or " " not in title:
        return [title]
    middle = len(title) / 2
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [title[:cut], title[cut + 1 :]]


def _moment_or_blank(moment: datetime | None) -> str:
    return format_moment(moment) if moment is not None else BLANK_MOMENT


def _book_moment(moment: datetime | None) -> str:
    """'24/04/2025 10:00' in Vietnam time (the narrow column puts the time on a second
    line); '' for None."""
    if moment is None:
        return ""
    return f"{_vietnam_time(moment):%d/%m/%Y %H:%M}"


def _vietnam_time(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"paper times must be timezone-aware, got {moment!r}")
    return moment.astimezone(PRINT_TZ)


def _nfc(value: Any) -> Any:
    """`value` with every string in it (nested dataclasses, lists, tuples) in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _nfc(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    if isinstance(value, list | tuple):
        return type(value)(_nfc(item) for item in value)
    return value


_KINDS: dict[type, _Kind] = {
    ReceiptSlip: _Kind("01", _receipt, ()),
    SupplementRequest: _Kind("02", _supplement, (STYLESHEET,)),
    Refusal: _Kind("03", _refusal, (STYLESHEET,)),
    ApologyExtension: _Kind("04", _apology, (STYLESHEET,)),
    StopNotice: _Kind("05", _stop, (STYLESHEET,)),
    ControlSlip: _Kind("06", _control, (STYLESHEET,)),
    TrackingBook: _Kind("07", _book, (STYLESHEET,)),
}
