"""The dossiers behind a figure (truy xuất hồ sơ của từng chỉ tiêu).

`dossiers(spec, "resolved.late")` filters by the same `Q` the aggregate counts with
(`figures.definitions`), so a figure always equals the size of its list. With `group` (from a
`--by` row) the list is the row's share.
"""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier
from motcua.reports.figures import KEYS, ReportSpec, definitions, scoped
from motcua.reports.rows import Grouping, group_filter

__all__ = ["KEYS", "dossiers"]


def dossiers(
    spec: ReportSpec,
    key: str,
    *,
    by: Grouping | str | None = None,
    group: str | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted by figure `key` ("carried_over", "pending.awaiting_supplement",
    "online_service.resolved.total", …) of the report `spec`; with `by` and `group`, only
    those of that row (a unit or agency code, or a procedure code)."""
    selected = scoped(spec).filter(definitions(spec)[key])
    if by is not None:
        if group is None:
            raise ValueError("a row is chosen by both `by` and `group`")
        selected = selected.filter(group_filter(Grouping(by), group, spec))
    return selected.order_by("received_at", "pk")
