"""The reports dashboard as its pages show it: the staff page (`backoffice.dashboard`) and the
public one (`portal.statistics`). The figures laid out in sections with their shares and
formulas, the twelve-month series behind the charts, the rows by agency, the ratings and the
Decision 766 indicators, plus what the filter form needs and the pages' security policy.

Every number comes from `reports` (`build_report`, `compute`, `compute_indicators`: SQL
aggregates), with the scope of `reports.figures.scope_for`; nothing here reads a dossier or
decides what a figure counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from motcua.backoffice.dashboard_selection import (
    CONVENTIONS,
    MONTHS,
    PERIOD_KINDS,
    QUARTERS,
    RULES,
    Selection,
    form_values,
)
from motcua.catalog.models import Unit
from motcua.feedback.models import Rating
from motcua.reports import drilldown, indicators, periods, settled
from motcua.reports.explanations import PARENTS, WHOLES, explain
from motcua.reports.figures import (
    ENDED_UNCLASSIFIED,
    FIGURES,
    LABELS,
    ONLINE_SOURCES,
    Figures,
    Imbalance,
    ReportSpec,
)
from motcua.reports.numbers import percent_text, rounded, shown
from motcua.reports.ratings import question_index
from motcua.reports.report import Report, build_report
from motcua.reports.rows import Grouping

TREND_MONTHS = 12


# --- numbers and shares ---------------------------------------------------------------------


def number(value: int) -> str:
    """A count the Vietnamese way: 12.345."""
    return shown(value)


@dataclass(frozen=True)
class Share:
    part: int
    whole: int
    of: str  # the denominator in words: "số đã giải quyết"

    @property
    def text(self) -> str:
        return f"{percent_text(self.part, self.whole)} {self.of}"


# --- the filter form ------------------------------------------------------------------------


def form_context(selection: Selection | None, params: Mapping[str, Any], today: date) -> dict:
    """What every dashboard form needs besides the units."""
    return {
        "form": form_values(selection, params, today),
        "months": MONTHS,
        "quarters": QUARTERS,
        "kinds": PERIOD_KINDS,
        "conventions": CONVENTIONS,
        "rules": RULES,
        "agency_columns": AGENCY_COLUMNS,
    }


# --- the figures laid out -------------------------------------------------------------------

# Late and overdue figures are highlighted when they are not zero.
ALERTS = frozenset(
    {
        "resolved.late",
        "pending.overdue",
        "online_service.resolved.late",
        "five_on_spot.resolved.late",
        ENDED_UNCLASSIFIED,
    }
)


def anchor(key: str) -> str:
    """The id of a figure on the dashboard page: "f-resolved-late"."""
    return "f-" + key.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Cell:
    """A count of one figure, as the page shows it (the agency table's cells)."""

    key: str
    value: int

    @property
    def display(self) -> str:
        return number(self.value)

    @property
    def alert(self) -> bool:
        return self.key in ALERTS and self.value > 0

    @property
    def anchor(self) -> str:
        return anchor(self.key)


@dataclass(frozen=True)
class Figure(Cell):
    """A figure of the report's sections: its count with its label, formula and share."""

    label: str = ""
    explanation: str = ""
    share: Share | None = None
    context: str = ""  # the whole it belongs to, for screen readers ("Đã giải quyết")


@dataclass(frozen=True)
class Block:
    head: Figure
    parts: list[Figure]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    blocks: list[Block]


LAYOUT: list[tuple[str, Any, list[tuple[str, list[str]]]]] = [
    (
        "to-process",
        gettext_lazy("Hồ sơ phải giải quyết"),
        [
            ("carried_over", []),
            (
                "received.total",
                [
                    "received.counter",
                    "received.online",
                    *(f"received_online.{s}" for s in ONLINE_SOURCES),
                    "received.postal",
                ],
            ),
            ("to_process", []),
        ],
    ),
    (
        "results",
        gettext_lazy("Kết quả giải quyết trong kỳ"),
        [
            ("resolved.total", [f"resolved.{k}" for k in ("early", "on_time", "late")]),
            ("returned.total", ["returned.unresolved", "returned.withdrawn"]),
        ],
    ),
    (
        "pending",
        gettext_lazy("Đang giải quyết khi hết kỳ"),
        [
            (
                "pending.total",
                [f"pending.{k}" for k in ("within_time", "overdue", "awaiting_supplement")],
            )
        ],
    ),
    (
        "services",
        gettext_lazy("Dịch vụ công trực tuyến, 5 tại chỗ, trả kết quả qua bưu chính"),
        [
            (
                "online_service.resolved.total",
                [
                    *(f"online_service.resolved.{k}" for k in ("early", "on_time", "late")),
                    "online_service.resolved_submitted_online",
                ],
            ),
            (
                "five_on_spot.resolved.total",
                [f"five_on_spot.resolved.{k}" for k in ("early", "on_time", "late")],
            ),
            ("results_by_post", []),
        ],
    ),
]
assert sorted(
    key for _slug, _title, blocks in LAYOUT for head, parts in blocks for key in (head, *parts)
) == sorted(FIGURES)


def figure(key: str, figures: Figures, spec: ReportSpec, context: str = "") -> Figure:
    parent = PARENTS.get(key)
    share = None
    if parent:
        share = Share(figures[key], figures[parent], str(WHOLES[parent]))
    label = str(LABELS[key])  # in the active language: a dashboard is built per request
    return Figure(key, figures[key], label, explain(key, spec), share, context)


def sections(figures: Figures, spec: ReportSpec) -> list[Section]:
    laid_out = []
    for slug, title, blocks in LAYOUT:
        built = []
        for head, parts in blocks:
            top = figure(head, figures, spec)
            built.append(Block(top, [figure(p, figures, spec, top.label) for p in parts]))
        laid_out.append(Section(slug, str(title), built))
    return laid_out


@dataclass(frozen=True)
class ImbalanceText:
    text: str
    unclassified: int  # dossiers ended in no outcome (drill-down "ended_unclassified")


def imbalance_text(imbalance: Imbalance, figures: Figures) -> ImbalanceText:
    parts = " + ".join(str(LABELS[p]) for p in imbalance.parts)
    text = _(
        "%(figure)s là %(value)s nhưng %(parts)s = %(expected)s (chênh lệch %(difference)s)."
    ) % {
        "figure": str(LABELS[imbalance.figure]),
        "value": number(imbalance.value),
        "parts": parts,
        "expected": number(imbalance.expected),
        "difference": f"{imbalance.value - imbalance.expected:+d}",
    }
    return ImbalanceText(text, figures[ENDED_UNCLASSIFIED])


# --- the twelve months behind the charts ---------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    year: int
    month: int
    figures: dict[str, int]  # the figures the charts draw (`COLOURS`)

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


def trend(selection: Selection, unit: Unit, report: Report | None = None) -> list[MonthPoint]:
    """The figures of each of the `TREND_MONTHS` months that end with the selection's last
    month (same unit, sub-units, convention and rule): the figures the charts draw, one
    aggregate query per month, ended months kept while settled (`reports.settled`), the
    selection's own report reused when it is that very month."""
    keys = tuple(COLOURS)
    last_year, last_month = selection.last_month
    months = [
        periods.shift_month(last_year, last_month, -back)
        for back in range(TREND_MONTHS - 1, -1, -1)
    ]
    specs = [selection.spec(unit, *periods.month(y, m, selection.convention)) for y, m in months]
    own = {
        i
        for i, spec in enumerate(specs)
        if report is not None and (report.spec.start, report.spec.end) == (spec.start, spec.end)
    }
    counted = iter(settled.period_counts([s for i, s in enumerate(specs) if i not in own], keys))
    points = []
    for i, (year, month) in enumerate(months):
        if i in own and report is not None:
            figures = {key: report.figures[key] for key in keys}
        else:
            figures = next(counted)
        points.append(MonthPoint(year, month, figures))
    return points


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    color: str
    values: list[int]


@dataclass(frozen=True)
class Chart:
    id: str
    kind: str  # "lines" or "stacked"
    title: str
    caption: str
    x: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The text alternative: one row per month, one column per series."""
        return [
            (label, [number(s.values[i]) for s in self.series]) for i, label in enumerate(self.x)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "x": self.x,
            "series": [{"name": s.name, "color": s.color, "values": s.values} for s in self.series],
        }


COLOURS = {
    "received.total": "#0b5cad",
    "resolved.total": "#1d6b34",
    "resolved.late": "#a4161a",
    "pending.total": "#8a4b00",
    "resolved.early": "#1d6b34",
    "resolved.on_time": "#0b5cad",
    "received.counter": "#0b5cad",
    "received.online": "#6a3d9a",
    "received.postal": "#8a4b00",
}


def charts(points: list[MonthPoint]) -> list[Chart]:
    x = [point.label for point in points]
    span = f"{x[0]} – {x[-1]}"
    last = points[-1]

    def series(key: str, name: str) -> Series:
        return Series(key, name, COLOURS[key], [p.figures[key] for p in points])

    def caption(chosen: list[Series]) -> str:
        values = ", ".join(f"{s.name.lower()} {number(s.values[-1])}" for s in chosen)
        return _("Tháng %(month)s: %(values)s. Số liệu từng tháng ở bảng bên dưới.") % {
            "month": last.label,
            "values": values,
        }

    trend_series = [
        series("received.total", _("Mới tiếp nhận")),
        series("resolved.total", _("Đã giải quyết")),
        series("resolved.late", _("Giải quyết quá hạn")),
        series("pending.total", _("Đang giải quyết cuối tháng")),
    ]
    timeliness = [
        series("resolved.early", _("Trước hạn")),
        series("resolved.on_time", _("Đúng hạn")),
        series("resolved.late", pgettext("resolved", "Quá hạn")),
    ]
    channels = [
        series("received.counter", _("Trực tiếp")),
        series("received.online", _("Trực tuyến")),
        series("received.postal", _("Qua bưu chính công ích")),
    ]
    return [
        Chart(
            "chart-trend",
            "lines",
            _("Diễn biến 12 tháng (%(span)s)") % {"span": span},
            caption(trend_series),
            x,
            trend_series,
        ),
        Chart(
            "chart-timeliness",
            "stacked",
            _("Hồ sơ đã giải quyết: trước hạn, đúng hạn, quá hạn (%(span)s)") % {"span": span},
            caption(timeliness),
            x,
            timeliness,
        ),
        Chart(
            "chart-channels",
            "stacked",
            _("Hồ sơ mới tiếp nhận theo kênh nộp (%(span)s)") % {"span": span},
            caption(channels),
            x,
            channels,
        ),
    ]


# --- rows by agency, ratings ----------------------------------------------------------------

AGENCY_COLUMNS: list[tuple[str, Any]] = [
    ("received.total", gettext_lazy("Mới tiếp nhận")),
    ("resolved.total", gettext_lazy("Đã giải quyết")),
    ("resolved.late", gettext_lazy("Giải quyết quá hạn")),
    ("pending.overdue", gettext_lazy("Đang giải quyết quá hạn")),
]


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    cells: list[Cell]

    @property
    def alert(self) -> bool:
        return any(cell.alert for cell in self.cells)


def agency_rows(report: Report) -> list[AgencyRow]:
    return [
        AgencyRow(row.key, row.name, [Cell(k, row.figures[k]) for k, _l in AGENCY_COLUMNS])
        for row in report.rows
    ]


@dataclass(frozen=True)
class Answer:
    label: str
    count: int
    share: Share

    @property
    def display(self) -> str:
        return number(self.count)


@dataclass(frozen=True)
class ScaleView:
    code: str
    name: str
    answered: int
    answers: list[Answer]


def rating_views(report: Report) -> list[ScaleView]:
    """Each scale with every answer, its count and its share of the forms that answered."""
    names = question_index()
    views = []
    for code, tallies in report.ratings.scales.items():
        question = names.get(code)
        scale = question.scale if question else None
        labels = scale.answer_labels() if scale else {}
        answered = sum(tallies.values())
        of = _("số phiếu trả lời câu này")
        answers = [
            Answer(labels.get(value, value), count, Share(count, answered, of))
            for value, count in tallies.items()
        ]
        views.append(ScaleView(code, question.label if question else code, answered, answers))
    return views


# --- the lists behind the indicators ------------------------------------------------------


def working_days(spec: ReportSpec, key: str) -> str:
    """On the list of indicator 2.2, the listed dossiers' working days added up (the
    indicator's numerator), as shown; "" on any other list."""
    if key != indicators.TIMED:
        return ""
    total = drilldown.dossiers(spec, key).aggregate(days=Sum("working_days_used"))["days"]
    return shown(rounded(total or 0))


@dataclass(frozen=True)
class RatingRow:
    """A rating as its list shows it: when, where, how, each answer in words."""

    at: datetime
    place: str
    channel: str
    answers: list[str]
    dossier_code: str


def rating_rows(ratings: Iterable[Rating]) -> list[RatingRow]:
    known = question_index()

    def answer(code: str, value: object) -> str:
        question = known.get(code)
        if question is None:
            return f"{code}: {value}"
        return f"{question.label}: {question.scale.answer_label(value)}"

    return [
        RatingRow(
            at=rating.at,
            place=rating.unit.name,
            channel=f"{rating.get_channel_display()} · {rating.get_source_display()}",
            answers=[answer(code, value) for code, value in rating.answers.items()],
            dossier_code=rating.dossier.code if rating.dossier else "",
        )
        for rating in ratings
    ]


# --- the whole dashboard --------------------------------------------------------------------


def _question(known: dict[str, Any], key: str) -> str:
    return str(known[key].label) if key in known else key


@dataclass(frozen=True)
class Dashboard:
    selection: Selection
    unit: Unit
    report: Report
    sections: list[Section]
    imbalances: list[ImbalanceText]
    charts: list[Chart]
    agencies: list[AgencyRow]
    ratings: list[ScaleView]
    unfinished: bool  # the period ends today or later: "pending" is as at its end

    @property
    def balanced(self) -> bool:
        return self.report.balanced

    @property
    def visits(self) -> dict[str, Any] | None:
        """The hall's visits of the report (`visits` of motcua.report/1)."""
        return self.report.visits.as_dict() if self.report.visits is not None else None

    def positive_rows(self) -> list[dict[str, Any]]:
        """Per question: answered, positive, share, and the key of the list behind it."""
        known = question_index()
        return [
            {
                "key": key,
                "label": known[key].label if key in known else key,
                "answered": number(p.answered),
                "positive": number(p.positive),
                "share": f"{p.share} %" if p.share is not None else "—",
            }
            for key, p in self.report.ratings.positive.items()
            if p.answered
        ]

    def officer_rows(self) -> list[dict[str, Any]] | None:
        """Per officer (directors only): forms, and the share of positives per question."""
        if self.report.ratings.by_officer is None:
            return None
        known = question_index()
        return [
            {
                "name": row.name,
                "total": number(row.total),
                "shares": [
                    f"{_question(known, k)}: {p.share} % ({p.positive}/{p.answered})"
                    for k, p in row.questions.items()
                ],
            }
            for row in self.report.ratings.by_officer
        ]

    @property
    def ratings_total(self) -> str:
        return number(self.report.ratings.total)

    @property
    def totals(self) -> list[Cell]:
        return [Cell(k, self.report.figures[k]) for k, _l in AGENCY_COLUMNS]

    @cached_property
    def indicators(self) -> list[dict[str, Any]]:
        """The Decision 766 indicators of the report, computed when the page shows them."""
        return [indicators.texts(i) for i in indicators.compute_indicators(self.report)]

    def chart_data(self) -> dict[str, Any]:
        """The data island the page's script draws from (no code, only numbers and words)."""
        return {
            "separators": ",.",
            "yTitle": _("Số hồ sơ"),
            "charts": [chart.as_json() for chart in self.charts],
        }


def build_dashboard(
    selection: Selection, unit: Unit, *, today: date, officers: bool = False
) -> Dashboard:
    """The report of the selection by agency (5 queries) and the twelve months before it
    (one aggregate each)."""
    spec = selection.spec(unit)
    # the indicators' counts ride on the agency GROUP BY: one scan of the period's dossiers
    report = build_report(
        spec, Grouping.AGENCY, extra=indicators.dossier_aggregates(spec), officers=officers
    )
    imbalances = [imbalance_text(i, report.figures) for i in report.figures.imbalances()]
    points = trend(selection, unit, report)
    return Dashboard(
        selection=selection,
        unit=unit,
        report=report,
        sections=sections(report.figures, spec),
        imbalances=imbalances,
        charts=charts(points),
        agencies=agency_rows(report),
        ratings=rating_views(report),
        unfinished=selection.end >= today,
    )


def charts_content_security_policy() -> str:
    """The site's policy with inline styles allowed, for the pages that draw with plotly.js
    only: plotly inserts its own `<style>` element and sets `style` attributes on the SVG it
    draws, which `style-src 'self'` refuses. Scripts stay `'self'` only."""
    policy: str = settings.CONTENT_SECURITY_POLICY
    strict = "style-src 'self'"
    if strict not in policy:
        return policy
    return policy.replace(strict, "style-src 'self' 'unsafe-inline'", 1)
