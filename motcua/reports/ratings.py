"""Citizens' ratings in a report: how many forms, and per scale how many gave each answer (every
value of every scale listed, zeros included). One aggregate query over `Rating`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform

from motcua.feedback.models import Rating, RatingScale
from motcua.reports.figures import ReportSpec, scope_q

BUILT_IN_FIRST = ("overall", "attitude")


@dataclass(frozen=True)
class Ratings:
    total: int
    scales: dict[str, dict[str, int]]  # scale code → answer code → count, in scale order

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, **self.scales}


def scales() -> list[RatingScale]:
    """Every scale, the built-in ones first."""
    found = list(RatingScale.objects.all())
    order = {code: index for index, code in enumerate(BUILT_IN_FIRST)}
    return sorted(found, key=lambda s: (order.get(s.code, len(order)), s.code))


def rating_filter(spec: ReportSpec) -> Q:
    t0, t1 = spec.bounds
    return scope_q(spec, "unit") & Q(at__gte=t0, at__lt=t1)


def compute_ratings(spec: ReportSpec) -> Ratings:
    chosen = scales()
    aliases: dict[str, KeyTextTransform] = {}
    counts: dict[str, Count] = {"total": Count("pk")}
    cells: list[tuple[str, str, str]] = []
    for i, scale in enumerate(chosen):
        aliases[f"a{i}"] = KeyTextTransform(scale.code, "answers")
        for j, value in enumerate(scale.value_codes()):
            name = f"s{i}_{j}"
            counts[name] = Count("pk", filter=Q(**{f"a{i}": value}))
            cells.append((scale.code, value, name))
    rows = Rating.objects.filter(rating_filter(spec)).order_by()
    if aliases:
        rows = rows.alias(**aliases)
    result = rows.aggregate(**counts)
    by_scale: dict[str, dict[str, int]] = {scale.code: {} for scale in chosen}
    for scale_code, value, name in cells:
        by_scale[scale_code][value] = int(result[name] or 0)
    return Ratings(int(result["total"] or 0), by_scale)
