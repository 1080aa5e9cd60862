"""A whole report: the totals, the ratings and (optionally) the rows, as one object that every
output format (JSON now; XLSX, PDF, dashboards later) renders from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate

from motcua.reports.figures import Figures, ReportSpec, candidates, compute, definitions
from motcua.reports.ratings import Ratings, compute_ratings
from motcua.reports.rows import Grouping, Row, compute_rows_and_totals
from motcua.reports.visits import Visits, compute_visits

FORMAT = "motcua.report/1"


@dataclass(frozen=True)
class Report:
    spec: ReportSpec
    figures: Figures
    ratings: Ratings
    by: Grouping | None = None
    rows: list[Row] = field(default_factory=list)
    extra: Mapping[str, Any] = field(default_factory=dict)  # `build_report(extra=…)`, summed
    visits: Visits | None = None

    @property
    def balanced(self) -> bool:
        return self.figures.balanced and all(row.figures.balanced for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        """The motcua.report/1 document (docs/interchange/report.md), keys in the format's order."""
        spec = self.spec
        head: dict[str, Any] = {
            "format": FORMAT,
            "unit": spec.unit.code,
            "include_subunits": spec.include_subunits,
            "scope": str(spec.scope),
            "from": spec.start.isoformat(),
            "to": spec.end.isoformat(),
        }
        return {
            **head,
            **self.figures.as_dict(),
            "ratings": self.ratings.as_dict(),
            **self.ratings.sections(),
            **({"visits": self.visits.as_dict()} if self.visits is not None else {}),
            "rows": [row.as_dict() for row in self.rows],
        }


def build_report(
    spec: ReportSpec,
    by: Grouping | str | None = None,
    *,
    extra: Mapping[str, Aggregate] | None = None,
    officers: bool = False,
) -> Report:
    """Compute the report `spec`: one aggregate for the figures (a GROUP BY giving the rows
    and the totals, if `by` is given), one for the ratings. `extra`: more additive aggregates
    over the same dossiers, computed in the GROUP BY (the indicators' counts: one scan of the
    period's dossiers for the whole dashboard), in `Report.extra`. The hall's visits and the
    ratings (per officer only with `officers`, for directors) are computed beside them."""
    grouping = Grouping(by) if by else None
    defs = definitions(spec)
    ratings = compute_ratings(spec, officers=officers)
    visits = compute_visits(spec)
    if grouping is None:
        figures = compute(spec, defs)
        extras = candidates(spec).aggregate(**extra) if extra else {}
        return Report(spec, figures, ratings, extra=extras, visits=visits)
    rows, totals, summed = compute_rows_and_totals(spec, grouping, defs, extra)
    return Report(spec, totals, ratings, grouping, rows, summed, visits=visits)
