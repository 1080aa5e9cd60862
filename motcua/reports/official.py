"""Form II.06a (docs/domain/reports.md#form-ii06a) as data: the columns, and one line per row of the
report plus the total, shared by the XLSX and PDF renderers so the two print the same table.

The official form has 13 columns: received (3 = 4 + 5 + 6), resolved (7 = 8 + 9 + 10) and
pending (11 = 12 + 13). Two facts of motcua's reports have no column of their own there and are
made explicit instead of being lost:
* a dossier awaiting the applicant's supplement is pending within time (its clock is paused),
  so column 12 = pending within time + awaiting supplement;
* returned and withdrawn dossiers get column 14 (a local variant of the form adds it), so the
  form still balances: 3 = 7 + 11 + 14.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.catalog.models import Letterhead
from motcua.dossiers.papers.receipt import format_place_date
from motcua.reports.figures import Figures
from motcua.reports.report import Report
from motcua.reports.rows import Grouping

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
FORM = "Biểu số II.06a/VPCP/KSTT"
UNIT_NOTE = "Đơn vị tính: Số hồ sơ TTHC"
ROW_HEADING = {
    Grouping.AGENCY: "Cơ quan giải quyết",
    Grouping.UNIT: "Nơi tiếp nhận",
    Grouping.PROCEDURE: "Thủ tục hành chính",
}


@dataclass(frozen=True)
class Column:
    number: int
    group: str  # the heading over several columns ("" for a column on its own)
    heading: str
    parts: tuple[int, ...] = ()  # a total column: the sum of these columns


COLUMNS: tuple[Column, ...] = (
    Column(3, "Số hồ sơ nhận giải quyết", "Tổng số", (4, 5, 6)),
    Column(4, "Số hồ sơ nhận giải quyết", "Trong kỳ: trực tuyến"),
    Column(5, "Số hồ sơ nhận giải quyết", "Trong kỳ: trực tiếp, dịch vụ bưu chính"),
    Column(6, "Số hồ sơ nhận giải quyết", "Từ kỳ trước chuyển sang"),
    Column(7, "Số hồ sơ đã giải quyết", "Tổng số", (8, 9, 10)),
    Column(8, "Số hồ sơ đã giải quyết", "Trước hạn"),
    Column(9, "Số hồ sơ đã giải quyết", "Đúng hạn"),
    Column(10, "Số hồ sơ đã giải quyết", "Quá hạn"),
    Column(11, "Số hồ sơ đang giải quyết", "Tổng số", (12, 13)),
    Column(12, "Số hồ sơ đang giải quyết", "Trong hạn (kể cả chờ bổ sung)"),
    Column(13, "Số hồ sơ đang giải quyết", "Quá hạn"),
    Column(14, "", "Trả lại, rút hồ sơ"),
)
NOTES = (
    "Cột 3 = cột 4 + cột 5 + cột 6; cột 7 = cột 8 + cột 9 + cột 10; cột 11 = cột 12 + cột 13.",
    "Cột 3 = cột 7 + cột 11 + cột 14 (hồ sơ phải giải quyết = đã giải quyết + đang giải "
    "quyết + trả lại, rút hồ sơ).",
    "Cột 12 gồm cả hồ sơ đang chờ công dân, tổ chức bổ sung (thời hạn tạm dừng).",
    "Trước hạn, đúng hạn, quá hạn theo ngày (so ngày kết thúc với ngày hẹn trả).",
)


# The signature block of the form: who prepares it (left) and the head who signs it (right,
# under the place-and-date line).
PREPARER = ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)")


def letterhead(report: Report) -> Letterhead:
    """Who heads the form: the reporting unit under its governing body (`Unit.letterhead`)."""
    return report.spec.unit.letterhead()


def place_date_text(report: Report, at: datetime) -> str:
    """ "An Hòa, ngày 06 tháng 12 năm 2026": the reporting unit's place, the day it is made."""
    return format_place_date(letterhead(report).place, at)


def values(figures: Figures) -> dict[int, int]:
    """The form's columns 3-14 of one row, from motcua's figures."""
    f = figures
    cells = {
        4: f["received.online"],
        5: f["received.counter"] + f["received.postal"],
        6: f["carried_over"],
        8: f["resolved.early"],
        9: f["resolved.on_time"],
        10: f["resolved.late"],
        12: f["pending.within_time"] + f["pending.awaiting_supplement"],
        13: f["pending.overdue"],
        14: f["returned.total"],
    }
    for column in COLUMNS:
        if column.parts:
            cells[column.number] = sum(cells[p] for p in column.parts)
    return cells


@dataclass(frozen=True)
class Line:
    number: str  # "1", "2", … ; "" for the total
    name: str
    cells: dict[int, int]


def lines(report: Report) -> list[Line]:
    """One line per row of the report (in its order), without the total."""
    return [
        Line(
            str(i),
            _line_name(report, row.name, row.key),
            values(row.figures),
        )
        for i, row in enumerate(report.rows, start=1)
    ]


def _line_name(report: Report, name: str, key: str) -> str:
    """A procedure keeps its official code beside its name; an agency or a unit is named
    only (its code in motcua means nothing on a signed form)."""
    if name == key:
        return key
    return f"{name} ({key})" if report.by == Grouping.PROCEDURE else name


def total(report: Report) -> Line:
    return Line("", "Tổng cộng", values(report.figures))


def period_text(start: date, end: date) -> str:
    return f"Kỳ báo cáo: từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def scope_text(report: Report) -> str:
    spec = report.spec
    scope = "và các đơn vị trực thuộc" if spec.include_subunits else "(không gồm đơn vị trực thuộc)"
    dossiers = (
        "hồ sơ do đơn vị giải quyết, tiếp nhận ở mọi nơi"
        if spec.decided
        else "hồ sơ tiếp nhận tại đơn vị"
    )
    return f"Đơn vị báo cáo: {spec.unit.name} {scope}; {dossiers}"


# --- the hall's visits, after the form (the XLSX sheet "Lượt phục vụ" and the PDF's appendix) --

VISITS_TITLE = "LƯỢT PHỤC VỤ TẠI SẢNH"
VISIT_TIMES = (
    "Lượt phục vụ",
    "Chờ: trung vị",
    "Chờ: phân vị 90",
    "Phục vụ: trung vị",
    "Phục vụ: phân vị 90",
)


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    lines: list[tuple[Any, ...]]


def visit_tables(report: Report) -> list[Table]:
    """The report's `visits` section as the printed tables: the summary (minutes as the
    report writes them, "—" for none), then per day, hour, service group and counter. Empty
    when the report has no visits section."""
    if report.visits is None:
        return []
    data = report.visits.as_dict()
    waiting, service = data["waiting_minutes"], data["service_minutes"]
    summary = [
        ("Số vé đã cấp", data["tickets"]),
        ("Lượt đã phục vụ", data["served"]),
        ("Vắng mặt", data["no_show"]),
        ("Tiếp nhận hồ sơ", data["to_dossier"]),
        ("Chỉ hướng dẫn", data["guidance_only"]),
        ("Nhận kết quả", data["collect_result"]),
        ("Thời gian chờ, trung vị (phút)", waiting["median"]),
        ("Thời gian chờ, phân vị 90 (phút)", waiting["p90"]),
        ("Thời gian phục vụ, trung vị (phút)", service["median"]),
        ("Thời gian phục vụ, phân vị 90 (phút)", service["p90"]),
    ]
    return [
        Table(("Chỉ tiêu", "Giá trị"), summary),
        Table(("Ngày", "Lượt phục vụ"), [(d["day"], d["served"]) for d in data["by_day"]]),
        Table(
            ("Giờ", "Lượt phục vụ"), [(f"{h['hour']:02d}:00", h["served"]) for h in data["by_hour"]]
        ),
        Table(
            ("Nhóm dịch vụ", *VISIT_TIMES),
            [(f"{g['group']} — {g['name']}", *_spread(g)) for g in data["by_group"]],
        ),
        Table(
            ("Quầy", *VISIT_TIMES),
            [(f"{c['unit']} quầy {c['counter']}", *_spread(c)) for c in data["by_counter"]],
        ),
    ]


def _spread(line: dict[str, Any]) -> tuple[Any, ...]:
    wait, serve = line["waiting_minutes"], line["service_minutes"]
    return (line["served"], wait["median"], wait["p90"], serve["median"], serve["p90"])
