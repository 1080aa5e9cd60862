"""A report printed as PDF: form II.06a (the same lines as the XLSX, from `official`), the
Decision 766 indicators with their formulas and the hall's visits (the XLSX's tables), on A4
landscape, by the papers' renderer
(WeasyPrint, local files only)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from motcua.core.clock import now
from motcua.dossiers.papers.rendering import html_to_pdf, paper_html
from motcua.reports import official
from motcua.reports.indicators import compute_indicators, texts
from motcua.reports.report import Report
from motcua.reports.rows import Grouping

TEMPLATE = "reports/official.html"
STYLESHEETS = ("reports/official.css",)


def render_pdf(report: Report) -> bytes:
    """The printed form, in Vietnamese whatever the reader's language (an official form)."""
    with translation.override("vi"):
        html = paper_html(TEMPLATE, context(report), preview=False)
    return html_to_pdf(html, extra_stylesheets=STYLESHEETS)


def context(report: Report) -> dict[str, Any]:
    spec = report.spec
    numbers = [column.number for column in official.COLUMNS]
    groups: list[dict[str, Any]] = []
    for column in official.COLUMNS:
        if column.group and groups and groups[-1]["text"] == column.group:
            groups[-1]["span"] += 1
        else:
            text = column.group or column.heading
            groups.append({"text": text, "span": 1, "single": not column.group})

    def line(item: official.Line) -> dict[str, Any]:
        return {
            "number": item.number,
            "name": item.name,
            "values": [item.cells[n] for n in numbers],
        }

    head = official.letterhead(report)
    imbalances = report.figures.imbalances()
    return {
        "form": official.FORM,
        "title": official.TITLE,
        "period": official.period_text(spec.start, spec.end),
        "scope": official.scope_text(report),
        "unit_note": official.UNIT_NOTE,
        "governing_body": head.governing_body,
        "issuing_body": head.issuing_body,
        "place_date": official.place_date_text(report, now()),
        "preparer": official.PREPARER,
        "head": official.HEAD,
        "row_heading": official.ROW_HEADING[report.by or Grouping.AGENCY],
        "groups": groups,
        "columns": official.COLUMNS,
        "numbers": [1, 2, *numbers],
        "lines": [line(item) for item in official.lines(report)],
        "total": line(official.total(report)),
        "notes": official.NOTES,
        "balanced": report.balanced,
        "imbalance": "; ".join(
            f"{i.figure} = {i.value}, cần {i.expected} ({' + '.join(i.parts)})" for i in imbalances
        ),
        "indicators": [texts(i) for i in compute_indicators(report)],
        "visits_title": official.VISITS_TITLE,
        "visits": official.visit_tables(report),
    }
