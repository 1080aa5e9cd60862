"""Form 01, the receipt and appointment slip: PDF content, fonts, QR, barcode, escaping.

No database: the slip is a plain dataclass, rendered from templates and a stylesheet on disk.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import segno
from barcode.charsets import code128 as c128
from pypdf import PdfReader

from motcua.dossiers.papers import barcodes
from motcua.dossiers.papers.receipt import (
    TITLE,
    ReceiptSlip,
    format_moment,
    format_place_date,
    format_vnd,
    receipt_html,
    render_receipt_pdf,
)
from motcua.dossiers.papers.rendering import LocalOnlyFetcher

CODE = "000.00.01.H99-250424-0001"
URL = "https://dichvucong.anhoa.gov.vn/tra-cuu/000.00.01.H99-250424-0001"
NAME = "Nguyễn Thị Hồng Nhung"
COMPONENTS = [
    "Tờ khai đăng ký khai sinh (bản chính)",
    "Giấy chứng sinh (bản chính)",
    "Giấy chứng nhận kết hôn của cha, mẹ (bản sao có chứng thực)",
    "Văn bản ủy quyền (bản chính)",
]


def make_slip(**overrides: object) -> ReceiptSlip:
    values: dict[str, object] = {
        "issuing_body": "UBND TỈNH AN HÒA",
        "centre_name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "place": "An Hòa",
        "dossier_code": CODE,
        "lookup_url": URL,
        "applicant_name": NAME,
        "applicant_address": "Số 12, đường Lê Lợi, phường Hòa Bình, tỉnh An Hòa",
        "applicant_phone": "0912 345 678",
        "applicant_email": "nhung.nguyen@example.vn",
        "procedure_code": "1.004222",
        "procedure_name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "components": list(COMPONENTS),
        "sets_count": 1,
        "duration_label": "07 ngày làm việc",
        # 03:00 UTC is 10:00 in Asia/Ho_Chi_Minh (UTC+7, no DST).
        "received_at": datetime(2025, 4, 24, 3, 0, tzinfo=UTC),
        "due_at": datetime(2025, 5, 7, 3, 0, tzinfo=UTC),
        "due_explanation": [
            "Tính từ ngày làm việc tiếp theo sau ngày nhận hồ sơ.",
            "Không tính thứ Bảy, Chủ nhật và các ngày nghỉ lễ 30/4, 01/5, 02/5.",
        ],
        "return_place": "Tại Trung tâm Phục vụ hành chính công tỉnh An Hòa",
        "fees": [],
        "fees_summary": "75.000 đồng (Lệ phí cấp giấy phép xây dựng)",
        "channel_label": "Trực tiếp tại quầy",
        "officer_name": "Trần Văn Bình",
        "ledger_number": "Quyển 01, số 125",
    }
    values.update(overrides)
    return ReceiptSlip(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_receipt_pdf(make_slip())


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() for page in reader.pages)


# ---- The PDF ----


def test_pdf_is_one_a5_page(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    mm = 25.4 / 72
    assert round(float(box.width) * mm) == 148
    assert round(float(box.height) * mm) == 210


def test_pdf_text_has_the_slip_content(pdf_text: str) -> None:
    assert CODE in pdf_text
    assert NAME in pdf_text  # diacritics intact, not split into base letters + marks
    assert TITLE == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert TITLE in pdf_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text
    assert "Độc lập - Tự do - Hạnh phúc" in pdf_text
    assert "An Hòa, ngày 24 tháng 4 năm 2025" in pdf_text
    assert "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 24/04/2025" in pdf_text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 10 giờ 00 phút, ngày 07/05/2025" in pdf_text
    assert "Giấy chứng nhận kết hôn của cha, mẹ (bản sao có chứng thực)" in pdf_text
    assert "75.000 đồng" in pdf_text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pdf_text
    assert "Trần Văn Bình" in pdf_text


def test_pdf_embeds_liberation_serif_only(pdf_bytes: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts: set[str] = set()

    def collect(resources: Any) -> None:
        resources = resources.get_object() if hasattr(resources, "get_object") else resources
        if not resources:
            return
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for desc in descendants:
                desc = desc.get_object()
                descriptor = desc.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
        for xobject in resources.get("/XObject", {}).values():
            collect(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        collect(page["/Resources"])
    assert fonts, "no fonts found"
    assert all(name.startswith("Liberation-Serif") for name in fonts), fonts
    assert {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"} <= fonts


LONG_NAME = (
    "Công ty Trách nhiệm hữu hạn Một thành viên Thương mại và Dịch vụ Xuất nhập khẩu "
    "Nguyễn Hoàng Phúc Long"
)


def test_fifteen_long_components_a_long_name_and_three_fees_fit_one_a5_page() -> None:
    components = [
        f"{COMPONENTS[i % 4]} kèm bản sao có chứng thực của cơ quan có thẩm quyền — tờ {i + 1}"
        for i in range(15)
    ]
    slip = make_slip(
        components=components,
        applicant_name=LONG_NAME,
        applicant_address="Số 128/45/12, đường Nguyễn Thị Minh Khai, khu phố 3, phường Hòa Bình, "
        "thành phố An Hòa, tỉnh An Hòa",
        fees_summary="200.000 đồng hoặc 100.000 đồng tùy trường hợp",
        fees=[
            ("Phí thẩm định hồ sơ đề nghị cấp giấy phép", "150.000 đồng"),
            ("Lệ phí cấp giấy", "50.000 đồng"),
            ("Phí cấp thêm bản sao", "5.000 đồng mỗi bản"),
        ],
    )
    reader = PdfReader(io.BytesIO(render_receipt_pdf(slip)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "tờ 15" in text
    assert "Nguyễn Hoàng Phúc Long" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Văn Bình" in text


def test_forty_components_flow_onto_a_second_page_with_the_signatures_together() -> None:
    components = [f"{COMPONENTS[i % 4]} — tờ {i + 1}" for i in range(40)]
    pdf = render_receipt_pdf(make_slip(components=components))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "tờ 40" in text
    last = reader.pages[1].extract_text()
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in last
    assert "Trần Văn Bình" in last


def test_six_components_with_long_lines_still_fit_one_page() -> None:
    slip = make_slip(
        components=[*COMPONENTS, "Bản vẽ thiết kế (bản chính)", "Giấy tờ về quyền sử dụng đất"],
        applicant_address="Số 12, đường Lê Lợi, phường Hòa Bình, thành phố An Hòa, tỉnh An Hòa",
    )
    assert len(PdfReader(io.BytesIO(render_receipt_pdf(slip))).pages) == 1


# ---- The HTML ----


def test_html_escapes_applicant_text() -> None:
    html = receipt_html(make_slip(applicant_name='<script>alert("x")</script> Lê Văn A'))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Lê Văn A" in html


def test_html_normalises_to_nfc() -> None:
    nfd_name = unicodedata.normalize("NFD", NAME)
    nfd_component = unicodedata.normalize("NFD", COMPONENTS[0])
    assert nfd_name != NAME
    html = receipt_html(make_slip(applicant_name=nfd_name, components=[nfd_component]))
    assert NAME in html
    assert COMPONENTS[0] in html
    assert nfd_name not in html
    assert unicodedata.is_normalized("NFC", html)


def test_html_omits_empty_contact_lines_and_prints_no_fee() -> None:
    html = receipt_html(
        make_slip(applicant_address="", applicant_phone="", applicant_email="", fees_summary="")
    )
    assert "Địa chỉ:" not in html
    assert "Số điện thoại:" not in html
    assert "E-mail:" not in html
    assert "Phí, lệ phí: Không" in html


def test_html_prints_the_fee_summary_and_its_rows_as_given() -> None:
    html = receipt_html(
        make_slip(
            fees_summary="70.000 đồng",
            fees=[("Phí thẩm định", "50.000 đồng"), ("Lệ phí", "20.000 đồng")],
        )
    )
    assert "7. Phí, lệ phí: 70.000 đồng" in html
    assert "Phí thẩm định: 50.000 đồng" in html
    assert "Lệ phí: 20.000 đồng" in html


def test_html_carries_the_qr_of_the_lookup_url_and_the_barcode() -> None:
    html = receipt_html(make_slip())
    assert barcodes.qr_svg(URL) in html
    assert barcodes.code128_svg(CODE) in html
    assert "Mã hồ sơ: <strong>" + CODE in html


# ---- Formatting ----


def test_times_are_printed_in_vietnam_time() -> None:
    late_utc = datetime(2025, 4, 23, 20, 30, tzinfo=UTC)  # already the 24th in Vietnam
    assert format_moment(late_utc) == "03 giờ 30 phút, ngày 24/04/2025"
    plus7 = datetime(2025, 4, 24, 10, 0, tzinfo=timezone(timedelta(hours=7)))
    assert format_moment(plus7) == "10 giờ 00 phút, ngày 24/04/2025"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_moment(datetime(2025, 4, 24, 10, 0))


def test_place_date_follows_decree_30() -> None:
    # Days 1–9 and months 1–2 take a leading zero; months 3–12 do not.
    assert format_place_date("An Hòa", datetime(2025, 4, 24, 3, tzinfo=UTC)) == (
        "An Hòa, ngày 24 tháng 4 năm 2025"
    )
    assert format_place_date("Huế", datetime(2025, 2, 5, 3, tzinfo=UTC)) == (
        "Huế, ngày 05 tháng 02 năm 2025"
    )
    assert format_place_date("Huế", datetime(2025, 12, 31, 3, tzinfo=UTC)) == (
        "Huế, ngày 31 tháng 12 năm 2025"
    )


def test_format_vnd() -> None:
    assert format_vnd(20000) == "20.000 đồng"
    assert format_vnd(1250000) == "1.250.000 đồng"
    assert format_vnd(0) == "0 đồng"


# ---- QR code ----

_RECT = re.compile(r"M(\d+) (\d+)h(\d+)v([\d.]+)h-\d+z")


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert match, svg[:200]
    return float(match[1]), float(match[2])


def _drawn_qr(svg: str) -> list[list[bool]]:
    """Read the module grid back from the SVG path (border included)."""
    n = int(_svg_size(svg)[0])
    grid = [[False] * n for _ in range(n)]
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg)
    assert path
    for x, y, w, h in _RECT.findall(path[1]):
        assert float(h) == 1
        for dx in range(int(w)):
            grid[int(y)][int(x) + dx] = True
    return grid


def test_qr_svg_draws_exactly_the_segno_symbol_for_the_url() -> None:
    svg = barcodes.qr_svg(URL)
    assert svg.startswith("<svg")
    assert 'width="22mm"' in svg
    drawn = _drawn_qr(svg)
    border = barcodes.QR_BORDER
    # The quiet zone is white...
    assert not any(drawn[y][x] for y in range(len(drawn)) for x in range(border))
    assert not any(any(row) for row in drawn[:border] + drawn[-border:])
    symbol = [row[border:-border] for row in drawn[border:-border]]
    # ... and the symbol is what segno makes for the URL: full QR, error correction M.
    expected = segno.make_qr(URL, error="m", boost_error=False)
    assert expected.error == "M"
    assert not expected.is_micro
    assert symbol == [[bool(m) for m in row] for row in expected.matrix]
    assert symbol == [list(row) for row in barcodes.qr_matrix(URL)]


def test_qr_differs_for_another_url() -> None:
    assert barcodes.qr_matrix(URL) != barcodes.qr_matrix(URL + "x")


# ---- Code 128 ----

_PATTERNS = {pattern: value for value, pattern in enumerate(c128.CODES)}
_STOP = "1100011101011"


def _decode_code128(modules: str) -> str:
    """Decode a Code 128 module string (quiet zones allowed) with sets A, B and C."""
    modules = modules.strip("0")
    assert modules.endswith(_STOP)
    body = modules[: -len(_STOP)]
    assert len(body) % 11 == 0
    values = [_PATTERNS[body[i : i + 11]] for i in range(0, len(body), 11)]
    start, *data, check = values
    assert check == (start + sum(i * v for i, v in enumerate(data, start=1))) % 103
    charset = {103: "A", 104: "B", 105: "C"}[start]
    out = []
    for value in data:
        if charset == "C" and value < 100:
            out.append(f"{value:02d}")
        elif value == 99 and charset != "C":
            charset = "C"
        elif value == 100 and charset != "B":
            charset = "B"
        elif value == 101 and charset != "A":
            charset = "A"
        elif (charset == "B" and value < 96) or (charset == "A" and value < 64):
            out.append(chr(value + 32))
        elif charset == "A" and value < 96:
            out.append(chr(value - 64))
        else:
            raise AssertionError(f"unsupported symbol {value} in set {charset}")
    return "".join(out)


def _drawn_barcode(svg: str) -> str:
    width = int(_svg_size(svg)[0])
    modules = ["0"] * width
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg)
    assert path
    for x, y, w, _h in _RECT.findall(path[1]):
        assert y == "0"
        for dx in range(int(w)):
            modules[int(x) + dx] = "1"
    return "".join(modules)


@pytest.mark.parametrize(
    "code", [CODE, "H15.50.05.13-261008-0975", "000.00.01.H99-250424-1234567", "G22.39-251231-0001"]
)
def test_code128_svg_decodes_to_the_dossier_code(code: str) -> None:
    svg = barcodes.code128_svg(code)
    assert svg.startswith("<svg")
    modules = _drawn_barcode(svg)
    assert modules.count("1") > 100  # bars are drawn
    assert modules.startswith("0" * 10)  # quiet zones
    assert modules.endswith("0" * 10)
    assert _decode_code128(modules) == code
    assert f">{code}</text>" in svg  # the human-readable line


def test_code128_refuses_non_ascii() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        barcodes.code128_svg("HỒ-SƠ-1")


# ---- Rendering safety ----


def test_renderer_fetches_nothing_from_the_network() -> None:
    fetcher = LocalOnlyFetcher(allowed_protocols=("file", "data"))
    with pytest.raises(ValueError, match="only load files"):
        fetcher.fetch("http://example.com/logo.png")
    with pytest.raises(ValueError, match="only load files"):
        fetcher.fetch("file:///etc/passwd")


def test_slip_is_frozen() -> None:
    slip = make_slip()
    with pytest.raises(AttributeError):
        slip.applicant_name = "x"  # type: ignore[misc]
    assert replace(slip, sets_count=2).sets_count == 2
