"""Report rows (`--by agency|unit|procedure`): the same figures per group, in one GROUP BY query
over the same candidates and definitions as the totals, so the rows add up to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Aggregate, Q

from motcua.catalog.models import ProcedureVersion, Unit
from motcua.dossiers.moves import held_at, unit_held_at
from motcua.reports.figures import (
    KEYS,
    Definitions,
    Figures,
    ReportSpec,
    candidates,
    count_expressions,
    definitions,
    read_counts,
    short_query,
)


class Grouping(StrEnum):
    AGENCY = "agency"  # the deciding agency (cơ quan giải quyết)
    UNIT = "unit"  # the receiving unit (nơi tiếp nhận)
    PROCEDURE = "procedure"  # the procedure's national code


GROUP_FIELDS = {
    Grouping.AGENCY: "agency_id",
    Grouping.UNIT: "receiving_unit_id",
    Grouping.PROCEDURE: "procedure_code",
}


@dataclass(frozen=True)
class Row:
    key: str  # unit or agency code, or procedure code
    name: str
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, **self.figures.as_dict()}


# The unit columns a merge may have changed since a period (dossiers/moves.py).
MOVED_FIELDS = {Grouping.AGENCY: "agency", Grouping.UNIT: "receiving_unit"}


def group_filter(by: Grouping, key: str, spec: ReportSpec | None = None) -> Q:
    """The dossiers of one row (of `spec`'s period: where a merge moved a dossier after it,
    the row of the unit that held it then)."""
    if by == Grouping.PROCEDURE:
        return Q(procedure_code=key)
    field = MOVED_FIELDS[by]
    current = Q(**{f"{field}__code": key})
    if spec is None:
        return current
    ids = list(Unit.objects.filter(code=key).values_list("pk", flat=True))
    return held_at(
        current, field=field, unit_ids=ids, moment=spec.bounds[1], any_moved=spec.moved_since
    )


def compute_rows(
    spec: ReportSpec, by: Grouping | str, defs: Definitions | None = None
) -> list[Row]:
    """One row per group that has at least one non-zero figure, ordered by key."""
    return compute_rows_and_totals(spec, by, defs)[0]


def compute_rows_and_totals(
    spec: ReportSpec,
    by: Grouping | str,
    defs: Definitions | None = None,
    extra: Mapping[str, Aggregate] | None = None,
) -> tuple[list[Row], Figures, dict[str, Any]]:
    """The rows (as `compute_rows`) and the totals, in one GROUP BY: every dossier is in
    exactly one group, so each figure's total is the sum of its groups' (tested equal to
    `figures.compute`). `extra`: more additive aggregates (counts, sums) over the same rows,
    returned summed over the groups."""
    by = Grouping(by)
    column = GROUP_FIELDS[by]
    found = candidates(spec)
    held = None
    if by in MOVED_FIELDS:
        held = unit_held_at(MOVED_FIELDS[by], spec.bounds[1], any_moved=spec.moved_since)
    if held is not None:  # a merge moved dossiers since the period: group where they were
        column = "held_unit_id"
        found = found.annotate(held_unit_id=held)
    grouped = (
        found.values(column)
        .annotate(**count_expressions(defs or definitions(spec)), **(extra or {}))
        .order_by(column)
    )
    with short_query():
        found_rows = list(grouped)
    counted = [(row[column], read_counts(row)) for row in found_rows]
    totals = Figures({key: sum(c[key] for _group, c in counted) for key in KEYS})
    summed = {name: sum(row[name] or 0 for row in found_rows) for name in extra or {}}
    shown = [(group, Figures(c)) for group, c in counted if any(c.values())]
    names = _names(by, [group for group, _ in shown])
    rows = [Row(*names[group], figures) for group, figures in shown]
    return sorted(rows, key=lambda row: row.key), totals, summed


def _names(by: Grouping, groups: list[Any]) -> dict[Any, tuple[str, str]]:
    if by == Grouping.PROCEDURE:
        names: dict[Any, tuple[str, str]] = {code: (code, code) for code in groups}
        versions = (
            ProcedureVersion.objects.filter(procedure__code__in=groups)
            .order_by("procedure__code", "number")
            .values_list("procedure__code", "name")
        )
        for code, name in versions:  # the latest version's name wins
            names[code] = (code, name)
        return names
    units = Unit.objects.filter(pk__in=groups).values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in units}
