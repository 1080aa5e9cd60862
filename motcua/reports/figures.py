"""What every figure of a report counts, defined once (docs/domain/reports.md#definitions,
docs/interchange/report.md).

Each figure key ("received.online", "resolved.late", …) maps to one `Q` over `Dossier`, written
against the columns and a few expressions (the reporting due, local dates). The aggregate
counts them all in one query with `Count(filter=Q)`; `drilldown` filters by the very same `Q`
to list the dossiers behind a figure, so the two cannot drift.

Every `Q` is complete on its own: the candidate filter of `candidates()` only narrows the rows
the database reads (by index) and never changes a count.

Period [T0, T1): T0 = `start` 00:00, T1 = the day after `end` 00:00, in the site zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractMinute, TruncDate
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.catalog.models import OnlineMode, Unit
from motcua.core.clock import site_zone
from motcua.core.errors import ValidationFailed
from motcua.dossiers import derived
from motcua.dossiers.derived import OverdueRule
from motcua.dossiers.models import Channel, Dossier, ReturnChannel, Source
from motcua.dossiers.moves import held_at, moved_since
from motcua.reports.periods import bounds
from motcua.workflow.calendar import DEFAULT_SESSIONS, parse_sessions
from motcua.workflow.classification import ClassificationRule
from motcua.workflow.states import NOT_RECEIVED, Status

RESOLVED_STATES = (Status.RESOLVED, Status.RETURNED)
ENDED_STATES = (*RESOLVED_STATES, Status.RETURNED_NOT_RESOLVED, Status.STOPPED)
TIMELINESS = ("early", "on_time", "late")
# Where the dossiers received online came from (Dossier.source); "unrecorded": an online
# dossier with no source (typed in from history before the sources were recorded).
ONLINE_SOURCES: tuple[str, ...] = (*Source.values, "unrecorded")

# Every figure of motcua.report/1, in the order of the format.
FIGURES: tuple[str, ...] = (
    "carried_over",
    "received.total",
    "received.counter",
    "received.online",
    "received.postal",
    *(f"received_online.{s}" for s in ONLINE_SOURCES),
    "to_process",
    "resolved.total",
    "resolved.early",
    "resolved.on_time",
    "resolved.late",
    "returned.total",
    "returned.unresolved",
    "returned.withdrawn",
    "pending.total",
    "pending.within_time",
    "pending.overdue",
    "pending.awaiting_supplement",
    "results_by_post",
    "online_service.resolved.total",
    "online_service.resolved.early",
    "online_service.resolved.on_time",
    "online_service.resolved.late",
    "online_service.resolved_submitted_online",
    "five_on_spot.resolved.total",
    "five_on_spot.resolved.early",
    "five_on_spot.resolved.on_time",
    "five_on_spot.resolved.late",
)
# Counted alongside, never printed unless the report does not add up: dossiers that ended in
# the period in a state that is neither resolved nor returned (inconsistent data).
ENDED_UNCLASSIFIED = "ended_unclassified"
KEYS: tuple[str, ...] = (*FIGURES, ENDED_UNCLASSIFIED)

# Column headings for the printed forms (form II.06a and its local variants), lazy: translated
# when shown (str() where a plain str is needed). "Quá hạn" of a resolved dossier is "late",
# of a pending one "overdue": the resolved ones carry the context "resolved".
LABELS: dict[str, Promise] = {
    "carried_over": _("Từ kỳ trước chuyển sang"),
    "received.total": _("Mới tiếp nhận trong kỳ"),
    "received.counter": _("Trực tiếp"),
    "received.online": _("Trực tuyến"),
    "received.postal": _("Qua bưu chính công ích"),
    "received_online.national_portal": _("Trực tuyến qua Cổng Dịch vụ công quốc gia"),
    "received_online.own_portal": _("Trực tuyến qua Cổng dịch vụ công của tỉnh"),
    "received_online.counter_assisted": _("Trực tuyến với hỗ trợ tại quầy"),
    "received_online.unrecorded": _("Trực tuyến, không ghi nguồn"),
    "to_process": _("Tổng số hồ sơ phải giải quyết"),
    "resolved.total": _("Đã giải quyết"),
    "resolved.early": _("Trước hạn"),
    "resolved.on_time": _("Đúng hạn"),
    "resolved.late": pgettext_lazy("resolved", "Quá hạn"),
    "returned.total": _("Trả lại, rút hồ sơ"),
    "returned.unresolved": _("Trả lại hồ sơ"),
    "returned.withdrawn": _("Rút hồ sơ, dừng xử lý"),
    "pending.total": _("Đang giải quyết"),
    "pending.within_time": _("Trong hạn"),
    "pending.overdue": _("Quá hạn"),
    "pending.awaiting_supplement": _("Chờ bổ sung"),
    "results_by_post": _("Trả kết quả qua bưu chính"),
    "online_service.resolved.total": _("Đã giải quyết, thủ tục có dịch vụ công trực tuyến"),
    "online_service.resolved.early": _("Trước hạn"),
    "online_service.resolved.on_time": _("Đúng hạn"),
    "online_service.resolved.late": pgettext_lazy("resolved", "Quá hạn"),
    "online_service.resolved_submitted_online": _("Trong đó nộp trực tuyến"),
    "five_on_spot.resolved.total": _("Đã giải quyết theo mô hình 5 tại chỗ"),
    "five_on_spot.resolved.early": _("Trước hạn"),
    "five_on_spot.resolved.on_time": _("Đúng hạn"),
    "five_on_spot.resolved.late": pgettext_lazy("resolved", "Quá hạn"),
    ENDED_UNCLASSIFIED: _("Kết thúc nhưng không rõ kết quả (dữ liệu lỗi)"),
}


class Scope(StrEnum):
    """Which dossiers a unit's report counts."""

    RECEIVED = "received"  # received at the unit's counters (tiếp nhận): a centre's report
    DECIDED = "decided"  # decided by the unit as the competent agency (cơ quan giải quyết)


def scope_for(unit: Unit) -> Scope:
    """The scope of a unit's report, for every interface (command, dashboard, downloads,
    public statistics): a receiving point (a centre, a branch) reports what it received, the
    figures it publishes; any other unit (a department, its offices, a commune's committee)
    receives nothing at a counter of its own and reports what it decides, wherever it was
    received."""
    return Scope.RECEIVED if unit.is_receiving_point else Scope.DECIDED


@dataclass(frozen=True)
class ReportSpec:
    """What to report: the unit (with its sub-units unless `include_subunits` is False), the
    dates `start`..`end` (inclusive, site zone), the early/on-time/late rule, and whether a
    written refusal counts as resolved (else it is returned unresolved).

    `scope` says which dossiers are the unit's: left out, the unit's own (`scope_for`); a
    caller names one only to compare the two views."""

    unit: Unit
    start: date
    end: date
    include_subunits: bool = True
    rule: ClassificationRule = ClassificationRule.DAY
    count_denied_as_resolved: bool = True
    scope: Scope | None = None  # always a Scope once built

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationFailed(
                f"Kỳ báo cáo không hợp lệ: ngày bắt đầu {self.start:%d/%m/%Y} sau ngày kết thúc "
                f"{self.end:%d/%m/%Y}.",
                code="invalid_period",
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )
        object.__setattr__(self, "rule", ClassificationRule(self.rule))
        object.__setattr__(self, "scope", Scope(self.scope or scope_for(self.unit)))

    @property
    def decided(self) -> bool:
        """The dossiers the unit decides (rather than those it received)."""
        return self.scope == Scope.DECIDED

    @cached_property
    def unit_ids(self) -> tuple[int, ...]:
        """The unit and every unit under it, read once: the aggregates filter by this list of
        ids. (With a sub-select instead, PostgreSQL probes the dossiers once per unit, through
        the unit index, and a monthly province report takes twice as long.)"""
        found = Unit.objects.filter(path__startswith=self.unit.path).values_list("pk", flat=True)
        return tuple(sorted(found))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[T0, T1) as aware datetimes."""
        return bounds(self.start, self.end, site_zone())

    @cached_property
    def moved_since(self) -> bool:
        """Has a unit merge moved dossiers since the period ended? Then they are counted
        where they were (dossiers/moves.py); read once per spec."""
        return moved_since(self.bounds[1])


# --- the dossiers in scope ----------------------------------------------------------------


def scope_q(spec: ReportSpec, prefix: str = "") -> Q:
    """Received by the unit (or under it), or decided by it (`spec.decided`): `prefix` is the
    path from the queried model to its unit ("" for Dossier.receiving_unit, "unit" for Rating;
    in the decided view a rating counts through its dossier's agency)."""
    if spec.decided:
        unit_field = "dossier__agency" if prefix else "agency"
    else:
        unit_field = prefix or "receiving_unit"
    if spec.include_subunits:
        current = Q(**{f"{unit_field}_id__in": spec.unit_ids})
    else:
        current = Q(**{unit_field: spec.unit})
    if prefix:
        return current
    # A dossier a unit merge moved after the period counts where it was (dossiers/moves.py).
    ids = spec.unit_ids if spec.include_subunits else (spec.unit.pk,)
    return held_at(
        current, field=unit_field, unit_ids=ids, moment=spec.bounds[1], any_moved=spec.moved_since
    )


def scoped(spec: ReportSpec) -> QuerySet[Dossier]:
    """The dossiers received (or decided) by the unit (and its sub-units)."""
    # a dossier never received (waiting or refused at reception) is in no report
    return Dossier.objects.filter(scope_q(spec)).exclude(status__in=sorted(NOT_RECEIVED)).order_by()


def candidates(spec: ReportSpec) -> QuerySet[Dossier]:
    """The dossiers any figure can count, as a union of index-friendly ranges (a BitmapOr on
    PostgreSQL): received in the period; ended in the period; still open (ended_at IS NULL)
    and received before T1; open through the whole period (ended after it, received before
    it); result delivered by post in the period. Together: received before T1 and not ended
    before T0, plus the postal deliveries."""
    t0, t1 = spec.bounds
    return scoped(spec).filter(
        Q(received_at__gte=t0, received_at__lt=t1)
        | Q(ended_at__gte=t0, ended_at__lt=t1)
        | Q(ended_at__isnull=True, received_at__lt=t1)
        | Q(ended_at__gte=t1, received_at__lt=t0)
        | Q(delivered_at__gte=t0, delivered_at__lt=t1, delivered_via=ReturnChannel.POSTAL)
    )


# --- the due used for reporting, and local dates and minutes ------------------------------


def reporting_due() -> Coalesce:
    """The due reports classify against: the original one if an apology extended it
    (defined with its Python twin in `motcua.dossiers.derived`)."""
    return derived.reporting_due_expression()


def local_day(expression: Any) -> TruncDate:
    """The local date (site zone) of a datetime: `(x AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`
    on PostgreSQL, Django's `django_datetime_cast_date` on SQLite."""
    return TruncDate(expression, tzinfo=site_zone())


def local_minute(expression: Any) -> Any:
    """The local minute of the day (0-1439) of a datetime, seconds dropped."""
    tz = site_zone()
    return ExtractHour(expression, tzinfo=tz) * 60 + ExtractMinute(expression, tzinfo=tz)


def session_starts_by_unit(spec: ReportSpec) -> dict[tuple[int, ...], list[int]]:
    """The receiving units in scope grouped by the start minutes of their working sessions
    (each unit's own, else its nearest ancestor's, else the default 07:00 and 13:30), the
    sessions `calendars.services.calendar_for(unit)` uses."""
    if spec.decided:  # received anywhere in the province
        units = list(Unit.objects.filter(province_code=spec.unit.province_code))
    elif spec.include_subunits:
        units = list(Unit.objects.filter(path__startswith=spec.unit.path))
    else:
        units = [spec.unit]
    known = {a.code: a.sessions for a in spec.unit.ancestors()}
    known |= {u.code: u.sessions for u in units} | {spec.unit.code: spec.unit.sessions}
    groups: dict[tuple[int, ...], list[int]] = {}
    for unit in units:
        text = ""
        for code in reversed(unit.path.rstrip("/").split("/")):
            text = known.get(code, "")
            if text:
                break
        sessions = parse_sessions(text) if text else DEFAULT_SESSIONS
        starts = tuple(s.start.hour * 60 + s.start.minute for s in sessions)
        groups.setdefault(starts, []).append(unit.pk)
    return groups


def session_start(groups: Mapping[tuple[int, ...], list[int]]) -> Case:
    """SQL twin of `classification._half_day_start`: the start (minute of the day) of the
    last session that began at or before the due's local minute; 0 (midnight) before the
    first session. One CASE per distinct set of sessions, chosen by receiving unit."""
    due_minute = local_minute(reporting_due())

    def by_starts(starts: tuple[int, ...]) -> Case:
        whens = [
            When(GreaterThanOrEqual(due_minute, start), then=Value(start))
            for start in reversed(starts)
        ]
        return Case(*whens, default=Value(0), output_field=IntegerField())

    if not groups:
        return by_starts(tuple(s.start.hour * 60 + s.start.minute for s in DEFAULT_SESSIONS))
    common = max(groups, key=lambda starts: len(groups[starts]))
    others = [
        When(Q(receiving_unit_id__in=ids), then=by_starts(starts))
        for starts, ids in groups.items()
        if starts != common
    ]
    if not others:
        return by_starts(common)
    return Case(*others, default=by_starts(common), output_field=IntegerField())


# --- the definitions ---------------------------------------------------------------------


def timeliness(spec: ReportSpec) -> dict[str, Q]:
    """Early / on time / late against the reporting due (docs/domain/legal-clock.md#classification),
    the SQL twin of `motcua.workflow.classification.classify`; a partition of the ended."""
    due = reporting_due()
    end_day, due_day = local_day("ended_at"), local_day(due)
    if spec.rule == ClassificationRule.DAY:
        return {
            "early": Q(LessThan(end_day, due_day)),
            "on_time": Q(Exact(end_day, due_day)),
            "late": Q(GreaterThan(end_day, due_day)),
        }
    late = Q(ended_at__gt=due)
    within = Q(ended_at__lte=due)
    if spec.rule == ClassificationRule.TIMESTAMP:
        return {
            "early": Q(LessThan(end_day, due_day)),
            "on_time": within & Q(GreaterThanOrEqual(end_day, due_day)),
            "late": late,
        }
    session = session_start(session_starts_by_unit(spec))
    end_minute = local_minute("ended_at")
    same_day = Q(Exact(end_day, due_day))
    return {
        "early": Q(LessThan(end_day, due_day)) | (same_day & Q(LessThan(end_minute, session))),
        "on_time": within & same_day & Q(GreaterThanOrEqual(end_minute, session)),
        "late": late,
    }


@dataclass(frozen=True)
class Definitions:
    """The `Q` of every key of `KEYS` for one spec."""

    spec: ReportSpec
    q: dict[str, Q] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Q:
        try:
            return self.q[key]
        except KeyError:
            raise ValidationFailed(
                f"Không có chỉ tiêu {key}.", code="unknown_figure", known=list(KEYS)
            ) from None


def definitions(spec: ReportSpec) -> Definitions:
    t0, t1 = spec.bounds
    received = Q(received_at__gte=t0, received_at__lt=t1)
    ended = Q(ended_at__gte=t0, ended_at__lt=t1)
    not_ended_before = Q(ended_at__isnull=True) | Q(ended_at__gte=t0)
    carried = Q(received_at__lt=t0) & not_ended_before
    open_at_end = Q(received_at__lt=t1) & (Q(ended_at__isnull=True) | Q(ended_at__gte=t1))
    # Waiting for a supplement, and overdue by the day rule on the period's last day (the
    # running clock's part: the pending figures already select the open, not waiting ones).
    waiting = derived.paused_q(t1)
    late_at_end = derived.running_overdue_q(at=t1, rule=OverdueRule.DAY, reporting=True)
    denied = Q(outcome="denied")
    with_result = ended & Q(status__in=RESOLVED_STATES)
    if spec.count_denied_as_resolved:
        resolved, unresolved = with_result, Q(status=Status.RETURNED_NOT_RESOLVED)
    else:
        resolved = with_result & ~denied
        unresolved = Q(status=Status.RETURNED_NOT_RESOLVED) | (
            Q(status__in=RESOLVED_STATES) & denied
        )
    unresolved = ended & unresolved
    withdrawn = ended & Q(status=Status.STOPPED)
    classes = timeliness(spec)
    online = Q(procedure_version__online__in=[OnlineMode.PARTIAL, OnlineMode.FULL])
    five = Q(five_on_spot=True)

    q: dict[str, Q] = {
        "carried_over": carried,
        "received.total": received,
        **{f"received.{c}": received & Q(channel=c) for c in Channel.values},
        **{
            f"received_online.{s}": received & Q(channel=Channel.ONLINE) & Q(source=s)
            for s in Source.values
        },
        "received_online.unrecorded": received
        & Q(channel=Channel.ONLINE)
        & ~Q(source__in=Source.values),
        "to_process": carried | received,
        "resolved.total": resolved,
        **{f"resolved.{k}": resolved & classes[k] for k in TIMELINESS},
        "returned.total": unresolved | withdrawn,
        "returned.unresolved": unresolved,
        "returned.withdrawn": withdrawn,
        "pending.total": open_at_end,
        "pending.within_time": open_at_end & ~waiting & ~late_at_end,
        "pending.overdue": open_at_end & ~waiting & late_at_end,
        "pending.awaiting_supplement": open_at_end & waiting,
        "results_by_post": Q(
            delivered_at__gte=t0, delivered_at__lt=t1, delivered_via=ReturnChannel.POSTAL
        ),
        "online_service.resolved.total": resolved & online,
        **{f"online_service.resolved.{k}": resolved & online & classes[k] for k in TIMELINESS},
        "online_service.resolved_submitted_online": resolved & online & Q(channel=Channel.ONLINE),
        "five_on_spot.resolved.total": resolved & five,
        **{f"five_on_spot.resolved.{k}": resolved & five & classes[k] for k in TIMELINESS},
        ENDED_UNCLASSIFIED: ended & ~Q(status__in=ENDED_STATES),
    }
    assert tuple(q) == KEYS
    return Definitions(spec, q)


def count_expressions(defs: Definitions, keys: Sequence[str] = KEYS) -> dict[str, Count]:
    """`Count(filter=…)` of each of `keys` (every figure by default), under SQL-safe names
    ("n0", "n1", …) in the order of `keys`."""
    return {f"n{i}": Count("pk", filter=defs[key]) for i, key in enumerate(keys)}


def read_counts(row: Mapping[str, Any], keys: Sequence[str] = KEYS) -> dict[str, int]:
    return {key: int(row[f"n{i}"] or 0) for i, key in enumerate(keys)}


# --- the figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Imbalance:
    """A failed identity (docs/domain/reports.md#balance-identity): `figure` is `value` but
    `expected` (the sum of `parts`)."""

    figure: str
    value: int
    expected: int
    parts: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "value": self.value,
            "expected": self.expected,
            "difference": self.value - self.expected,
            "expected_from": " + ".join(self.parts),
        }


IDENTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("to_process", ("resolved.total", "returned.total", "pending.total")),
    ("to_process", ("carried_over", "received.total")),
    ("received.total", ("received.counter", "received.online", "received.postal")),
    ("received.online", tuple(f"received_online.{s}" for s in ONLINE_SOURCES)),
    ("resolved.total", ("resolved.early", "resolved.on_time", "resolved.late")),
    ("returned.total", ("returned.unresolved", "returned.withdrawn")),
    (
        "pending.total",
        ("pending.within_time", "pending.overdue", "pending.awaiting_supplement"),
    ),
    (
        "online_service.resolved.total",
        tuple(f"online_service.resolved.{k}" for k in TIMELINESS),
    ),
    ("five_on_spot.resolved.total", tuple(f"five_on_spot.resolved.{k}" for k in TIMELINESS)),
)


@dataclass(frozen=True)
class Figures:
    """The counts of one report (or one row of it): `figures["resolved.late"]`."""

    counts: Mapping[str, int]

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def imbalances(self) -> list[Imbalance]:
        """Every identity that fails, each counted separately (the sums are not derived)."""
        found = []
        for figure, parts in IDENTITIES:
            expected = sum(self.counts[p] for p in parts)
            if self.counts[figure] != expected:
                found.append(Imbalance(figure, self.counts[figure], expected, parts))
        return found

    @property
    def balanced(self) -> bool:
        return not self.imbalances()

    def as_dict(self) -> dict[str, Any]:
        """The figures in the nesting and key order of motcua.report/1 (without ratings)."""
        c = self.counts

        def split(prefix: str) -> dict[str, int]:
            return {"total": c[f"{prefix}.total"]} | {k: c[f"{prefix}.{k}"] for k in TIMELINESS}

        data: dict[str, Any] = {
            "carried_over": c["carried_over"],
            "received": {k: c[f"received.{k}"] for k in ("total", *Channel.values)},
            "received_online": {s: c[f"received_online.{s}"] for s in ONLINE_SOURCES},
            "to_process": c["to_process"],
            "resolved": split("resolved"),
            "returned": {k: c[f"returned.{k}"] for k in ("total", "unresolved", "withdrawn")},
            "pending": {
                k: c[f"pending.{k}"]
                for k in ("total", "within_time", "overdue", "awaiting_supplement")
            },
            "balanced": self.balanced,
            "results_by_post": c["results_by_post"],
            "online_service": {
                "resolved": split("online_service.resolved"),
                "resolved_submitted_online": c["online_service.resolved_submitted_online"],
            },
            "five_on_spot": {"resolved": split("five_on_spot.resolved")},
        }
        imbalances = self.imbalances()
        if imbalances:
            details = [i.as_dict() for i in imbalances]
            for imbalance, detail in zip(imbalances, details, strict=True):
                if imbalance.parts == IDENTITIES[0][1] and c.get(ENDED_UNCLASSIFIED):
                    # the likely cause: drilldown key "ended_unclassified" lists them
                    detail[ENDED_UNCLASSIFIED] = c[ENDED_UNCLASSIFIED]
            data["imbalance"] = details
        return data


@contextmanager
def short_query(using: str = "default") -> Iterator[None]:
    """Run a report aggregate without PostgreSQL's JIT compiler. The planner cannot know that
    "ended after the period" and "received before it" rarely hold together, overestimates
    the rows (and so the per-row EXISTS of awaiting_supplement), and then spends far longer
    compiling the query (~1.5 s) than running it (~50 ms on 300k dossiers)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def counts(
    spec: ReportSpec, keys: Sequence[str] = KEYS, defs: Definitions | None = None
) -> dict[str, int]:
    """The figures `keys` of `spec` (all of them by default) in one aggregate query. A chart
    that draws a few figures over many months asks for those only: building the SQL of all
    the figures costs more than running it on a month."""
    defs = defs or definitions(spec)
    with short_query():
        row = candidates(spec).aggregate(**count_expressions(defs, keys))
    return read_counts(row, keys)


def compute(spec: ReportSpec, defs: Definitions | None = None) -> Figures:
    """All figures of `spec` in one aggregate query."""
    return Figures(counts(spec, KEYS, defs))
