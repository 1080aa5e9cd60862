"""Form 07, the tracking book (Sổ theo dõi hồ sơ), as an Excel workbook: for a long period
and for centres that keep the book as a spreadsheet. The same columns as the printed book
(`forms2025.BOOK_COLUMNS`), every procedure name whole, times as Excel dates in Vietnam time
(so they sort and filter), the header row frozen and repeated when printed."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.dossiers.papers.forms2025 import (
    BOOK_COLUMNS,
    BOOK_DATES,
    BookRow,
    TrackingBook,
    book_contact,
    book_period,
)
from motcua.dossiers.papers.receipt import PRINT_TZ, format_place_date

TITLE = "SỔ THEO DÕI HỒ SƠ"
FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
WIDTHS = (6, 28, 60, 9, 26, 40, 30, 16, 16, 16, 16, 16, 18)
MOMENT = "dd/mm/yyyy hh:mm"
LAST = len(BOOK_COLUMNS)


def render_book_xlsx(book: TrackingBook) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sổ theo dõi"
    head = _heading(sheet, book)
    first = head + 3
    for offset, row in enumerate(book.rows):
        _row(sheet, first + offset, row)
    sets = sum(row.sets_count for row in book.rows)
    cell = sheet.cell(
        row=first + len(book.rows), column=1, value=f"Tổng số: {len(book.rows)} hồ sơ, {sets} bộ."
    )
    cell.font = Font(name=FONT, italic=True)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=first, column=3)
    sheet.print_title_rows = f"{head}:{head + 2}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _heading(sheet: Worksheet, book: TrackingBook) -> int:
    """The letterhead, title and period, then the two header rows and the column numbers;
    returns the first header row."""
    h = book.header
    _merged(sheet, 1, 1, 4, h.issuing_body)
    _merged(sheet, 2, 1, 4, h.centre_name, bold=True)
    _merged(sheet, 1, 8, LAST, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _merged(sheet, 2, 8, LAST, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _merged(sheet, 3, 8, LAST, format_place_date(h.place, h.issued_at), italic=True)
    _merged(sheet, 5, 1, LAST, TITLE, bold=True, size=14)
    _merged(sheet, 6, 1, LAST, book_period(book), italic=True)
    head = 8
    dated = [n for n, (_heading, under) in enumerate(BOOK_COLUMNS, start=1) if under]
    for number, (text, under) in enumerate(BOOK_COLUMNS, start=1):
        if under:
            sheet.cell(row=head + 1, column=number, value=text)
        else:
            sheet.merge_cells(
                start_row=head, start_column=number, end_row=head + 1, end_column=number
            )
            sheet.cell(row=head, column=number, value=text)
        sheet.cell(row=head + 2, column=number, value=f"({number})")
    sheet.merge_cells(start_row=head, start_column=dated[0], end_row=head, end_column=dated[-1])
    sheet.cell(row=head, column=dated[0], value=BOOK_DATES)
    for row in range(head, head + 3):
        for column in range(1, LAST + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font = Font(name=FONT, bold=row < head + 2, italic=row == head + 2)
            cell.alignment, cell.border, cell.fill = CENTER, BOX, HEAD_FILL
    sheet.row_dimensions[head + 1].height = 45
    return head


def _row(sheet: Worksheet, at: int, row: BookRow) -> None:
    values = (
        row.number,
        row.dossier_code,
        f"{row.procedure_code} — {row.procedure_name}"
        if row.procedure_code
        else row.procedure_name,
        row.sets_count,
        row.applicant_name,
        book_contact(row),
        row.agency_name,
        _moment(row.received_at),
        _moment(row.due_at),
        _moment(row.transferred_at),
        _moment(row.result_received_at),
        _moment(row.delivered_at),
        row.note,
    )
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=at, column=column, value=value)
        cell.font, cell.border = Font(name=FONT), BOX
        cell.alignment = CENTER if column in (1, 4) or 8 <= column <= 12 else WRAP
        if isinstance(value, datetime):
            cell.number_format = MOMENT


def _moment(moment: datetime | None) -> datetime | None:
    """In Vietnam time, without a zone (Excel has none)."""
    return moment.astimezone(PRINT_TZ).replace(tzinfo=None) if moment is not None else None


def _merged(
    sheet: Worksheet,
    row: int,
    first: int,
    last: int,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 11,
) -> None:
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row=row, column=first, value=text or None)
    cell.font = Font(name=FONT, bold=bold, italic=italic, size=size)
    cell.alignment = Alignment(horizontal="center", wrap_text=True)
