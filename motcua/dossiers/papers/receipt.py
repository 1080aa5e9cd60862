"""Form 01: the receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả).

The counter prints it when it receives a dossier: A5 portrait, QR code of the public lookup
page at the top left (Circular 01/2023), Code 128 of the dossier code at the top right, the
official header, then the numbered body of form 01 and the two signatures.

`ReceiptSlip` is the data contract (built from the Dossier by the caller); this module only
formats it. Every string is normalised to NFC before it reaches the template, and the
template engine escapes all of it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.safestring import mark_safe

from motcua.core.templatetags.motcua import vnd
from motcua.dossiers.papers import barcodes
from motcua.dossiers.papers.rendering import paper_html, render_fitting_pdf

TEMPLATE = "papers/form01_receipt.html"
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
PRINT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DENSITIES = ("", "compact", "tight", "tighter")  # classes of <body> in paper.css, loosest first


@dataclass(frozen=True)
class ReceiptSlip:
    issuing_body: str  # "UBND TỈNH AN HÒA" (line above the centre name, upper case)
    centre_name: str  # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" (printed upper case, bold)
    place: str  # "An Hòa" → "An Hòa, ngày 24 tháng 4 năm 2025"
    dossier_code: str  # "000.00.01.H99-250424-0001"
    lookup_url: str  # absolute URL of the public lookup page for this dossier (in the QR),
    # with its lookup code (`?k=`)
    applicant_name: str
    applicant_address: str  # may be ""
    applicant_phone: str  # may be ""
    applicant_email: str  # may be ""
    procedure_code: str  # "1.004222"
    procedure_name: str
    components: list[str]  # papers received, in order
    sets_count: int  # số bộ hồ sơ
    duration_label: str  # "07 ngày làm việc" (already formatted)
    received_at: datetime  # aware; printed in Asia/Ho_Chi_Minh
    due_at: datetime  # aware; printed in Asia/Ho_Chi_Minh
    due_explanation: list[str]  # plain-language lines explaining the appointment
    return_place: str  # "Tại Trung tâm …" / "Qua dịch vụ bưu chính công ích: …" / "Trực tuyến"
    fees: list[tuple[str, str]]  # rows under item 7: (fee or charge, amount text), worded by
    # catalog/fees.py (FeeDue.rows); alternatives stay alternatives, nothing here adds them
    channel_label: str  # "Trực tiếp tại quầy" / "Qua bưu chính công ích" / "Trực tuyến"
    officer_name: str  # receiving officer
    ledger_number: str  # the number only ("Quyển 01, số 125"); printed after "Vào sổ theo dõi
    # hồ sơ số: " on the same line as the channel; "" omits it
    lookup_code: str = ""  # "7KQ2-M9XD": opens the applicant's full view of the lookup
    fees_summary: str = ""  # after "7. Phí, lệ phí:" (FeeDue.summary): "20.000 đồng (Lệ phí)",
    # "200.000 đồng hoặc 100.000 đồng tùy trường hợp", the total of several charges, or "";
    # with no rows either, "Không"


def receipt_html(slip: ReceiptSlip) -> str:
    """The slip as HTML, linking the print stylesheet (browser preview, tests)."""
    return paper_html(TEMPLATE, receipt_context(slip), preview=True)


def render_receipt_pdf(slip: ReceiptSlip) -> bytes:
    """The slip as PDF bytes on one A5 page: set tighter (`DENSITIES`) when a long name, many
    components or several fees would push the signatures onto a second sheet. Only a slip too
    long even then (some 20 long components) flows onto a second page, signatures kept together."""
    return render_fitting_pdf(TEMPLATE, receipt_context(slip), densities=DENSITIES)


def receipt_context(slip: ReceiptSlip) -> dict[str, Any]:
    """Template context: NFC text, dates and amounts formatted, QR and barcode as SVG."""
    s = _nfc_slip(slip)
    return {
        "slip": s,
        "title": TITLE,
        "issuing_body": s.issuing_body,
        "centre_name": s.centre_name,
        "number": s.dossier_code,
        "place_date": format_place_date(s.place, s.received_at),
        "received_label": format_moment(s.received_at),
        "due_label": format_moment(s.due_at),
        "fees": s.fees,
        "fees_summary": s.fees_summary or ("" if s.fees else "Không"),
        # Generated here from the symbol matrices; their only text is escaped in barcodes.py.
        "qr_svg": mark_safe(barcodes.qr_svg(s.lookup_url)),  # noqa: S308
        "barcode_svg": mark_safe(barcodes.code128_svg(s.dossier_code)),  # noqa: S308
    }


def format_moment(moment: datetime) -> str:
    """'10 giờ 00 phút, ngày 24/04/2025', in Vietnam time."""
    local = _vietnam_time(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def format_place_date(place: str, moment: datetime) -> str:
    """'An Hòa, ngày 24 tháng 4 năm 2025' (Decree 30/2020: days 1–9 and months 1–2 take a 0)."""
    local = _vietnam_time(moment)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{place}, ngày {local.day:02d} tháng {month} năm {local.year}"


def format_vnd(amount: int) -> str:
    """20000 → '20.000 đồng' (the one format of amounts: core's `vnd`)."""
    return vnd(amount)


def _vietnam_time(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"slip times must be timezone-aware, got {moment!r}")
    return moment.astimezone(PRINT_TZ)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return type(value)(_nfc(item) for item in value)
    return value


def _nfc_slip(slip: ReceiptSlip) -> ReceiptSlip:
    return ReceiptSlip(**{f.name: _nfc(getattr(slip, f.name)) for f in fields(slip)})
