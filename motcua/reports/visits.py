"""The hall's visits in a report (`visits` of `motcua.report/1`): tickets drawn at the halls of
the unit (and the units under it) on the period's days, how they ended, visits served per day,
hour, service group and counter, and the waiting and service times as median and 90th
percentile (docs/domain/ratings.md#visits).

Times are in minutes: waiting from drawing the ticket (or checking an appointment in) to the
first call, service from the first call to the end of the visit; both for served visits only
(a no-show has no service). Percentiles interpolate linearly between the two nearest ranks
(PostgreSQL's `percentile_cont`, Python's `statistics.quantiles(method="inclusive")`), so the
median of an even count is the mean of the middle two."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from motcua.core.clock import local
from motcua.queueing.models import Outcome, Ticket, TicketStatus
from motcua.reports.figures import ReportSpec


def percentile(values: Sequence[float], p: float) -> float | None:
    """The `p`-th quantile (0..1) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _minutes(value: float | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Spread:
    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median": _minutes(self.median), "p90": _minutes(self.p90)}


@dataclass(frozen=True)
class Visits:
    tickets: int
    served: int
    no_show: int
    outcomes: dict[str, int]
    waiting: Spread
    service: Spread
    by_day: list[tuple[str, int]]
    by_hour: list[tuple[int, int]]
    by_group: list[dict[str, Any]]
    by_counter: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "served": self.served,
            "no_show": self.no_show,
            "guidance_only": self.outcomes.get(Outcome.GUIDANCE_ONLY, 0),
            "to_dossier": self.outcomes.get(Outcome.TO_DOSSIER, 0),
            "collect_result": self.outcomes.get(Outcome.COLLECT_RESULT, 0),
            "waiting_minutes": self.waiting.as_dict(),
            "service_minutes": self.service.as_dict(),
            "by_day": [{"day": day, "served": n} for day, n in self.by_day],
            "by_hour": [{"hour": hour, "served": n} for hour, n in self.by_hour],
            "by_group": self.by_group,
            "by_counter": self.by_counter,
        }


def tickets_of(spec: ReportSpec) -> QuerySet[Ticket]:
    """The tickets drawn at the unit's halls (and those under it) on the period's days."""
    units = Q(hall__unit_id__in=spec.unit_ids) if spec.include_subunits else Q(hall__unit=spec.unit)
    return Ticket.objects.filter(units, day__gte=spec.start, day__lte=spec.end)


def served_q() -> Q:
    """A served visit: finished, not as a no-show."""
    return Q(status=TicketStatus.DONE)


def _gap(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def compute_visits(spec: ReportSpec) -> Visits:
    rows = list(
        tickets_of(spec)
        .order_by()
        .values_list(
            "status",
            "outcome",
            "issued_at",
            "called_at",
            "finished_at",
            "day",
            "group__code",
            "group__name",
            "counter__number",
            "counter__hall__unit__code",
        )
    )
    outcomes: Tally[str] = Tally()
    waiting: list[float] = []
    service: list[float] = []
    by_day: Tally[str] = Tally()
    by_hour: Tally[int] = Tally()
    groups: dict[str, dict[str, Any]] = {}
    counters: dict[tuple[str, str], dict[str, Any]] = {}
    no_show = 0
    for status, outcome, issued, called, finished, day, g_code, g_name, c_num, c_unit in rows:
        if status == TicketStatus.NO_SHOW:
            no_show += 1
            continue
        if status != TicketStatus.DONE:
            continue
        outcomes[outcome] += 1
        wait = _gap(issued, called)
        took = _gap(called, finished)
        if wait is not None:
            waiting.append(wait)
        if took is not None:
            service.append(took)
        by_day[day.isoformat()] += 1
        if called is not None:
            by_hour[local(called).hour] += 1
        group = groups.setdefault(g_code, {"name": g_name, "n": 0, "waits": [], "takes": []})
        desk = counters.setdefault((c_unit or "", c_num or ""), {"n": 0, "waits": [], "takes": []})
        for bucket in (group, desk):
            bucket["n"] += 1
            if wait is not None:
                bucket["waits"].append(wait)
            if took is not None:
                bucket["takes"].append(took)
    served = sum(outcomes.values())
    return Visits(
        tickets=len(rows),
        served=served,
        no_show=no_show,
        outcomes=dict(outcomes),
        waiting=Spread.of(waiting),
        service=Spread.of(service),
        by_day=sorted(by_day.items()),
        by_hour=sorted(by_hour.items()),
        by_group=[
            {"group": code, "name": g["name"], **_served_and_times(g)}
            for code, g in sorted(groups.items())
        ],
        by_counter=[
            {"unit": unit, "counter": number, **_served_and_times(c)}
            for (unit, number), c in sorted(counters.items())
        ],
    )


def _served_and_times(bucket: dict[str, Any]) -> dict[str, Any]:
    return {
        "served": bucket["n"],
        "waiting_minutes": Spread.of(bucket["waits"]).as_dict(),
        "service_minutes": Spread.of(bucket["takes"]).as_dict(),
    }
