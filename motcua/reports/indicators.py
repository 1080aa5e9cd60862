"""The Decision 766 indicators that motcua's own data can compute (domain.md §8), for one report.

Each indicator carries its formula in words, its numerator and denominator (so a reader can
redo the division), the value, and — where the decision fixes them — its threshold and points
(`points = max` at or above the threshold, else `value × max ÷ threshold`; 2 decimals half up;
no value when the denominator is 0). Where a term of the official formula is not in motcua's
data (online payment, DVCQG synchronisation, complaints) the indicator says so in `note`, or is
`available = False` with the reason, rather than inventing a figure.

The counts are SQL aggregates over the report's own definitions (`figures.definitions`), the
average of 2.2 is an `Avg` over `Dossier.working_days_used`, so nothing loads dossiers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from motcua.core.text import vn_number
from motcua.documents.models import Document, DocumentKind
from motcua.feedback.models import Rating
from motcua.reports.figures import (
    RESOLVED_STATES,
    Definitions,
    ReportSpec,
    candidates,
    definitions,
    scoped,
    short_query,
)
from motcua.reports.ratings import rating_filter
from motcua.reports.report import Report

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Answers that count as a dislike in 5.4: the built-in scales' lowest answers.
DISLIKES = Q(answers__overall="dissatisfied") | Q(answers__attitude="unfriendly")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator × 100, 2 decimals half up; None when the denominator is 0."""
    if not denominator:
        return None
    return _round(Decimal(numerator) * HUNDRED / Decimal(denominator))


def points(value: Decimal | None, threshold: Decimal, maximum: Decimal) -> Decimal | None:
    """The scoring rule of ratio indicators with a threshold."""
    if value is None:
        return None
    if value >= threshold:
        return maximum
    return _round(value * maximum / threshold)


@dataclass(frozen=True)
class ProcedureTime:
    """One line of indicator 2.2: a procedure's finished dossiers and their average time."""

    code: str
    name: str
    finished: int
    average_days: Decimal | None
    legal: str  # the catalogue's duration, e.g. "15 ngày làm việc"


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    formula: str
    unit: str = "%"  # "%" or "days" (working days)
    numerator: int | Decimal | None = None
    denominator: int | None = None
    value: Decimal | None = None
    threshold: Decimal | None = None
    max_points: Decimal | None = None
    points: Decimal | None = None
    available: bool = True
    note: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    details: list[ProcedureTime] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def num(x: Decimal | int | None) -> Any:
            return str(x) if isinstance(x, Decimal) else x

        return {
            "id": self.id,
            "name": self.name,
            "formula": self.formula,
            "unit": self.unit,
            "available": self.available,
            "numerator": num(self.numerator),
            "denominator": self.denominator,
            "value": num(self.value),
            "threshold": num(self.threshold),
            "max_points": num(self.max_points),
            "points": num(self.points),
            "note": self.note,
        }


def compute_indicators(report: Report) -> list[Indicator]:
    """Indicators 2.1, 2.2, 3.3, 3.6, 4.1, 4.2 and 5.4 of `report` (same unit, period, rule)."""
    spec = report.spec
    f = report.figures
    defs = definitions(spec)
    extra = _extra_counts(spec, defs) | {"resolved_total": f["resolved.total"]}
    return [
        _processed_in_time(f, extra),
        _average_time(spec, defs),
        _online_share(f),
        Indicator(
            id="3.6",
            name=_("Tỷ lệ hồ sơ thanh toán trực tuyến"),
            formula=_("Hồ sơ đã thanh toán trực tuyến ÷ Hồ sơ của thủ tục có phí, lệ phí"),
            available=False,
            note=_(
                "motcua chưa ghi nhận thanh toán phí, lệ phí (trường DuocThanhToanTrucTuyen "
                "của Cổng DVCQG), nên chưa tính được chỉ số này."
            ),
        ),
        _e_results(extra),
        _digitised(extra),
        _satisfaction(f, extra),
    ]


def _extra_counts(spec: ReportSpec, defs: Definitions) -> dict[str, int]:
    """The counts the indicators need beyond the report's figures, in one aggregate."""
    resolved = defs["resolved.total"]
    within = defs["resolved.early"] | defs["resolved.on_time"]
    pending_ok = defs["pending.within_time"] | defs["pending.awaiting_supplement"]
    once = Q(supplement_count__lte=1)
    results = Document.objects.filter(dossier=OuterRef("pk"), kind=DocumentKind.RESULT)
    components = Document.objects.filter(dossier=OuterRef("pk"), kind=DocumentKind.COMPONENT)
    has_result, has_components = Q(Exists(results)), Q(Exists(components))
    with short_query():
        row = candidates(spec).aggregate(
            resolved_in_time_once=Count("pk", filter=resolved & within & once),
            pending_in_time_once=Count("pk", filter=pending_ok & once),
            resolved_with_result=Count("pk", filter=resolved & has_result),
            resolved_digitised=Count("pk", filter=resolved & has_result & has_components),
        )
        ratings = Rating.objects.filter(rating_filter(spec)).aggregate(
            total=Count("pk"), dislikes=Count("pk", filter=DISLIKES)
        )
    counts = {key: int(value or 0) for key, value in row.items()}
    counts["ratings"] = int(ratings["total"] or 0)
    counts["dislikes"] = int(ratings["dislikes"] or 0)
    return counts


def _processed_in_time(f: Any, extra: dict[str, int]) -> Indicator:
    numerator = extra["resolved_in_time_once"] + extra["pending_in_time_once"]
    denominator = f["resolved.total"] + f["pending.total"]
    return Indicator(
        id="2.1",
        name=_("Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"),
        formula=_(
            "(Đã giải quyết trước hạn, đúng hạn + Đang giải quyết trong hạn, kể cả chờ "
            "bổ sung) ÷ (Đã giải quyết + Đang giải quyết) × 100; thời gian chờ bổ sung không "
            "tính; hồ sơ phải bổ sung quá một lần tính là quá hạn"
        ),
        numerator=numerator,
        denominator=denominator,
        value=percent(numerator, denominator),
        numerator_label=_("Hồ sơ trước hạn, đúng hạn, trong hạn"),
        denominator_label=_("Hồ sơ đã và đang giải quyết"),
        note=_("Hồ sơ trả lại, rút hồ sơ không thuộc mẫu số."),
    )


def _average_time(spec: ReportSpec, defs: Definitions) -> Indicator:
    """Σ working days used ÷ dossiers received in the period and already resolved, per
    procedure and overall."""
    finished = (
        scoped(spec)
        .filter(defs["received.total"])
        .filter(status__in=RESOLVED_STATES, ended_at__lt=spec.bounds[1])
    )
    timed = finished.filter(working_days_used__isnull=False)
    with short_query():
        overall = finished.aggregate(
            n=Count("working_days_used"),  # COUNT(column) skips the NULLs
            total=Sum("working_days_used"),
            missing=Count("pk", filter=Q(working_days_used__isnull=True)),
        )
        lines = list(
            timed.values("procedure_code")
            .annotate(n=Count("pk"), avg=Avg("working_days_used"))
            .order_by("procedure_code")
        )
    details = _procedure_times(lines)
    note = _("Tính bằng ngày làm việc theo lịch của nơi tiếp nhận, không kể thời gian tạm dừng.")
    if overall["missing"]:
        note += " " + _(
            "%(n)s hồ sơ kết thúc trước khi motcua ghi số ngày đã dùng nên không tính."
        ) % {"n": overall["missing"]}
    total, finished_count = overall["total"], int(overall["n"] or 0)
    return Indicator(
        id="2.2",
        name=_("Thời gian giải quyết trung bình một hồ sơ"),
        formula=_(
            "Tổng số ngày làm việc đã dùng ÷ Số hồ sơ tiếp nhận trong kỳ đã giải quyết xong "
            "(từng thủ tục và chung)"
        ),
        unit="days",
        numerator=total,
        denominator=finished_count,
        value=_round(Decimal(total) / finished_count) if finished_count else None,
        numerator_label=_("Tổng số ngày làm việc"),
        denominator_label=_("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong"),
        note=note,
        details=details,
    )


def _procedure_times(lines: Sequence[Mapping[str, Any]]) -> list[ProcedureTime]:
    from motcua.catalog.models import ProcedureVersion

    codes = [line["procedure_code"] for line in lines]
    latest: dict[str, tuple[str, str]] = {}
    versions = (
        ProcedureVersion.objects.filter(procedure__code__in=codes)
        .order_by("procedure__code", "number")
        .values_list("procedure__code", "name", "duration_value", "duration_unit")
    )
    units = {"working_days": _("ngày làm việc"), "working_hours": _("giờ làm việc")}
    for code, name, value, unit in versions:  # the latest version wins
        latest[code] = (name, f"{value} {units.get(unit, unit)}")
    return [
        ProcedureTime(
            code=line["procedure_code"],
            name=latest.get(line["procedure_code"], (line["procedure_code"], ""))[0],
            finished=line["n"],
            average_days=_round(Decimal(line["avg"])) if line["avg"] is not None else None,
            legal=latest.get(line["procedure_code"], ("", ""))[1],
        )
        for line in lines
    ]


def _online_share(f: Any) -> Indicator:
    received = f["received.total"]
    return _ratio(
        id="3.3",
        name=_("Tỷ lệ hồ sơ tiếp nhận trực tuyến"),
        formula=_("Hồ sơ nộp trực tuyến ÷ Hồ sơ tiếp nhận trong kỳ × 100"),
        numerator=f["received.online"],
        denominator=received,
        labels=(_("Hồ sơ nộp trực tuyến"), _("Hồ sơ tiếp nhận trong kỳ")),
        threshold=Decimal(50),
        note=_(
            "Chưa nhân tỷ lệ đồng bộ lên Cổng DVCQG và chưa xét điều kiện có kết quả điện tử: "
            "motcua không có hai dữ liệu này. Tỷ lệ trực tiếp %(counter)s, qua bưu chính "
            "%(postal)s."
        )
        % {
            "counter": _text(percent(f["received.counter"], received)),
            "postal": _text(percent(f["received.postal"], received)),
        },
    )


def _e_results(extra: dict[str, int]) -> Indicator:
    return _ratio(
        id="4.1",
        name=_("Tỷ lệ hồ sơ có kết quả điện tử"),
        formula=_("Hồ sơ đã giải quyết có tệp kết quả ÷ Hồ sơ đã giải quyết trong kỳ × 100"),
        numerator=extra["resolved_with_result"],
        denominator=extra["resolved_total"],
        labels=(_("Hồ sơ có tệp kết quả"), _("Hồ sơ đã giải quyết")),
        note=_(
            "Mọi hồ sơ đã giải quyết được tính ở mẫu số: danh mục chưa ghi thủ tục nào "
            "phải cấp kết quả bản giấy."
        ),
    )


def _digitised(extra: dict[str, int]) -> Indicator:
    return _ratio(
        id="4.2",
        name=_("Tỷ lệ hồ sơ được số hóa"),
        formula=_(
            "Hồ sơ đã giải quyết có thành phần được số hóa và có kết quả điện tử ÷ "
            "Hồ sơ đã giải quyết trong kỳ × 100"
        ),
        numerator=extra["resolved_digitised"],
        denominator=extra["resolved_total"],
        labels=(_("Hồ sơ số hóa đủ thành phần và kết quả"), _("Hồ sơ đã giải quyết")),
        threshold=Decimal(80),
    )


def _satisfaction(f: Any, extra: dict[str, int]) -> Indicator:
    overdue = percent(f["resolved.late"], f["resolved.total"])
    dislikes = percent(extra["dislikes"], extra["ratings"])
    value = None
    if overdue is not None:
        value = max(Decimal(0), HUNDRED - overdue - (dislikes or Decimal(0)))
    threshold, maximum = Decimal(90), Decimal(6)
    return Indicator(
        id="5.4",
        name=_("Mức độ hài lòng trong giải quyết thủ tục hành chính"),
        formula=_("100 % − (Tỷ lệ hồ sơ giải quyết quá hạn + Tỷ lệ đánh giá không hài lòng)"),
        value=value,
        threshold=threshold,
        max_points=maximum,
        points=points(value, threshold, maximum),
        numerator=None,
        denominator=None,
        note=_(
            "Quá hạn %(overdue)s (%(late)s/%(resolved)s hồ sơ đã giải quyết); không hài lòng "
            "%(dislikes)s (%(disliked)s/%(ratings)s phiếu đánh giá chọn mức thấp nhất). motcua "
            "chưa ghi nhận phản ánh, kiến nghị nên phần này chưa được tính."
        )
        % {
            "overdue": _text(overdue),
            "late": f["resolved.late"],
            "resolved": f["resolved.total"],
            "dislikes": _text(dislikes),
            "disliked": extra["dislikes"],
            "ratings": extra["ratings"],
        },
    )


def _ratio(
    *,
    id: str,
    name: str,
    formula: str,
    numerator: int,
    denominator: int,
    labels: tuple[str, str],
    threshold: Decimal | None = None,
    note: str = "",
) -> Indicator:
    return Indicator(
        id=id,
        name=name,
        formula=formula,
        numerator=numerator,
        denominator=denominator,
        value=percent(numerator, denominator),
        threshold=threshold,
        numerator_label=labels[0],
        denominator_label=labels[1],
        note=note,
    )


def _text(value: Decimal | None) -> str:
    return "—" if value is None else vn_number(value) + " %"


def _number(value: Decimal | int | None, suffix: str = "") -> str:
    return "" if value is None else vn_number(value) + suffix


def texts(indicator: Indicator) -> dict[str, Any]:
    """The indicator as the printed form and the dashboard show it (Vietnamese separators)."""
    unit = " %" if indicator.unit == "%" else " " + _("ngày")
    if not indicator.available:
        value = _("Chưa tính được")
    elif indicator.value is None:
        value = "N/A"
    else:
        value = _number(indicator.value, unit)
    points = ""
    if indicator.max_points is not None:
        points = f"{_number(indicator.points)}/{_number(indicator.max_points)}"
    return {
        "id": indicator.id,
        "name": indicator.name,
        "formula": indicator.formula,
        "note": indicator.note,
        "numerator_text": _number(indicator.numerator),
        "denominator_text": _number(indicator.denominator),
        "value_text": value,
        "threshold_text": _number(indicator.threshold, " %"),
        "points_text": points,
        "reached": indicator.value is not None
        and indicator.threshold is not None
        and indicator.value >= indicator.threshold,
    }
