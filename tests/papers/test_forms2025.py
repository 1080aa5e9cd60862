"""Forms 02–07 of Circular 03/2025 and the registry of form versions: PDF content, page
sizes, QR, escaping, NFC, and which template is in force on which day.

No database: the papers are plain dataclasses, rendered from templates and stylesheets on disk.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
from django.template.loader import get_template
from django.templatetags.static import static
from pypdf import PdfReader

from motcua.dossiers.papers import barcodes, registry
from motcua.dossiers.papers.forms2025 import (
    BLANK_MOMENT,
    ApologyExtension,
    BookRow,
    ControlRow,
    ControlSlip,
    Paper,
    PaperHeader,
    Refusal,
    StopNotice,
    SupplementRequest,
    TrackingBook,
    form_number,
    issue_day,
    paper_html,
    render_pdf,
)
from motcua.dossiers.papers.receipt import ReceiptSlip

CODE = "000.00.01.H99-251006-0001"
URL = "https://dichvucong.anhoa.gov.vn/tra-cuu/000.00.01.H99-251006-0001"
NAME = "Nguyễn Thị Hồng Nhung"
PROCEDURE = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
# 03:00 UTC is 10:00 in Asia/Ho_Chi_Minh (UTC+7, no DST).
RECEIVED = datetime(2025, 10, 6, 3, 0, tzinfo=UTC)
ISSUED = datetime(2025, 10, 13, 2, 15, tzinfo=UTC)
ITEMS = [
    ("Giấy chứng nhận quyền sử dụng đất", "bản sao có chứng thực"),
    ("Bản vẽ thiết kế xây dựng", "bản chính"),
]

Build = dict[str, Any]


def header(**overrides: Any) -> PaperHeader:
    values: Build = {
        "issuing_body": "UBND TỈNH AN HÒA",
        "centre_name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "place": "An Hòa",
        "issued_at": ISSUED,
        "dossier_code": CODE,
        "lookup_url": URL,
    }
    values.update(overrides)
    return PaperHeader(**values)


APPLICANT: Build = {
    "applicant_name": NAME,
    "applicant_address": "Số 12, đường Lê Lợi, phường Hòa Bình, tỉnh An Hòa",
    "applicant_phone": "0912 345 678",
    "applicant_email": "nhung.nguyen@example.vn",
    "procedure_name": PROCEDURE,
    "procedure_code": "1.004222",
}


def make_supplement(**overrides: Any) -> SupplementRequest:
    values: Build = {
        "header": header(),
        "number": "15/PYCBS",
        **APPLICANT,
        "items": list(ITEMS),
        "reason": "Bản vẽ thiếu mặt cắt công trình; giấy chứng nhận chưa được chứng thực.",
        "supplement_due": datetime(2025, 10, 20, 10, 0, tzinfo=UTC),  # 17:00 in Vietnam
        "contact": "ông Trần Văn Bình, quầy số 5, điện thoại 0236 3822 111",
        "officer_name": "Trần Văn Bình",
        "is_second_request": False,
    }
    values.update(overrides)
    return SupplementRequest(**values)


def make_refusal(**overrides: Any) -> Refusal:
    values: Build = {
        "header": header(),
        "number": "07/PTC",
        **APPLICANT,
        "reason": "Thửa đất nằm trong khu vực đã có quyết định thu hồi đất.",
        "signer_name": "Lê Thị Mai",
        "signer_title": "Giám đốc",
    }
    values.update(overrides)
    return Refusal(**values)


def make_apology(**overrides: Any) -> ApologyExtension:
    values: Build = {
        "header": header(issuing_body="UBND TỈNH AN HÒA", centre_name="SỞ XÂY DỰNG"),
        "number": "112/SXD-VP",
        **APPLICANT,
        "received_at": RECEIVED,
        "original_due": datetime(2025, 10, 15, 9, 0, tzinfo=UTC),  # 16:00 on 15/10 in Vietnam
        # 20:30 on the 21st at UTC-5 is 01:30 UTC on the 22nd, 08:30 in Vietnam.
        "new_due": datetime(2025, 10, 21, 20, 30, tzinfo=timezone(timedelta(hours=-5))),
        "reason": "Cần lấy ý kiến phối hợp của Sở Nông nghiệp và Môi trường.",
        "signer_name": "Phạm Quốc Hưng",
        "signer_title": "Giám đốc",
    }
    values.update(overrides)
    return ApologyExtension(**values)


def make_stop(**overrides: Any) -> StopNotice:
    values: Build = {
        "header": header(centre_name="SỞ XÂY DỰNG"),
        "number": "09/TB-SXD",
        **APPLICANT,
        "received_at": RECEIVED,
        "stopped_at": datetime(2025, 10, 10, 8, 0, tzinfo=UTC),  # 15:00 in Vietnam
        "reason": "Ông/Bà có đơn đề nghị rút hồ sơ ngày 09/10/2025.",
        "requested_by_applicant": True,
        "fee_note": "Lệ phí đã nộp không được hoàn trả.",
        "signer_name": "Phạm Quốc Hưng",
        "signer_title": "Giám đốc",
    }
    values.update(overrides)
    return StopNotice(**values)


CONTROL_ROWS = [
    ControlRow(
        step_name="Chuyển hồ sơ đến cơ quan giải quyết",
        from_unit="Trung tâm Phục vụ hành chính công",
        to_unit="Sở Xây dựng",
        handed_over_at=datetime(2025, 10, 6, 8, 0, tzinfo=UTC),
        received_at=datetime(2025, 10, 6, 8, 30, tzinfo=UTC),
        step_due_at=datetime(2025, 10, 7, 10, 0, tzinfo=UTC),
        result="Trước hạn",
    ),
    ControlRow(
        step_name="Thẩm định hồ sơ",
        from_unit="Văn thư Sở Xây dựng",
        to_unit="Phòng Quản lý xây dựng",
        handed_over_at=datetime(2025, 10, 7, 2, 0, tzinfo=UTC),
        received_at=datetime(2025, 10, 7, 2, 10, tzinfo=UTC),
        step_due_at=datetime(2025, 10, 10, 10, 0, tzinfo=UTC),
        result="Đúng hạn",
        note="Đã xin ý kiến phối hợp",
    ),
    ControlRow(
        step_name="Trả kết quả về Bộ phận Một cửa",
        from_unit="Phòng Quản lý xây dựng",
        to_unit="Trung tâm Phục vụ hành chính công",
        handed_over_at=datetime(2025, 10, 15, 2, 0, tzinfo=UTC),
        received_at=None,
        step_due_at=datetime(2025, 10, 14, 10, 0, tzinfo=UTC),
        result="Quá hạn",
    ),
]


def make_control(**overrides: Any) -> ControlSlip:
    values: Build = {
        "header": header(),
        "applicant_name": NAME,
        "procedure_name": PROCEDURE,
        "procedure_code": "1.004222",
        "received_at": RECEIVED,
        "due_at": datetime(2025, 10, 15, 9, 0, tzinfo=UTC),
        "rows": list(CONTROL_ROWS),
    }
    values.update(overrides)
    return ControlSlip(**values)


def book_code(i: int) -> str:
    return f"000.00.01.H99-2510{1 + i // 40:02d}-{i + 1:04d}"


def book_row(i: int, **overrides: Any) -> BookRow:
    received = datetime(2025, 10, 1, 2, 0, tzinfo=UTC) + timedelta(hours=3 * i)
    values: Build = {
        "number": i + 1,
        "dossier_code": book_code(i),
        "procedure_name": PROCEDURE if i % 2 else "Đăng ký khai sinh",
        "sets_count": 1 + i % 2,
        "applicant_name": f"{NAME} {i + 1}",
        "applicant_address": "Số 12, đường Lê Lợi, phường Hòa Bình",
        "applicant_phone": "0912 345 678",
        "agency_name": "Sở Xây dựng" if i % 2 else "UBND phường Hòa Bình",
        "received_at": received,
        "due_at": received + timedelta(days=7),
        "transferred_at": received + timedelta(hours=4) if i % 3 else None,
        "result_received_at": received + timedelta(days=6) if i % 3 == 1 else None,
        "delivered_at": received + timedelta(days=7) if i % 3 == 1 else None,
        "note": "Trả qua bưu chính" if i % 5 == 0 else "",
    }
    values.update(overrides)
    return BookRow(**values)


def make_book(rows: int = 30, **overrides: Any) -> TrackingBook:
    values: Build = {
        "header": header(
            dossier_code="", lookup_url="", issued_at=datetime(2025, 11, 1, 1, 0, tzinfo=UTC)
        ),
        "period_from": date(2025, 10, 1),
        "period_to": date(2025, 10, 31),
        "rows": [book_row(i) for i in range(rows)],
    }
    values.update(overrides)
    return TrackingBook(**values)


MAKERS: dict[str, Callable[..., Paper]] = {
    "02": make_supplement,
    "03": make_refusal,
    "04": make_apology,
    "05": make_stop,
    "06": make_control,
}
ALL_MAKERS: dict[str, Callable[..., Paper]] = {**MAKERS, "07": make_book}


@cache
def pdf_of(form: str) -> bytes:
    return render_pdf(ALL_MAKERS[form]())


@cache
def text_of(form: str) -> str:
    return pdf_text(pdf_of(form))


def pdf_text(pdf: bytes) -> str:
    """All pages' text with runs of whitespace (line breaks inside cells) made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    mm = 25.4 / 72
    return [
        (round(float(p.mediabox.width) * mm), round(float(p.mediabox.height) * mm))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


# ---- Registry ----


def test_registry_picks_the_2025_templates_from_15_september_2025() -> None:
    start = date(2025, 9, 15)
    assert registry.template_for(form="02", on=start) == "papers/2025/form02_supplement.html"
    assert registry.template_for(form="07", on=date(2026, 3, 1)) == (
        "papers/2025/form07_tracking_book.html"
    )
    version = registry.version_for("05", on=start)
    assert version.set_name == registry.SET_2025
    assert version.effective_from == start
    for form in ("02", "03", "04", "05", "06", "07"):
        assert registry.version_for(form, on=start).template.startswith("papers/2025/")


def test_registry_form_01_is_shared_by_both_sets() -> None:
    old = registry.version_for("01", on=date(2025, 4, 24))
    new = registry.version_for("01", on=date(2025, 10, 6))
    assert old == new
    assert old.template == "papers/form01_receipt.html"


def test_registry_has_no_2018_forms_02_to_07() -> None:
    with pytest.raises(registry.FormNotInForceError, match=r"14/09/2025.*15/09/2025"):
        registry.template_for(form="02", on=date(2025, 9, 14))
    with pytest.raises(registry.FormNotInForceError, match="not implemented"):
        registry.version_for("06", on=date(2024, 1, 1))


@pytest.mark.parametrize("form", ["08", "00", "2a", "", "Mẫu 02"])
def test_registry_refuses_a_form_that_does_not_exist(form: str) -> None:
    with pytest.raises(registry.UnknownFormError, match=r"no official form .*01, 02, .*07"):
        registry.template_for(form=form, on=date(2025, 10, 1))


def test_registry_reads_form_numbers_leniently_and_days_strictly() -> None:
    assert registry.version_for("2", on=date(2025, 10, 1)).form == "02"
    assert registry.known_forms() == ("01", "02", "03", "04", "05", "06", "07")
    with pytest.raises(TypeError, match="calendar day"):
        registry.version_for("02", on=datetime(2025, 10, 1, tzinfo=UTC))


def test_registry_entries_are_consistent() -> None:
    keys = [(e.form, e.effective_from) for e in registry.FORM_VERSIONS]
    assert len(keys) == len(set(keys))
    for entry in registry.FORM_VERSIONS:
        assert entry.title == entry.title.upper()
        assert unicodedata.is_normalized("NFC", entry.title)
        get_template(entry.template)  # exists and parses


def test_the_paper_type_picks_the_form_and_its_issue_day_the_version() -> None:
    assert [form_number(make()) for make in ALL_MAKERS.values()] == list(ALL_MAKERS)
    # 20:00 UTC on 14 Sep is 03:00 on 15 Sep in Vietnam: the 2025 set is in force.
    late = make_refusal(header=header(issued_at=datetime(2025, 9, 14, 20, 0, tzinfo=UTC)))
    assert issue_day(late) == date(2025, 9, 15)
    assert "PHIẾU TỪ CHỐI" in paper_html(late)
    early = make_refusal(header=header(issued_at=datetime(2025, 9, 14, 16, 0, tzinfo=UTC)))
    with pytest.raises(registry.FormNotInForceError):
        paper_html(early)
    # A reprint can name the day whose version it wants.
    assert "PHIẾU TỪ CHỐI" in paper_html(early, on=date(2025, 10, 1))


def test_render_pdf_also_renders_form_01() -> None:
    slip = ReceiptSlip(
        issuing_body="UBND TỈNH AN HÒA",
        centre_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        place="An Hòa",
        dossier_code=CODE,
        lookup_url=URL,
        procedure_code="1.004222",
        procedure_name=PROCEDURE,
        components=["Tờ khai (bản chính)"],
        sets_count=1,
        duration_label="07 ngày làm việc",
        received_at=RECEIVED,
        due_at=datetime(2025, 10, 15, 9, 0, tzinfo=UTC),
        due_explanation=[],
        return_place="Tại Trung tâm",
        fees=[],
        channel_label="Trực tiếp tại quầy",
        officer_name="Trần Văn Bình",
        ledger_number="",
        **{k: v for k, v in APPLICANT.items() if k.startswith("applicant_")},
    )
    assert form_number(slip) == "01"
    text = pdf_text(render_pdf(slip))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert NAME in text


def test_render_pdf_refuses_what_is_not_a_paper() -> None:
    with pytest.raises(TypeError, match="not an official paper"):
        render_pdf(header())  # type: ignore[arg-type]


# ---- Every form: PDF basics ----

TITLES = {
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
}


@pytest.mark.parametrize("form", list(ALL_MAKERS))
def test_pdf_carries_title_code_and_applicant(form: str) -> None:
    pdf = pdf_of(form)
    assert pdf.startswith(b"%PDF")
    text = text_of(form)
    assert registry.title_for(form, date(2025, 10, 1)) == TITLES[form]
    assert TITLES[form] in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    if form == "07":
        assert book_code(0) in text
        assert f"{NAME} 1" in text
        assert "An Hòa, ngày 01 tháng 11 năm 2025" in text
    else:
        assert f"Mã hồ sơ: {CODE}" in text
        assert NAME in text  # diacritics intact, not split into base letters + marks
        assert "An Hòa, ngày 13 tháng 10 năm 2025" in text


@pytest.mark.parametrize(
    ("form", "size"),
    [("02", (148, 210)), ("03", (148, 210)), ("04", (148, 210)), ("05", (148, 210)),
     ("06", (297, 210)), ("07", (297, 210))],
)  # fmt: skip
def test_page_size(form: str, size: tuple[int, int]) -> None:
    sizes = page_sizes_mm(pdf_of(form))
    assert set(sizes) == {size}
    if form != "07":
        assert len(sizes) == 1


@pytest.mark.parametrize("form", list(MAKERS))
def test_forms_02_to_06_carry_the_qr_and_barcode(form: str) -> None:
    html = paper_html(MAKERS[form]())
    assert barcodes.qr_svg(URL) in html
    assert barcodes.code128_svg(CODE) in html
    assert html.index('class="header-qr"') < html.index('class="header-issuer"')
    assert "Mã hồ sơ: <strong>" + CODE in html


def test_form_07_carries_no_qr() -> None:
    html = paper_html(make_book(rows=3))
    assert 'class="qr"' not in html
    assert 'class="code128"' not in html
    assert "header-qr" not in html


@pytest.mark.parametrize("form", list(MAKERS))
def test_forms_02_to_06_need_a_dossier_code_and_lookup_url(form: str) -> None:
    with pytest.raises(ValueError, match="lookup URL"):
        render_pdf(MAKERS[form](header=header(lookup_url="")))


@pytest.mark.parametrize(
    ("form", "hint", "recipients"),
    [("02", "(Ký, ghi rõ họ tên)", False), ("03", "(Ký, ghi rõ họ tên)", False),
     ("04", "(Ký, ghi rõ họ tên, đóng dấu)", True), ("05", "(Ký, ghi rõ họ tên, đóng dấu)", True)],
)  # fmt: skip
def test_forms_02_to_05_close_with_the_lookup_and_their_signature_block(
    form: str, hint: str, recipients: bool
) -> None:
    text = text_of(form)
    assert "Tra cứu tình trạng hồ sơ: quét mã QR" in text
    assert hint in text
    assert ("Nơi nhận:" in text) is recipients
    assert ("Lưu: VT." in text) is recipients
    assert "Số điện thoại:" in text  # the applicant's contact lines under the name


# ---- Form-specific facts ----


def test_form02_lists_items_reason_due_and_contact() -> None:
    text = text_of("02")
    assert "Số: 15/PYCBS" in text
    for component, kind in ITEMS:
        assert component in text
        assert kind in text
    assert "Bản vẽ thiếu mặt cắt công trình; giấy chứng nhận chưa được chứng thực." in text
    assert "trước 17 giờ 00 phút, ngày 20/10/2025" in text
    assert "ông Trần Văn Bình, quầy số 5" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "Yêu cầu bổ sung lần 2" not in text


def test_form02_second_request_is_marked() -> None:
    text = pdf_text(render_pdf(make_supplement(is_second_request=True, supplement_due=None)))
    assert "Yêu cầu bổ sung lần 2" in text
    assert "Thời hạn bổ sung" not in text


def test_form03_gives_the_reason_and_signer() -> None:
    text = text_of("03")
    assert "Lý do từ chối: Thửa đất nằm trong khu vực đã có quyết định thu hồi đất." in text
    assert "GIÁM ĐỐC" in text
    assert "Lê Thị Mai" in text


def test_form04_apologises_with_both_appointments_in_vietnam_time() -> None:
    text = text_of("04")
    assert "Kính gửi: Ông/Bà " + NAME in text
    assert "Thời gian tiếp nhận hồ sơ: 10 giờ 00 phút, ngày 06/10/2025" in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 15/10/2025" in text
    assert "Thời gian hẹn trả kết quả mới: 08 giờ 30 phút, ngày 22/10/2025" in text
    assert "xin lỗi Ông/Bà" in text
    assert "hẹn trả kết quả vào 08 giờ 30 phút, ngày 22/10/2025" in text
    assert "Cần lấy ý kiến phối hợp của Sở Nông nghiệp và Môi trường." in text
    assert "Phạm Quốc Hưng" in text


def test_form04_new_appointment_must_be_later() -> None:
    with pytest.raises(ValueError, match="must be after"):
        make_apology(new_due=datetime(2025, 10, 15, 9, 0, tzinfo=UTC))


def test_form05_gives_the_reason_and_the_stop_time() -> None:
    text = text_of("05")
    assert "Ông/Bà có đơn đề nghị rút hồ sơ ngày 09/10/2025." in text
    assert "Theo đề nghị của Ông/Bà, việc giải quyết hồ sơ được dừng kể từ 15 giờ 00 phút" in text
    assert "được tiếp nhận lúc 10 giờ 00 phút, ngày 06/10/2025" in text
    assert "Lệ phí đã nộp không được hoàn trả." in text


def test_form05_stopped_by_the_agency_and_without_fee_note() -> None:
    html = paper_html(make_stop(requested_by_applicant=False, fee_note=""))
    assert "Theo đề nghị của Ông/Bà" not in html
    assert "Việc giải quyết hồ sơ được dừng" in html
    assert "Phí, lệ phí" not in html


def test_form06_lists_every_hand_over() -> None:
    text = text_of("06")
    for row in CONTROL_ROWS:
        assert row.step_name in text
        assert f"Giao: {row.from_unit}" in text
        assert f"Nhận: {row.to_unit}" in text
        assert row.result in text
    assert "Giao: 15 giờ 00 phút, ngày 06/10/2025" in text
    assert "Nhận: 15 giờ 30 phút, ngày 06/10/2025" in text
    assert "Đã xin ý kiến phối hợp" in text
    # The missing time of the last row is a blank to fill in by hand.
    assert "Nhận: " + " ".join(BLANK_MOMENT.split()) in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 15/10/2025" in text


def test_form06_refuses_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="result"):
        replace(CONTROL_ROWS[0], result="Sớm")
    nfd = replace(CONTROL_ROWS[0], result=unicodedata.normalize("NFD", "Quá hạn"))
    assert "Quá hạn" in paper_html(make_control(rows=[nfd]))


def test_form07_prints_the_period_and_every_dossier() -> None:
    text = text_of("07")
    assert "Từ ngày 01/10/2025 đến ngày 31/10/2025" in text
    for i in range(30):
        assert book_code(i) in text
    assert "Tổng số: 30 hồ sơ, 45 bộ." in text


def test_form07_long_book_runs_over_pages_repeating_its_header() -> None:
    pdf = render_pdf(make_book(rows=120))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        assert "Mã hồ sơ" in text  # the table header repeats
        assert "Trang" in text
    text = pdf_text(pdf)
    assert book_code(119) in text
    assert "Tổng số: 120 hồ sơ" in text


CONTACT = "Số 12 đường Lê Lợi, phường Bắc An, tỉnh An Hòa"
LAND = (
    "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các "
    "trường hợp chuyển đổi quyền sử dụng đất nông nghiệp mà không theo phương án dồn điền"
)


def realistic_book(rows: int) -> TrackingBook:
    lines = [
        book_row(
            i,
            procedure_code="1.004222",
            procedure_name=LAND if i % 2 else "Đăng ký khai sinh",
            applicant_address=CONTACT,
        )
        for i in range(rows)
    ]
    return replace(make_book(rows=0), rows=lines)


def test_form07_is_a_compact_register_of_some_twenty_dossiers_a_page() -> None:
    # ~25 dossiers took 9 A4 pages: long procedure names ran down their narrow column
    reader = PdfReader(io.BytesIO(render_pdf(realistic_book(25))))
    assert len(reader.pages) <= 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert book_code(19) in first  # twenty dossiers on the first page, under the letterhead
    reader = PdfReader(io.BytesIO(render_pdf(realistic_book(120))))
    assert len(reader.pages) <= 6
    text = pdf_text(render_pdf(realistic_book(2)))
    assert "1.004222 — Đăng ký biến động quyền sử dụng đất" in text
    assert "dồn điền" not in text  # cut at a word, with "…"; the XLSX keeps it whole
    assert f"{CONTACT}; ĐT: 0912 345 678" in " ".join(text.split())


def test_form07_as_xlsx_keeps_every_column_and_whole_names() -> None:
    from openpyxl import load_workbook

    from motcua.dossiers.papers.book_xlsx import render_book_xlsx

    sheet = load_workbook(io.BytesIO(render_book_xlsx(realistic_book(30)))).active
    assert sheet["A5"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A6"].value == "Từ ngày 01/10/2025 đến ngày 31/10/2025"
    assert sheet["H8"].value == "Ngày, tháng, năm"
    assert [sheet.cell(row=10, column=c).value for c in (1, 13)] == ["(1)", "(13)"]
    assert sheet["B11"].value == book_code(0)
    assert sheet["C12"].value == f"1.004222 — {LAND}"
    assert sheet["F11"].value == f"{CONTACT}; ĐT: 0912 345 678"
    received = sheet["H11"].value
    assert (received.day, received.hour) == (1, 9)  # 02:00 UTC is 09:00 in Vietnam
    assert sheet["B40"].value == book_code(29)
    assert sheet["A41"].value == "Tổng số: 30 hồ sơ, 45 bộ."


def test_form07_empty_book_and_bad_period() -> None:
    assert "Không có hồ sơ trong kỳ." in paper_html(make_book(rows=0))
    with pytest.raises(ValueError, match="period"):
        make_book(period_from=date(2025, 11, 1))


# ---- Escaping and NFC, every form ----

SCRIPT = '<script>alert("x")</script> Lê Văn A'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Lê Văn A"


def with_applicant(form: str, name: str) -> Paper:
    """The form's paper with `name` as the applicant and in a few other free-text fields."""
    if form == "07":
        row = book_row(0, applicant_name=name, agency_name=name, note=name)
        return replace(make_book(rows=0), rows=[row])
    if form == "06":
        rows = [replace(CONTROL_ROWS[0], to_unit=name, note=name)]
        return make_control(applicant_name=name, rows=rows)
    return MAKERS[form](applicant_name=name, reason=name)


@pytest.mark.parametrize("form", list(ALL_MAKERS))
def test_html_escapes_text(form: str) -> None:
    html = paper_html(with_applicant(form, SCRIPT))
    assert "<script>" not in html
    assert ESCAPED in html


@pytest.mark.parametrize("form", list(ALL_MAKERS))
def test_html_normalises_to_nfc(form: str) -> None:
    nfd = unicodedata.normalize("NFD", NAME)
    assert nfd != NAME
    paper = with_applicant(form, nfd)
    html = paper_html(paper)
    assert NAME in html
    assert nfd not in html
    assert unicodedata.is_normalized("NFC", html)


def test_nfd_header_and_items_come_out_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Giấy chứng nhận quyền sử dụng đất")
    paper = make_supplement(
        header=header(issuing_body=unicodedata.normalize("NFD", "UBND TỈNH AN HÒA")),
        items=[(nfd, unicodedata.normalize("NFD", "bản chính"))],
    )
    html = paper_html(paper)
    assert unicodedata.is_normalized("NFC", html)
    assert "UBND TỈNH AN HÒA" in html
    assert 'Giấy chứng nhận quyền sử dụng đất</td><td class="kind">bản chính' in html


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_pdf(make_refusal(header=header(issued_at=datetime(2025, 10, 13, 9, 0))))


def test_papers_are_frozen() -> None:
    paper = make_refusal()
    with pytest.raises(AttributeError):
        paper.reason = "x"  # type: ignore[misc]


def test_preview_links_both_stylesheets_and_the_pdf_html_none() -> None:
    preview = paper_html(make_refusal())
    assert f'href="{static("papers/paper.css")}"' in preview
    assert f'href="{static("papers/forms2025.css")}"' in preview
    assert "stylesheet" not in paper_html(make_refusal(), preview=False)
