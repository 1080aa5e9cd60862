"""Form II.06a as XLSX and PDF, and the Decision 766 indicators, on the March 2025 history whose
answers are known (tests/reports/history.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from motcua.catalog.models import Unit
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from motcua.dossiers.papers.rendering import paper_html
from motcua.outbox.models import MessageStatus, OutboxMessage
from motcua.reports import drilldown, official
from motcua.reports.figures import ReportSpec
from motcua.reports.formats import render
from motcua.reports.indicators import compute_indicators, percent, points
from motcua.reports.pdf import TEMPLATE, context
from motcua.reports.report import Report, build_report
from tests.conftest import vn
from tests.reports.history import History

pytestmark = pytest.mark.django_db

MARCH = ["--unit", "AH", "--from", "2025-03-01", "--to", "2025-03-31"]
AGENCIES = ["AH-CAT-PV06", "AH-SGDDT", "AH-X01-CA", "AH-X01-UBND"]
FIRST_ROW = 11  # the form's header takes rows 1-10 (letterhead 1-3)


def march_report(by: str | None = "agency") -> Report:
    unit = Unit.objects.get(code="AH")
    return build_report(ReportSpec(unit=unit, start=date(2025, 3, 1), end=date(2025, 3, 31)), by)


# --- a tiny evaluator for the workbook's formulas ------------------------------------------

CELL = re.compile(r"^([A-Z]+)(\d+)$")


def value(sheet: Worksheet, ref: str) -> object:
    """The value a spreadsheet would show in `ref`: numbers as written, and the formulas
    motcua writes (sums of cells, SUM over a column range, the balance IF) evaluated."""
    content = sheet[ref].value
    if not (isinstance(content, str) and content.startswith("=")):
        return content
    formula = content[1:]
    if formula.startswith("SUM("):
        start, end = formula[4:-1].split(":")
        column, first = CELL.match(start).groups()  # type: ignore[union-attr]
        last = CELL.match(end).group(2)  # type: ignore[union-attr]
        return sum(value(sheet, f"{column}{row}") for row in range(int(first), int(last) + 1))  # type: ignore[misc]
    if formula.startswith("IF("):
        left, rest = formula[3:].split("=", 1)
        right = rest.split(",", 1)[0]
        return "Đúng" if value(sheet, left) == sum_of(sheet, right) else "Lệch"
    return sum_of(sheet, formula)


def sum_of(sheet: Worksheet, expression: str) -> int:
    return sum(value(sheet, ref) for ref in expression.split("+"))  # type: ignore[misc]


def workbook(report: Report):  # type: ignore[no-untyped-def]
    return load_workbook(BytesIO(render(report, "xlsx")))


# --- form II.06a -----------------------------------------------------------------------------


def test_the_form_columns_from_the_figures(march: History) -> None:
    cells = official.values(march_report(None).figures)
    # received 17 = online 3 + counter 13 + postal 1; carried 5
    assert (cells[3], cells[4], cells[5], cells[6]) == (22, 3, 14, 5)
    assert (cells[7], cells[8], cells[9], cells[10]) == (14, 7, 4, 3)  # F1, X2 same day: on time
    # pending within time R10 B1 + awaiting supplement R7 R9; overdue C3
    assert (cells[11], cells[12], cells[13]) == (5, 4, 1)
    assert cells[14] == 3  # R5 returned, R6 and B0 withdrawn
    assert cells[3] == cells[7] + cells[11] + cells[14]


def test_the_xlsx_form_adds_up_with_formulas(march: History) -> None:
    report = march_report()
    book = workbook(report)
    assert book.sheetnames == ["II.06a", "Chỉ số 766", "Đánh giá", "Tỷ lệ hài lòng", "Lượt phục vụ"]
    sheet = book["II.06a"]
    assert sheet["K1"].value == "Biểu số II.06a/VPCP/KSTT"
    assert (sheet["A1"].value, sheet["A2"].value) == (
        "UBND TỈNH AN HÒA",  # the governing body, from the unit tree
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH AN HÒA",
    )
    assert sheet["E1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert sheet["A5"].value == "Kỳ báo cáo: từ ngày 01/03/2025 đến ngày 31/03/2025"
    assert sheet["C8"].value == "Số hồ sơ nhận giải quyết" and sheet["N8"].value == (
        "Trả lại, rút hồ sơ"
    )
    assert [sheet.cell(row=10, column=c).value for c in (1, 3, 14)] == ["(1)", "(3)", "(14)"]
    rows = range(FIRST_ROW, FIRST_ROW + len(AGENCIES))
    # agencies by name only: an internal unit code means nothing on a signed form
    names = [Unit.objects.get(code=code).name for code in AGENCIES]
    assert [sheet[f"B{r}"].value for r in rows] == names
    total = FIRST_ROW + len(AGENCIES)
    assert sheet[f"B{total}"].value == "Tổng cộng"
    # totals are formulas, not numbers
    assert sheet[f"C{FIRST_ROW}"].value == f"=D{FIRST_ROW}+E{FIRST_ROW}+F{FIRST_ROW}"
    assert sheet[f"K{FIRST_ROW}"].value == f"=L{FIRST_ROW}+M{FIRST_ROW}"
    assert sheet[f"D{total}"].value == f"=SUM(D{FIRST_ROW}:D{total - 1})"
    # evaluated, the Tổng cộng line is the report's totals, and every line balances
    expected = official.values(report.figures)
    for column in range(3, 15):
        letter = get_column_letter(column)
        assert value(sheet, f"{letter}{total}") == expected[column], column
    for row in [*rows, total]:
        assert value(sheet, f"O{row}") == "Đúng"
    # the rows are the report's rows
    for row, report_row in zip(rows, report.rows, strict=True):
        assert value(sheet, f"J{row}") == report_row.figures["resolved.late"]


def test_the_xlsx_indicators_sheet_shows_formulas(march: History) -> None:
    sheet = workbook(march_report())["Chỉ số 766"]
    ids = [sheet[f"A{row}"].value for row in range(4, 13)]
    assert ids == ["2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4"]
    assert (sheet["D4"].value, sheet["E4"].value) == (15, 19)
    assert sheet["F4"].value == '=IF(E4=0,"—",ROUND(D4/E4*100,2))'
    assert "÷" in sheet["C4"].value
    assert sheet["F7"].value == "Chưa tính được"  # 3.6: no payment data
    assert sheet["J12"].value.startswith("=IF(ISNUMBER(F12)")  # 5.4 scored
    assert sheet["A14"].value == "Chỉ số 2.2 theo từng thủ tục"


def test_the_ratings_sheet(march: History) -> None:
    sheet = workbook(march_report())["Đánh giá"]
    assert sheet["C3"].value == 5
    lines = {
        (sheet[f"A{r}"].value, sheet[f"B{r}"].value): sheet[f"C{r}"].value for r in range(6, 20)
    }
    assert lines[("Mức độ hài lòng chung", "Không hài lòng")] == 1
    assert lines[("Thái độ của cán bộ", "Rất lịch sự, thân thiện")] == 2
    codes = {"overall", "attitude", "very_satisfied", "dissatisfied", "very_polite", "normal"}
    assert not codes & {value for pair in lines for value in pair}


def test_the_form_ends_with_the_place_date_line_and_the_signatures(march: History) -> None:
    sheet = workbook(march_report())["II.06a"]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    place_date = [t for t in texts if isinstance(t, str) and t.startswith("An Hòa, ngày ")]
    assert len(place_date) == 1 and re.fullmatch(
        r"An Hòa, ngày \d\d tháng \d\d? năm \d{4}", place_date[0]
    )
    assert "NGƯỜI LẬP BIỂU" in texts and "THỦ TRƯỞNG ĐƠN VỊ" in texts
    pdf = render(march_report(), "pdf")
    reader = PdfReader(BytesIO(pdf))
    first = " ".join(reader.pages[0].extract_text().split())
    assert place_date[0] in first
    assert "NGƯỜI LẬP BIỂU" in first and "THỦ TRƯỞNG ĐƠN VỊ" in first
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH AN HÒA" in first
    assert "motcua" not in " ".join(page.extract_text() for page in reader.pages)


def test_a_commune_centres_report_is_headed_by_the_communes_committee(march: History) -> None:
    unit = Unit.objects.get(code="AH-X01")
    report = build_report(
        ReportSpec(unit=unit, start=date(2025, 3, 1), end=date(2025, 3, 31)), "agency"
    )
    sheet = workbook(report)["II.06a"]
    assert sheet["A1"].value == "UBND XÃ ĐÔNG HÒA"
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert any(isinstance(t, str) and t.startswith("Đông Hòa, ngày ") for t in texts)


def test_an_empty_period_still_prints_a_balanced_form(march: History) -> None:
    unit = Unit.objects.get(code="AH")
    report = build_report(
        ReportSpec(unit=unit, start=date(2024, 1, 1), end=date(2024, 1, 31)), "agency"
    )
    sheet = workbook(report)["II.06a"]
    assert sheet[f"B{FIRST_ROW}"].value == "Tổng cộng"
    assert value(sheet, f"C{FIRST_ROW}") == 0 and value(sheet, f"O{FIRST_ROW}") == "Đúng"
    assert render(report, "pdf").startswith(b"%PDF-")


def test_the_pdf_prints_the_same_lines_and_the_indicators(march: History) -> None:
    report = march_report()
    data = context(report)
    assert [line["values"] for line in data["lines"]] == [
        [official.values(row.figures)[n] for n in range(3, 15)] for row in report.rows
    ]
    assert data["total"]["values"] == [official.values(report.figures)[n] for n in range(3, 15)]
    html = paper_html(TEMPLATE, data, preview=False)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Biểu số II.06a/VPCP/KSTT" in html
    assert "Kỳ báo cáo: từ ngày 01/03/2025 đến ngày 31/03/2025" in html
    assert "78,95 %" in html  # indicator 2.1
    assert "Chưa tính được" in html  # 3.6
    assert "Số liệu cân đối" in html
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


# --- the indicators --------------------------------------------------------------------------


def test_the_indicators_of_march(march: History) -> None:
    found = {i.id: i for i in compute_indicators(march_report(None))}
    # 2.1: early 9 + on time 2 (one supplement at most), pending within 2 + awaiting 2
    assert (found["2.1"].numerator, found["2.1"].denominator) == (15, 19)
    assert found["2.1"].value == Decimal("78.95")
    # 2.2: received in March and resolved by 31 March: B2 R1 R2 R3 R4 R8 R11 R12 F1 X1 X2
    assert found["2.2"].denominator == 11 and found["2.2"].unit == "days"
    assert sum(line.finished for line in found["2.2"].details) == 11
    finished = ["B2", "R1", "R2", "R3", "R4", "R8", "R11", "R12", "F1", "X1", "X2"]
    total = sum(Dossier.objects.get(pk=march.d[n].pk).working_days_used for n in finished)
    assert found["2.2"].numerator == total
    assert found["2.2"].value == (total / 11).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert found["3.3"].value == Decimal("17.65") and found["3.3"].threshold == 50
    assert found["3.6"].available is False and found["3.6"].value is None
    assert (found["4.1"].numerator, found["4.1"].denominator, found["4.1"].value) == (0, 14, 0)
    # 5.4: 100 - late 3/14 (21.43) - dislikes 1/5 (20.00); points 58.57 × 6 ÷ 90
    assert found["5.4"].value == Decimal("58.57")
    assert found["5.4"].points == Decimal("3.90") and found["5.4"].max_points == 6


def test_results_and_digitised_components_count(march: History) -> None:
    def attach(name: str, kind: str) -> None:
        Document.objects.create(
            dossier=march.d[name],
            kind=kind,
            title=kind,
            file=f"documents/test/{name}-{kind}.pdf",
            content_type="application/pdf",
            size=10,
            sha256=f"{name}{kind}".ljust(64, "0")[:64],
            uploaded_at=march.d[name].received_at,
            uploaded_by=march.counter,
        )

    attach("R1", DocumentKind.RESULT)
    attach("R1", DocumentKind.COMPONENT)
    attach("R2", DocumentKind.RESULT)
    attach("R10", DocumentKind.RESULT)  # resolved in April: not in March's denominator
    found = {i.id: i for i in compute_indicators(march_report(None))}
    # 4.1 counts the results delivered online (downloaded), not the files
    assert (found["4.1"].numerator, found["4.1"].denominator) == (0, 14)
    assert "Hồ sơ có tệp kết quả: 2." in found["4.1"].note
    assert actions.deliver_online(dossier=march.d["R2"], at=vn(2025, 3, 20, 9, 0))
    found = {i.id: i for i in compute_indicators(march_report(None))}
    assert (found["4.1"].numerator, found["4.1"].denominator) == (1, 14)
    assert (found["4.2"].numerator, found["4.2"].denominator) == (1, 14)
    assert found["4.2"].value == Decimal("7.14") and found["4.2"].threshold == 80


def test_reuse_and_the_citizen_store_count_the_dossiers_received_in_the_period(
    march: History,
) -> None:
    """4.3: a component chosen again from the applicant's earlier papers (R11, own portal);
    4.4: that, or a result delivered online into the applicant's account before the end
    (R2); a reuse in April (A1) and a download in April (B2) are not March's."""

    def component(name: str, reused_from: Document | None = None) -> Document:
        return Document.objects.create(
            dossier=march.d[name],
            kind=DocumentKind.COMPONENT,
            title="Tờ khai",
            file=f"documents/test/{name}-{Document.objects.count()}.pdf",
            content_type="application/pdf",
            size=10,
            sha256=f"{name}{Document.objects.count()}".ljust(64, "0")[:64],
            uploaded_at=march.d[name].received_at,
            uploaded_by=march.counter,
            reused_from=reused_from,
        )

    earlier = component("O1")  # January's paper, kept in the applicant's store
    component("R11", reused_from=earlier)
    component("R11", reused_from=earlier)  # two reused components: one dossier
    component("R10")  # uploaded anew
    component("A1", reused_from=earlier)  # April
    assert actions.deliver_online(dossier=march.d["R2"], at=vn(2025, 3, 20, 9, 0))
    assert actions.deliver_online(dossier=march.d["B2"], at=vn(2025, 4, 2, 9, 0))
    chosen = march_report(None)
    found = {i.id: i for i in compute_indicators(chosen)}
    received = chosen.figures["received.total"]
    assert (found["4.3"].numerator, found["4.3"].denominator) == (1, received)
    assert (found["4.4"].numerator, found["4.4"].denominator) == (2, received)
    assert found["4.3"].threshold == 80 and found["4.3"].value == percent(1, received)
    spec = chosen.spec
    assert {d.code for d in drilldown.dossiers(spec, "indicator.reused")} == {march.d["R11"].code}
    assert {d.code for d in drilldown.dossiers(spec, "indicator.linked_to_store")} == {
        march.d["R11"].code,
        march.d["R2"].code,
    }


def test_the_online_share_is_multiplied_by_the_share_synchronised_to_the_portal(
    march: History, settings
) -> None:
    """3.3 as the national portal computes it, where the site sends it statuses: the share
    received online (3/17) times the share of March's dossiers with a status delivered there
    (R7 and R1; R2's message is still pending, A1 is April's)."""
    settings.OUTBOX_DESTINATIONS = ["notifications", "national_portal"]

    def message(name: str, status: str) -> None:
        dossier = march.d[name]
        event = dossier.events.order_by("sequence").first()
        OutboxMessage.objects.create(
            destination="national_portal",
            dossier=dossier,
            event=event,
            event_type=event.type,
            sequence=1,
            idempotency_key=f"test-{name}",
            payload={},
            status=status,
            created_at=event.at,
            delivered_at=event.at if status == MessageStatus.DELIVERED else None,
        )

    message("R7", MessageStatus.DELIVERED)
    message("R1", MessageStatus.DELIVERED)
    message("R2", MessageStatus.PENDING)
    message("A1", MessageStatus.DELIVERED)
    chosen = march_report(None)
    found = {i.id: i for i in compute_indicators(chosen)}["3.3"]
    online, synced = found.ratios
    assert (online.numerator.value, online.denominator.value) == (3, 17)
    assert (synced.numerator.value, synced.denominator.value) == (2, 17)
    assert found.value == Decimal("2.08")  # 3/17 × 2/17 × 100
    assert "2/17" in found.note
    listed = {d.code for d in drilldown.dossiers(chosen.spec, "indicator.synced")}
    assert listed == {march.d["R7"].code, march.d["R1"].code}
    settings.OUTBOX_DESTINATIONS = ["notifications"]  # not synchronising: the plain share
    plain = {i.id: i for i in compute_indicators(march_report(None))}["3.3"]
    assert plain.value == Decimal("17.65") and len(plain.ratios) == 1
    assert "chưa nhân hệ số đồng bộ" in plain.note


def test_working_days_used_is_recorded_when_processing_ends(march: History) -> None:
    assert march.d["R1"].working_days_used == Decimal("7.00")  # 3 → 12 March, 09:00
    assert march.d["F1"].working_days_used == Decimal("0.25")  # two hours of an 8-hour day
    # R8: 10 March 10:00 → 25 March 09:00 is 10 working days and 7 hours (10:00-17:00 on the
    # 24th less the lunch break, 07:00-09:00 on the 25th), less the 2-day pause: 8.875
    assert march.d["R8"].working_days_used == Decimal("8.88")
    assert march.d["C3"].working_days_used is None  # still open


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Decimal("95"), Decimal("6")),
        (Decimal("90"), Decimal("6")),
        (Decimal("45"), Decimal("3.00")),
    ],
)
def test_the_scoring_rule(ratio: Decimal, expected: Decimal) -> None:
    assert points(ratio, Decimal(90), Decimal(6)) == expected


def test_percent_rounds_half_up_and_refuses_a_zero_denominator() -> None:
    assert percent(1, 8) == Decimal("12.50")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 0) is None


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_xlsx_and_pdf_by_agency(march: History, tmp_path: Path) -> None:
    out = tmp_path / "march.xlsx"
    call_command("report", *MARCH, "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out)["II.06a"]
    assert sheet[f"B{FIRST_ROW + len(AGENCIES)}"].value == "Tổng cộng"
    pdf = tmp_path / "march.pdf"
    call_command("report", *MARCH, "--by", "unit", "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_a_binary_format_needs_an_output_file(march: History) -> None:
    with pytest.raises(CommandError, match="output_required"):
        call_command("report", *MARCH, "--format", "xlsx")
