"""A report as an Excel workbook: form II.06a (sheet "II.06a"), the Decision 766 indicators
("Chỉ số 766"), the citizens' ratings ("Đánh giá"), the share of positive answers per
question, unit and (for directors) officer ("Tỷ lệ hài lòng") and the hall's visits ("Lượt
phục vụ").

Every total in the workbook is a formula over the cells it adds up (column 3 = 4 + 5 + 6, the
"Tổng cộng" line = SUM of the lines above, an indicator's value = numerator ÷ denominator), so
whoever edits or audits the file sees how each figure is made; a last column checks the
balance 3 = 7 + 11 + 14 on every line. The numbers written are the report's counts.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.core.clock import now
from motcua.reports import official
from motcua.reports.indicators import Indicator, compute_indicators
from motcua.reports.numbers import NO_VALUE, rounded
from motcua.reports.ratings import question_index
from motcua.reports.report import Report
from motcua.reports.rows import Grouping

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
LAST = len(official.COLUMNS) + 2  # columns 1..14 of the form
CHECK = LAST + 1  # the balance check


def render_xlsx(report: Report) -> bytes:
    """The workbook, in Vietnamese whatever the reader's language (an official form)."""
    with translation.override("vi"):
        return _workbook(report)


def _workbook(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _form(sheet, report)
    _signatures(sheet, report, sheet.max_row + 2)
    _indicators(book.create_sheet("Chỉ số 766"), compute_indicators(report))
    _ratings(book.create_sheet("Đánh giá"), report)
    _positive(book.create_sheet("Tỷ lệ hài lòng"), report)
    if report.visits is not None:
        _visits(book.create_sheet("Lượt phục vụ"), report)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _font(bold: bool = False, size: int = 11, italic: bool = False) -> Font:
    return Font(name=FONT, bold=bold, size=size, italic=italic)


def _merged(sheet: Worksheet, row: int, text: str, **font: Any) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LAST)
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = _font(**font)
    cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _form(sheet: Worksheet, report: Report) -> None:
    sheet.title = "II.06a"
    spec = report.spec
    letterhead = official.letterhead(report)
    top = 4  # rows 1-3: the letterhead, the state's name and motto, the form number
    _block(sheet, 1, 1, 4, letterhead.governing_body)
    _block(sheet, 2, 1, 4, letterhead.issuing_body, bold=True)
    _block(sheet, 1, 5, LAST - 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _block(sheet, 2, 5, LAST - 4, "Độc lập - Tự do - Hạnh phúc", bold=True)
    sheet.cell(row=1, column=LAST - 3, value=official.FORM).font = _font(bold=True)
    _merged(sheet, top, official.TITLE, bold=True, size=13)
    _merged(sheet, top + 1, official.period_text(spec.start, spec.end), italic=True)
    _merged(sheet, top + 2, official.scope_text(report))
    sheet.cell(row=top + 3, column=LAST - 2, value=official.UNIT_NOTE).font = _font(italic=True)

    head, sub, numbers = top + 4, top + 5, top + 6
    by = report.by or Grouping.AGENCY
    for column, text in ((1, "STT"), (2, official.ROW_HEADING[by])):
        sheet.merge_cells(start_row=head, start_column=column, end_row=sub, end_column=column)
        sheet.cell(row=head, column=column, value=text)
    groups: dict[str, list[int]] = {}
    for col in official.COLUMNS:
        if col.group:
            groups.setdefault(col.group, []).append(col.number)
            sheet.cell(row=sub, column=col.number, value=col.heading)
        else:
            sheet.merge_cells(
                start_row=head, start_column=col.number, end_row=sub, end_column=col.number
            )
            sheet.cell(row=head, column=col.number, value=col.heading)
    for group, members in groups.items():
        sheet.merge_cells(
            start_row=head, start_column=members[0], end_row=head, end_column=members[-1]
        )
        sheet.cell(row=head, column=members[0], value=group)
    sheet.merge_cells(start_row=head, start_column=CHECK, end_row=sub, end_column=CHECK)
    sheet.cell(row=head, column=CHECK, value="Cân đối (3 = 7 + 11 + 14)")
    for column in range(1, CHECK + 1):
        sheet.cell(row=numbers, column=column, value=f"({column})" if column <= LAST else "")
        for row in (head, sub, numbers):
            cell = sheet.cell(row=row, column=column)
            cell.font = _font(bold=row != numbers, italic=row == numbers)
            cell.alignment = CENTER
            cell.border = BOX
            cell.fill = HEAD_FILL

    first = numbers + 1
    lines = official.lines(report)
    for offset, line in enumerate(lines):
        _line(sheet, first + offset, line, total_of=None)
    _line(
        sheet, first + len(lines), official.total(report), total_of=(first, first + len(lines) - 1)
    )

    notes_row = first + len(lines) + 2
    sheet.cell(row=notes_row, column=1, value="Ghi chú:").font = _font(bold=True, italic=True)
    for offset, note in enumerate(official.NOTES, start=1):
        sheet.merge_cells(
            start_row=notes_row + offset,
            start_column=1,
            end_row=notes_row + offset,
            end_column=LAST,
        )
        cell = sheet.cell(row=notes_row + offset, column=1, value=f"- {note}")
        cell.font = _font(italic=True, size=10)

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 42
    for column in range(3, LAST + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions[get_column_letter(CHECK)].width = 14
    sheet.row_dimensions[head].height = 30
    sheet.row_dimensions[sub].height = 48
    sheet.freeze_panes = sheet.cell(row=first, column=3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{head}:{numbers}"


def _block(
    sheet: Worksheet, row: int, first: int, last: int, text: str, *, bold: bool = False
) -> None:
    """`text` centred over columns `first`..`last` of `row`."""
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row=row, column=first, value=text or None)
    cell.font = _font(bold=bold)
    cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _signatures(sheet: Worksheet, report: Report, row: int) -> None:
    """The place-and-date line and the two signatures of the form, under its notes."""
    half = LAST // 2
    _block(sheet, row, half + 1, LAST, official.place_date_text(report, now()))
    sheet.cell(row=row, column=half + 1).font = _font(italic=True)
    for first, last, (role, hint) in (
        (1, half, official.PREPARER),
        (half + 1, LAST, official.HEAD),
    ):
        _block(sheet, row + 1, first, last, role, bold=True)
        _block(sheet, row + 2, first, last, hint)
        sheet.cell(row=row + 2, column=first).font = _font(italic=True)


def _line(
    sheet: Worksheet, row: int, line: official.Line, *, total_of: tuple[int, int] | None
) -> None:
    """One line of the form. Total columns are formulas over their parts; on the "Tổng cộng"
    line (`total_of` = the first and last data rows) every column is a SUM, unless there are
    no data lines, when the counts are written as numbers."""
    bold = total_of is not None
    sheet.cell(row=row, column=1, value=line.number)
    sheet.cell(row=row, column=2, value=line.name)
    for col in official.COLUMNS:
        letter = get_column_letter(col.number)
        value: Any = line.cells[col.number]
        if col.parts:
            value = "=" + "+".join(f"{get_column_letter(p)}{row}" for p in col.parts)
        elif total_of is not None and total_of[1] >= total_of[0]:
            value = f"=SUM({letter}{total_of[0]}:{letter}{total_of[1]})"
        sheet.cell(row=row, column=col.number, value=value)
    c, g, k, n = (f"{get_column_letter(i)}{row}" for i in (3, 7, 11, 14))
    sheet.cell(row=row, column=CHECK, value=f'=IF({c}={g}+{k}+{n},"Đúng","Lệch")')
    for column in range(1, CHECK + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = _font(bold=bold)
        cell.border = BOX
        cell.alignment = WRAP if column == 2 else CENTER
        if column > 2 and column <= LAST:
            cell.number_format = "#,##0"
        if bold:
            cell.fill = TOTAL_FILL


INDICATOR_HEADINGS = (
    ("Mã", 7),
    ("Chỉ số", 34),
    ("Công thức", 48),
    ("Tử số", 11),
    ("Mẫu số", 11),
    ("Giá trị", 11),
    ("Đơn vị", 8),
    ("Ngưỡng đạt (%)", 10),
    ("Điểm tối đa", 9),
    ("Điểm", 9),
    ("Ghi chú", 60),
)


def _indicators(sheet: Worksheet, indicators: list[Indicator]) -> None:
    sheet.cell(
        row=1, column=1, value="CHỈ SỐ ĐÁNH GIÁ THEO QUYẾT ĐỊNH 766/QĐ-TTg (phần motcua tính được)"
    ).font = _font(bold=True, size=13)
    for column, (text, width) in enumerate(INDICATOR_HEADINGS, start=1):
        cell = sheet.cell(row=3, column=column, value=text)
        cell.font, cell.alignment, cell.border, cell.fill = _font(bold=True), CENTER, BOX, HEAD_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = 4
    for indicator in indicators:
        _indicator(sheet, row, indicator)
        row += 1
    details = next((i.details for i in indicators if i.id == "2.2"), [])
    if details:
        row += 1
        sheet.cell(row=row, column=1, value="Chỉ số 2.2 theo từng thủ tục").font = _font(bold=True)
        row += 1
        for column, text in enumerate(
            ("Mã TTHC", "Tên thủ tục", "Thời hạn theo quy định", "Số hồ sơ", "Trung bình (ngày)"),
            start=1,
        ):
            cell = sheet.cell(row=row, column=column, value=text)
            cell.font, cell.alignment, cell.border, cell.fill = (
                _font(bold=True),
                CENTER,
                BOX,
                HEAD_FILL,
            )
        for line in details:
            row += 1
            average = float(line.average_days) if line.average_days is not None else None
            for column, value in enumerate(
                (line.code, line.name, line.legal, line.finished, average), start=1
            ):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.font, cell.border = _font(), BOX
                cell.alignment = WRAP
    sheet.freeze_panes = "C4"


def _indicator(sheet: Worksheet, row: int, indicator: Indicator) -> None:
    """One indicator's line: its value a formula over the numerator and denominator written
    beside it, rounded like the page ("—" when the denominator is 0); 5.4, made of two ratios,
    is written as computed (its parts are in the note)."""
    d, e, f, h, i = (f"{letter}{row}" for letter in "DEFHI")
    value: Any
    if not indicator.available:
        value = "Chưa tính được"
    elif indicator.numerator is not None and indicator.denominator is not None:
        scale = "*100" if indicator.unit == "%" else ""
        value = f'=IF({e}=0,"{NO_VALUE}",ROUND({d}/{e}{scale},2))'
    else:
        value = float(indicator.value) if indicator.value is not None else NO_VALUE
    score: Any = None
    if indicator.max_points is not None and indicator.threshold is not None:
        score = f'=IF(ISNUMBER({f}),IF({f}>={h},{i},ROUND({f}*{i}/{h},2)),"{NO_VALUE}")'
    numerator = indicator.numerator
    cells = (
        indicator.id,
        indicator.name,
        indicator.formula,
        float(rounded(numerator)) if isinstance(numerator, Decimal) else numerator,
        indicator.denominator,
        value,
        "%" if indicator.unit == "%" else "ngày",
        indicator.threshold,
        indicator.max_points,
        score,
        indicator.note,
    )
    for column, content in enumerate(cells, start=1):
        cell = sheet.cell(row=row, column=column, value=content)
        cell.font, cell.border = _font(), BOX
        cell.alignment = WRAP if column in (2, 3, 11) else CENTER


def _ratings(sheet: Worksheet, report: Report) -> None:
    sheet.cell(row=1, column=1, value="KẾT QUẢ ĐÁNH GIÁ CỦA CÔNG DÂN, TỔ CHỨC").font = _font(
        bold=True, size=13
    )
    sheet.cell(row=2, column=1, value=official.period_text(report.spec.start, report.spec.end))
    sheet.cell(row=3, column=1, value="Tổng số phiếu")
    sheet.cell(row=3, column=3, value=report.ratings.total)
    row = 5
    for column, text in enumerate(("Câu hỏi", "Câu trả lời", "Số phiếu"), start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font, cell.alignment, cell.border, cell.fill = _font(bold=True), CENTER, BOX, HEAD_FILL
    known = question_index()
    for code, answers in report.ratings.scales.items():
        info = known.get(code)
        scale = info.scale if info else None
        question = info.label if info else code
        for answer, count in answers.items():
            row += 1
            words = scale.answer_label(answer) if scale else answer
            for column, value in enumerate((question, words, count), start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.font, cell.border = _font(), BOX
    for letter, width in (("A", 30), ("B", 28), ("C", 12)):
        sheet.column_dimensions[letter].width = width


def _table(sheet: Worksheet, row: int, head: tuple[str, ...], lines: list[tuple[Any, ...]]) -> int:
    """A boxed table from `row`: its head, then the lines; the next free row."""
    for column, text in enumerate(head, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font, cell.alignment, cell.border, cell.fill = _font(bold=True), CENTER, BOX, HEAD_FILL
    for line in lines:
        row += 1
        for column, value in enumerate(line, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.font, cell.border = _font(), BOX
    return row + 2


def _share(answered: int, positive: int) -> Decimal | None:
    return rounded(Decimal(100 * positive) / answered) if answered else None


def _positive(sheet: Worksheet, report: Report) -> None:
    sheet.cell(row=1, column=1, value="TỶ LỆ ĐÁNH GIÁ HÀI LÒNG").font = _font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=official.period_text(report.spec.start, report.spec.end))
    known = question_index()

    def label(key: str) -> str:
        return known[key].label if key in known else key

    head = ("Nhóm", "Câu hỏi, tiêu chí", "Số phiếu trả lời", "Số phiếu hài lòng", "Tỷ lệ (%)")
    lines: list[tuple[Any, ...]] = [
        ("Toàn đơn vị", label(key), p.answered, p.positive, _share(p.answered, p.positive))
        for key, p in report.ratings.positive.items()
    ]
    for groups in (report.ratings.by_unit, report.ratings.by_officer or []):
        for group in groups:
            lines.extend(
                (group.name, label(key), p.answered, p.positive, _share(p.answered, p.positive))
                for key, p in group.questions.items()
            )
    _table(sheet, 4, head, lines)
    for letter, width in (("A", 30), ("B", 50), ("C", 14), ("D", 14), ("E", 12)):
        sheet.column_dimensions[letter].width = width


def _visits(sheet: Worksheet, report: Report) -> None:
    sheet.cell(row=1, column=1, value=official.VISITS_TITLE).font = _font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=official.period_text(report.spec.start, report.spec.end))
    row = 4
    for table in official.visit_tables(report):
        row = _table(sheet, row, table.head, table.lines)
    for letter, width in (("A", 36), ("B", 16), ("C", 16), ("D", 16), ("E", 18), ("F", 18)):
        sheet.column_dimensions[letter].width = width
