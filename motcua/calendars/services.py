"""Builds the legal clock's calendar for a unit from the database."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Count, Max, Q

from motcua.calendars.models import DayOverride
from motcua.catalog.models import Unit
from motcua.core.clock import site_zone
from motcua.workflow.calendar import (
    DEFAULT_SESSIONS,
    DayKind,
    WorkingCalendar,
    parse_sessions,
)
from motcua.workflow.calendar import DayOverride as PureOverride


def calendar_for(unit: Unit | None = None, *, sessions: str = "") -> WorkingCalendar:
    """The calendar that applies at `unit` (the whole-province calendar when None), with the
    unit's working sessions unless `sessions` ("07:00-11:30,13:30-17:00") is given."""
    codes = unit.path.rstrip("/").split("/") if unit else []
    rows = DayOverride.objects.filter(Q(unit__isnull=True) | Q(unit__code__in=codes))
    # The fingerprint changes whenever an administrator edits a row, so every process
    # rebuilds its memo after an edit: nothing stale survives in a second web server.
    stamp = rows.aggregate(n=Count("id"), at=Max("updated_at"))
    sessions = sessions or (unit.effective_sessions() if unit else "")
    return _build(tuple(codes), sessions, stamp["n"], stamp["at"])


@lru_cache(maxsize=64)
def _build(codes: tuple[str, ...], sessions: str, _count: int, _stamp: object) -> WorkingCalendar:
    depth = {code: index for index, code in enumerate(codes)}
    chosen: dict[object, tuple[int, DayOverride]] = {}
    rows = DayOverride.objects.filter(Q(unit__isnull=True) | Q(unit__code__in=codes))
    for row in rows.select_related("unit"):
        rank = depth[row.unit.code] + 1 if row.unit else 0
        if row.day not in chosen or chosen[row.day][0] < rank:
            chosen[row.day] = (rank, row)
    overrides = [
        PureOverride(
            day=row.day, kind=DayKind(row.kind), reason=row.reason, legal_basis=row.legal_basis
        )
        for _, row in chosen.values()
    ]
    return WorkingCalendar.for_vietnam(
        overrides=overrides,
        sessions=parse_sessions(sessions) if sessions else DEFAULT_SESSIONS,
        tz=site_zone(),
    )
