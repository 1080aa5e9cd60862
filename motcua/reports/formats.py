"""Output formats of a report. Each renderer takes a `Report` and returns bytes; the CLI offers
every format registered in `RENDERERS`. JSON is docs/interchange/report.md; XLSX and PDF
print form II.06a with the Decision 766 indicators, by agency unless another grouping is
asked for (`default_by`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from motcua.core.errors import ValidationFailed
from motcua.reports.pdf import render_pdf
from motcua.reports.report import Report
from motcua.reports.rows import Grouping
from motcua.reports.xlsx import render_xlsx


@dataclass(frozen=True)
class Renderer:
    render: Callable[[Report], bytes]
    media_type: str
    extension: str
    binary: bool = False  # True: never written to a terminal
    default_by: Grouping | None = None  # the rows when none are asked for


def render_json(report: Report) -> bytes:
    text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


RENDERERS: dict[str, Renderer] = {
    "json": Renderer(render_json, "application/json", "json"),
    "xlsx": Renderer(
        render_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        binary=True,
        default_by=Grouping.AGENCY,
    ),
    "pdf": Renderer(render_pdf, "application/pdf", "pdf", binary=True, default_by=Grouping.AGENCY),
}


def render(report: Report, fmt: str = "json") -> bytes:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValidationFailed(
            f"Định dạng {fmt} chưa được hỗ trợ.", code="unknown_format", known=sorted(RENDERERS)
        )
    return renderer.render(report)
