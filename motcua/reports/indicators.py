"""The Decision 766 indicators motcua's data can compute for one report (docs/domain/reports.md).

Each indicator carries its formula in words and the ratios it is made of: a numerator and a
denominator (`Term`s), each with the key of the list of dossiers or ratings behind it
(`drilldown`), so a reader can redo the division and check every count. Most indicators are
one ratio; 5.4 subtracts two (late resolutions, dissatisfied ratings). An indicator has a value
only when every denominator is above 0, and points only when it has a value: with nothing to
divide by there is nothing to score. Where the decision fixes them, a threshold and points
(`points = max` at or above the threshold, else `value × max ÷ threshold`; 2 decimals half up).
Where a term of the official formula is not in motcua's data (online payment, DVCQG
synchronisation, complaints) the indicator says so in `note`, or is `available = False` with
the reason, rather than inventing a figure.

The counts are SQL aggregates over the report's own definitions (`figures.definitions`) and
the `Q`s below, the same ones the drill-down lists filter by; the sum of 2.2 is a `Sum` over
`Dossier.working_days_used`. Nothing loads dossiers. Values stay exact; `numbers` rounds what
is shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.models import ReturnChannel
from motcua.feedback.models import Rating
from motcua.outbox import registry
from motcua.outbox.models import MessageStatus, OutboxMessage
from motcua.reports.figures import (
    RESOLVED_STATES,
    Definitions,
    Figures,
    ReportSpec,
    candidates,
    definitions,
    scoped,
    short_query,
)
from motcua.reports.numbers import HUNDRED, NO_VALUE, percent, rounded, shown
from motcua.reports.ratings import rating_filter
from motcua.reports.report import Report

__all__ = ["Indicator", "Ratio", "Term", "compute_indicators", "percent", "points", "texts"]

# The lists the indicators count beyond the report's figures (drill-down keys).
IN_TIME = "indicator.in_time"  # 2.1 numerator
PROCESSED = "indicator.processed"  # 2.1 denominator
TIMED = "indicator.timed"  # 2.2: received and resolved in the period, time recorded
WITH_RESULT = "indicator.with_result"  # 4.1 numerator
DIGITISED = "indicator.digitised"  # 4.2 numerator
RATED = "indicator.rated"  # 5.4: the ratings of the period
DISLIKED = "indicator.disliked"  # 5.4: those with a lowest answer
DELIVERED_ONLINE = "indicator.delivered_online"  # 4.1 numerator: e-results downloaded
REUSED = "indicator.reused"  # 4.3 numerator: a component taken again from the citizen's store
LINKED = "indicator.linked_to_store"  # 4.4 numerator: reused, or the result went into the store
SYNCED = "indicator.synced"  # 3.3: received in the period, a status delivered to the portal

DOSSIER_LABELS: dict[str, Promise] = {
    IN_TIME: gettext_lazy("Hồ sơ trước hạn, đúng hạn, trong hạn"),
    PROCESSED: gettext_lazy("Hồ sơ đã và đang giải quyết"),
    TIMED: gettext_lazy("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong"),
    WITH_RESULT: gettext_lazy("Hồ sơ có tệp kết quả"),
    DIGITISED: gettext_lazy("Hồ sơ số hóa đủ thành phần và kết quả"),
    DELIVERED_ONLINE: gettext_lazy("Hồ sơ đã trả kết quả điện tử trực tuyến"),
    REUSED: gettext_lazy("Hồ sơ dùng lại giấy tờ đã số hóa"),
    LINKED: gettext_lazy("Hồ sơ gắn với kho dữ liệu điện tử của người nộp"),
    SYNCED: gettext_lazy("Hồ sơ đã đồng bộ lên Cổng Dịch vụ công quốc gia"),
}
RATING_LABELS: dict[str, Promise] = {
    RATED: gettext_lazy("Phiếu đánh giá"),
    DISLIKED: gettext_lazy("Phiếu đánh giá chọn mức thấp nhất"),
}
# What each list holds, in words (the heading's explanation on a drill-down page).
LIST_EXPLANATIONS: dict[str, Promise] = {
    IN_TIME: gettext_lazy(
        "Chỉ số 2.1, tử số: hồ sơ đã giải quyết trong kỳ trước hạn hoặc đúng hạn, và hồ sơ "
        "đang giải quyết cuối kỳ còn trong hạn hoặc đang chờ bổ sung; chỉ những hồ sơ phải "
        "bổ sung nhiều nhất một lần."
    ),
    PROCESSED: gettext_lazy(
        "Chỉ số 2.1, mẫu số: hồ sơ đã giải quyết trong kỳ và hồ sơ đang giải quyết cuối kỳ."
    ),
    TIMED: gettext_lazy(
        "Chỉ số 2.2: hồ sơ tiếp nhận trong kỳ và đã giải quyết xong trước khi hết kỳ, có ghi "
        "số ngày làm việc đã dùng. Mẫu số là số hồ sơ này, tử số là tổng số ngày của chúng."
    ),
    WITH_RESULT: gettext_lazy(
        "Hồ sơ đã giải quyết trong kỳ có tệp kết quả giải quyết (đã hoặc chưa trả cho người nộp)."
    ),
    DIGITISED: gettext_lazy(
        "Chỉ số 4.2, tử số: hồ sơ đã giải quyết trong kỳ có tệp kết quả và có thành phần hồ "
        "sơ được số hóa."
    ),
    DELIVERED_ONLINE: gettext_lazy(
        "Chỉ số 4.1, tử số: hồ sơ đã giải quyết trong kỳ mà người nộp đã nhận kết quả điện tử "
        "trực tuyến trước khi hết kỳ (lần tải đầu tiên từ trang tra cứu ghi nhận việc trả kết "
        "quả trực tuyến)."
    ),
    REUSED: gettext_lazy(
        "Chỉ số 4.3, tử số: hồ sơ tiếp nhận trong kỳ có ít nhất một thành phần người nộp chọn "
        "lại từ giấy tờ, kết quả đã số hóa của mình thay vì nộp mới."
    ),
    LINKED: gettext_lazy(
        "Chỉ số 4.4, tử số: hồ sơ tiếp nhận trong kỳ có thành phần lấy từ kho dữ liệu điện tử "
        "của người nộp, hoặc có kết quả điện tử đã trả trực tuyến vào tài khoản của họ trước "
        "khi hết kỳ."
    ),
    SYNCED: gettext_lazy(
        "Chỉ số 3.3, hệ số đồng bộ: hồ sơ tiếp nhận trong kỳ đã có ít nhất một trạng thái "
        "được chuyển thành công lên Cổng Dịch vụ công quốc gia."
    ),
    RATED: gettext_lazy("Chỉ số 5.4: mọi phiếu đánh giá của công dân, tổ chức trong kỳ."),
    DISLIKED: gettext_lazy(
        "Chỉ số 5.4: phiếu đánh giá trong kỳ chọn mức thấp nhất (không hài lòng với kết quả, "
        "hoặc thái độ không thân thiện)."
    ),
}
DOSSIER_KEYS: tuple[str, ...] = tuple(DOSSIER_LABELS)
RATING_KEYS: tuple[str, ...] = tuple(RATING_LABELS)

# Answers that count as a dislike in 5.4: the built-in scales' lowest answers.
DISLIKES = Q(answers__overall="dissatisfied") | Q(answers__attitude="unfriendly")
RATING_DEFINITIONS: dict[str, Q] = {RATED: Q(), DISLIKED: DISLIKES}


def points(
    value: Decimal | None, threshold: Decimal | int, maximum: Decimal | int
) -> Decimal | None:
    """The scoring rule of ratio indicators with a threshold; no points without a value."""
    if value is None:
        return None
    if value >= threshold:
        return Decimal(maximum)
    return rounded(value * maximum / threshold)


# --- what an indicator is made of --------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A numerator or a denominator: its value and the key of the list behind it, a figure
    key ("resolved.late") or one of `DOSSIER_KEYS` / `RATING_KEYS`."""

    key: str
    label: str
    value: int | Decimal
    sums: str = ""  # the listed dossiers' field it adds up (2.2's days); "" when it counts them

    @property
    def ratings(self) -> bool:
        """The list behind it holds ratings, not dossiers."""
        return self.key in RATING_KEYS


@dataclass(frozen=True)
class Ratio:
    numerator: Term
    denominator: Term

    def __iter__(self) -> Iterator[Term]:
        yield self.numerator
        yield self.denominator

    @property
    def percent(self) -> Decimal | None:
        return percent(self.numerator.value, self.denominator.value)


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
    ratios: tuple[Ratio, ...] = ()
    value: Decimal | None = None
    threshold: int | None = None
    max_points: int | None = None
    points: Decimal | None = None
    available: bool = True
    note: str = ""
    details: list[ProcedureTime] = field(default_factory=list)

    @property
    def numerator(self) -> int | Decimal | None:
        """The numerator of a one-ratio indicator (None for 5.4 and the unavailable 3.6)."""
        return self.ratios[0].numerator.value if len(self.ratios) == 1 else None

    @property
    def denominator(self) -> int | Decimal | None:
        return self.ratios[0].denominator.value if len(self.ratios) == 1 else None

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
            "denominator": num(self.denominator),
            "value": num(self.value),
            "threshold": self.threshold,
            "max_points": self.max_points,
            "points": num(self.points),
            "note": self.note,
        }


# --- the dossiers and ratings they count ----------------------------------------------------


def _finished(spec: ReportSpec, defs: Definitions) -> Q:
    """2.2's dossiers: received in the period and resolved by its end."""
    return defs["received.total"] & Q(status__in=RESOLVED_STATES, ended_at__lt=spec.bounds[1])


def dossier_definitions(spec: ReportSpec, defs: Definitions | None = None) -> dict[str, Q]:
    """The `Q` over `Dossier` of each of `DOSSIER_KEYS` (in the report's scope: `scoped`)."""
    defs = defs or definitions(spec)
    resolved = defs["resolved.total"]
    within = defs["resolved.early"] | defs["resolved.on_time"]
    pending_ok = defs["pending.within_time"] | defs["pending.awaiting_supplement"]
    once = Q(supplement_count__lte=1)  # a second supplement makes a dossier late (766)
    # Uncorrelated sub-queries over the documents of the dossiers ended in the period (the only
    # ones `resolved` admits): hashed once, and the aggregate can still run in parallel.
    t0, t1 = spec.bounds
    ended_here = Document.objects.filter(dossier__ended_at__gte=t0, dossier__ended_at__lt=t1)
    has_result = Q(pk__in=ended_here.filter(kind=DocumentKind.RESULT).values("dossier_id"))
    has_components = Q(pk__in=ended_here.filter(kind=DocumentKind.COMPONENT).values("dossier_id"))
    # 4.3–4.4 count the dossiers received in the period: reuse happens at submission.
    received = defs["received.total"]
    reused = Q(
        pk__in=Document.objects.filter(
            dossier__received_at__gte=t0,
            dossier__received_at__lt=t1,
            kind=DocumentKind.COMPONENT,
            reused_from__isnull=False,
        ).values("dossier_id")
    )
    delivered_online = Q(delivered_via=ReturnChannel.ONLINE, delivered_at__lt=t1)
    found = {
        # resolved (ended in the period) and pending (open at its end) never overlap
        IN_TIME: ((resolved & within) | pending_ok) & once,
        PROCESSED: resolved | defs["pending.total"],
        TIMED: _finished(spec, defs) & Q(working_days_used__isnull=False),
        WITH_RESULT: resolved & has_result,
        DIGITISED: resolved & has_result & has_components,
        # a column of the row itself: no sub-query
        DELIVERED_ONLINE: resolved & Q(delivered_via=ReturnChannel.ONLINE, delivered_at__lt=t1),
        REUSED: received & reused,
        LINKED: received & (reused | delivered_online),
        SYNCED: received & _synced(t0, t1),
    }
    assert tuple(found) == DOSSIER_KEYS
    return found


def _synced(t0: Any, t1: Any) -> Q:
    """Dossiers received in [t0, t1) with a status delivered to the national portal (an
    uncorrelated sub-query over the outbox); none where no destination in use synchronises."""
    names = registry.national_sync_in_use()
    if not names:
        return Q(pk__isnull=True)
    delivered = OutboxMessage.objects.filter(
        destination__in=names,
        status=MessageStatus.DELIVERED,
        dossier__received_at__gte=t0,
        dossier__received_at__lt=t1,
    )
    return Q(pk__in=delivered.values("dossier_id"))


def dossier_aggregates(spec: ReportSpec, defs: Definitions | None = None) -> dict[str, Any]:
    """The additive aggregates over the period's dossiers that the indicators read: every count
    of `DOSSIER_KEYS`, 2.2's sum of days ("days") and its resolved dossiers without a recorded
    time ("untimed"). A report built with them (`build_report(extra=…)`) carries their
    values, and the indicators then read no dossier again."""
    defs = defs or definitions(spec)
    qs = dossier_definitions(spec, defs)
    untimed = _finished(spec, defs) & Q(working_days_used__isnull=True)
    return {
        **{f"indicator_{i}": Count("pk", filter=q) for i, q in enumerate(qs.values())},
        "indicator_days": Sum("working_days_used", filter=qs[TIMED]),
        "indicator_untimed": Count("pk", filter=untimed),
    }


def _counts(report: Report, defs: Definitions) -> dict[str, Any]:
    """Every count of `DOSSIER_KEYS` and `RATING_KEYS`, 2.2's sum of days ("days") and its
    resolved dossiers without a recorded time ("untimed"): from the report when it was built
    with `dossier_aggregates`, else one aggregate; one over the ratings."""
    spec = report.spec
    wanted = dossier_aggregates(spec, defs)
    rated = {
        f"r{i}": Count("pk", filter=q or None)  # Q(): every rating
        for i, q in enumerate(RATING_DEFINITIONS.values())
    }
    with short_query():
        if set(wanted) <= set(report.extra):
            row = dict(report.extra)
        else:
            row = candidates(spec).aggregate(**wanted)
        ratings = Rating.objects.filter(rating_filter(spec)).aggregate(**rated)
    counts: dict[str, Any] = {
        key: int(row[f"indicator_{i}"] or 0) for i, key in enumerate(DOSSIER_KEYS)
    }
    counts |= {key: int(ratings[f"r{i}"] or 0) for i, key in enumerate(RATING_DEFINITIONS)}
    # a sum of two-decimal values has two decimals (SQLite adds them as floats)
    counts["days"] = rounded(row["indicator_days"] or 0)
    counts["untimed"] = int(row["indicator_untimed"] or 0)
    return counts


# --- the indicators -------------------------------------------------------------------------


def compute_indicators(report: Report) -> list[Indicator]:
    """Indicators 2.1, 2.2, 3.3, 3.6, 4.1–4.4 and 5.4 of `report` (same unit, period, rule)."""
    spec = report.spec
    f = report.figures
    defs = definitions(spec)
    counts = _counts(report, defs)
    resolved = Term("resolved.total", _("Hồ sơ đã giải quyết"), f["resolved.total"])
    return [
        _processed_in_time(counts),
        _average_time(spec, defs, counts),
        _online_share(f, counts),
        Indicator(
            id="3.6",
            name=_("Tỷ lệ hồ sơ thanh toán trực tuyến"),
            formula=_("Hồ sơ đã thanh toán trực tuyến ÷ Hồ sơ của thủ tục có phí, lệ phí"),
            available=False,
            note=_(
                "Chưa tính được: việc thanh toán phí, lệ phí trực tuyến chưa được ghi nhận "
                "trên hệ thống."
            ),
        ),
        _e_results(counts, resolved),
        _digitised(counts, resolved),
        *_store_use(counts, f),
        _satisfaction(f, counts, resolved),
    ]


def _term(key: str, counts: Mapping[str, Any]) -> Term:
    """The term counting list `key` of `DOSSIER_KEYS` / `RATING_KEYS`."""
    labels = DOSSIER_LABELS | RATING_LABELS
    return Term(key, str(labels[key]), counts[key])


def _ratio(
    *,
    id: str,
    name: str,
    formula: str,
    numerator: Term,
    denominator: Term,
    threshold: int | None = None,
    note: str = "",
) -> Indicator:
    ratio = Ratio(numerator, denominator)
    return Indicator(
        id=id,
        name=name,
        formula=formula,
        ratios=(ratio,),
        value=ratio.percent,
        threshold=threshold,
        note=note,
    )


def _processed_in_time(counts: Mapping[str, Any]) -> Indicator:
    return _ratio(
        id="2.1",
        name=_("Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"),
        formula=_(
            "(Đã giải quyết trước hạn, đúng hạn + Đang giải quyết trong hạn, kể cả chờ "
            "bổ sung) ÷ (Đã giải quyết + Đang giải quyết) × 100; thời gian chờ bổ sung không "
            "tính; hồ sơ phải bổ sung quá một lần tính là quá hạn"
        ),
        numerator=_term(IN_TIME, counts),
        denominator=_term(PROCESSED, counts),
        note=_("Hồ sơ trả lại, rút hồ sơ không thuộc mẫu số."),
    )


def _average_time(spec: ReportSpec, defs: Definitions, counts: Mapping[str, Any]) -> Indicator:
    """Σ working days used ÷ dossiers received in the period and already resolved, per
    procedure and overall."""
    timed = scoped(spec).filter(dossier_definitions(spec, defs)[TIMED])
    with short_query():
        lines = list(
            timed.values("procedure_code")
            .annotate(n=Count("pk"), avg=Avg("working_days_used"))
            .order_by("procedure_code")
        )
    note = _("Tính bằng ngày làm việc theo lịch của nơi tiếp nhận, không kể thời gian tạm dừng.")
    if counts["untimed"]:
        note += " " + _(
            "%(n)s hồ sơ kết thúc trước khi hệ thống ghi số ngày làm việc đã dùng nên không "
            "được tính."
        ) % {"n": shown(counts["untimed"])}
    days = Term(TIMED, _("Tổng số ngày làm việc"), counts["days"], sums="working_days_used")
    ratio = Ratio(days, _term(TIMED, counts))
    finished: int = counts[TIMED]
    return Indicator(
        id="2.2",
        name=_("Thời gian giải quyết trung bình một hồ sơ"),
        formula=_(
            "Tổng số ngày làm việc đã dùng ÷ Số hồ sơ tiếp nhận trong kỳ đã giải quyết xong "
            "(từng thủ tục và chung)"
        ),
        unit="days",
        ratios=(ratio,),
        value=rounded(counts["days"] / finished) if finished else None,
        note=note,
        details=_procedure_times(lines),
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
            average_days=rounded(Decimal(line["avg"])) if line["avg"] is not None else None,
            legal=latest.get(line["procedure_code"], ("", ""))[1],
        )
        for line in lines
    ]


def _online_share(f: Figures, counts: Mapping[str, Any]) -> Indicator:
    """The national portal's 3.3: the share received online, times the share of the period's
    dossiers synchronised to the portal where this site sends it statuses."""
    received = f["received.total"]
    total = Term("received.total", _("Hồ sơ tiếp nhận trong kỳ"), received)
    online = Ratio(Term("received.online", _("Hồ sơ nộp trực tuyến"), f["received.online"]), total)
    syncing = bool(registry.national_sync_in_use())
    synced = Ratio(_term(SYNCED, counts), total)
    if syncing:
        value = percent(f["received.online"] * counts[SYNCED], received * received)
        sync_note = _(
            "Hệ số đồng bộ: %(synced)s/%(received)s hồ sơ tiếp nhận trong kỳ đã có trạng thái "
            "trên Cổng Dịch vụ công quốc gia."
        ) % {"synced": shown(counts[SYNCED]), "received": shown(received)}
    else:
        value = online.percent
        sync_note = _(
            "Hệ thống không gửi trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia (chưa bật trong "
            "cấu hình), nên chưa nhân hệ số đồng bộ."
        )
    note = (
        sync_note
        + " "
        + _(
            "Danh mục chưa ghi thủ tục nào phải cấp kết quả bản giấy, nên điều kiện có kết quả "
            "điện tử chưa áp dụng. Tỷ lệ trực tiếp %(counter)s, qua bưu chính %(postal)s."
        )
        % {
            "counter": shown(percent(f["received.counter"], received), " %"),
            "postal": shown(percent(f["received.postal"], received), " %"),
        }
        + " "
        + _(
            "Hồ sơ nộp trực tuyến theo nguồn: Cổng Dịch vụ công quốc gia %(national)s, Cổng "
            "dịch vụ công của tỉnh %(own)s, nộp tại quầy với sự hỗ trợ %(assisted)s, không ghi "
            "nguồn %(unrecorded)s."
        )
        % {
            "national": shown(f["received_online.national_portal"]),
            "own": shown(f["received_online.own_portal"]),
            "assisted": shown(f["received_online.counter_assisted"]),
            "unrecorded": shown(f["received_online.unrecorded"]),
        }
    )
    return Indicator(
        id="3.3",
        name=_("Tỷ lệ hồ sơ tiếp nhận trực tuyến"),
        formula=_(
            "Hồ sơ nộp trực tuyến ÷ Hồ sơ tiếp nhận trong kỳ × 100 × (Hồ sơ đã đồng bộ lên "
            "Cổng Dịch vụ công quốc gia ÷ Hồ sơ tiếp nhận trong kỳ)"
        ),
        ratios=(online, synced) if syncing else (online,),
        value=value,
        threshold=50,
        note=note,
    )


def _e_results(counts: Mapping[str, Any], resolved: Term) -> Indicator:
    return _ratio(
        id="4.1",
        name=_("Tỷ lệ hồ sơ có kết quả điện tử"),
        formula=_(
            "Hồ sơ đã giải quyết đã trả kết quả điện tử trực tuyến ÷ Hồ sơ đã giải quyết trong "
            "kỳ × 100"
        ),
        numerator=_term(DELIVERED_ONLINE, counts),
        denominator=resolved,
        note=_(
            "Kết quả điện tử được tính khi người nộp đã tải về bằng mã tra cứu. Hồ sơ có tệp "
            "kết quả: %(with_result)s. Mọi hồ sơ đã giải quyết được tính ở mẫu số: danh mục "
            "chưa ghi thủ tục nào phải cấp kết quả bản giấy."
        )
        % {"with_result": shown(counts[WITH_RESULT])},
    )


def _digitised(counts: Mapping[str, Any], resolved: Term) -> Indicator:
    return _ratio(
        id="4.2",
        name=_("Tỷ lệ hồ sơ được số hóa"),
        formula=_(
            "Hồ sơ đã giải quyết có thành phần được số hóa và có kết quả điện tử ÷ "
            "Hồ sơ đã giải quyết trong kỳ × 100"
        ),
        numerator=_term(DIGITISED, counts),
        denominator=resolved,
        threshold=80,
    )


def _store_use(counts: Mapping[str, Any], f: Figures) -> tuple[Indicator, Indicator]:
    """4.3 and 4.4 over the dossiers received in the period (reuse happens at submission)."""
    received = Term("received.total", _("Hồ sơ tiếp nhận trong kỳ"), f["received.total"])
    note = _(
        "Tính theo giấy tờ người nộp chọn lại trên Cổng dịch vụ công của tỉnh. Thành phần mà "
        "Cổng Dịch vụ công quốc gia báo lấy từ kho dữ liệu của Cổng chưa được tính."
    )
    return (
        _ratio(
            id="4.3",
            name=_("Tỷ lệ tái sử dụng dữ liệu số hóa"),
            formula=_(
                "Hồ sơ có thành phần dùng lại từ dữ liệu đã số hóa ÷ Hồ sơ tiếp nhận trong kỳ × 100"
            ),
            numerator=_term(REUSED, counts),
            denominator=received,
            threshold=80,
            note=note,
        ),
        _ratio(
            id="4.4",
            name=_("Tỷ lệ hồ sơ gắn với kho dữ liệu điện tử của tổ chức, cá nhân"),
            formula=_(
                "Hồ sơ có thành phần lấy từ kho dữ liệu điện tử hoặc có kết quả điện tử trả vào "
                "kho ÷ Hồ sơ tiếp nhận trong kỳ × 100"
            ),
            numerator=_term(LINKED, counts),
            denominator=received,
            note=note,
        ),
    )


def _satisfaction(f: Figures, counts: Mapping[str, Any], resolved: Term) -> Indicator:
    """100 − (late share + dislike share): no value unless both shares have one (without a
    single rating, nothing says that nobody was dissatisfied)."""
    late = Ratio(Term("resolved.late", _("Hồ sơ giải quyết quá hạn"), f["resolved.late"]), resolved)
    disliked = Ratio(_term(DISLIKED, counts), _term(RATED, counts))
    overdue, dislikes = late.percent, disliked.percent
    value = None
    if overdue is not None and dislikes is not None:
        value = max(Decimal(0), HUNDRED - overdue - dislikes)
    threshold, maximum = 90, 6
    note = _(
        "Quá hạn %(overdue)s (%(late)s/%(resolved)s hồ sơ đã giải quyết); không hài lòng "
        "%(dislikes)s (%(disliked)s/%(ratings)s phiếu đánh giá chọn mức thấp nhất). Phản "
        "ánh, kiến nghị chưa được ghi nhận trên hệ thống nên phần này chưa được tính."
    ) % {
        "overdue": shown(overdue, " %"),
        "late": shown(late.numerator.value),
        "resolved": shown(resolved.value),
        "dislikes": shown(dislikes, " %"),
        "disliked": shown(disliked.numerator.value),
        "ratings": shown(disliked.denominator.value),
    }
    if value is None:
        note += " " + _(
            "Kỳ này không có hồ sơ đã giải quyết hoặc không có phiếu đánh giá nào, nên chỉ số "
            "không có giá trị và không được tính điểm."
        )
    return Indicator(
        id="5.4",
        name=_("Mức độ hài lòng trong giải quyết thủ tục hành chính"),
        formula=_("100 % − (Tỷ lệ hồ sơ giải quyết quá hạn + Tỷ lệ đánh giá không hài lòng)"),
        ratios=(late, disliked),
        value=value,
        threshold=threshold,
        max_points=maximum,
        points=points(value, threshold, maximum),
        note=note,
    )


# --- as printed and shown -------------------------------------------------------------------


def _term_texts(term: Term) -> dict[str, Any]:
    text = shown(term.value)
    return {"key": term.key, "label": term.label, "text": text, "ratings": term.ratings}


def texts(indicator: Indicator) -> dict[str, Any]:
    """The indicator as the printed form and the dashboard show it: numbers rounded by
    `numbers.shown`, "—" where there is no value (nor points)."""
    unit = " %" if indicator.unit == "%" else " " + pgettext("working days, after a number", "ngày")
    value = shown(indicator.value, unit) if indicator.available else _("Chưa tính được")
    points = ""
    if indicator.max_points is not None:
        points = NO_VALUE
        if indicator.points is not None:
            points = f"{shown(indicator.points)}/{shown(indicator.max_points)}"
    ratios = [
        {"numerator": _term_texts(r.numerator), "denominator": _term_texts(r.denominator)}
        for r in indicator.ratios
    ]
    return {
        "id": indicator.id,
        "name": indicator.name,
        "formula": indicator.formula,
        "note": indicator.note,
        "ratios": ratios,
        "numerators": [r["numerator"] for r in ratios],
        "denominators": [r["denominator"] for r in ratios],
        "numerator_text": " · ".join(r["numerator"]["text"] for r in ratios),
        "denominator_text": " · ".join(r["denominator"]["text"] for r in ratios),
        "value_text": value,
        "threshold_text": "" if indicator.threshold is None else shown(indicator.threshold, " %"),
        "points_text": points,
        "reached": indicator.value is not None
        and indicator.threshold is not None
        and indicator.value >= indicator.threshold,
    }
