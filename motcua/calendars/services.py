"""Builds the legal clock's calendar for a unit from the database."""

from __future__ import annotations

from collections.abc import Iterable
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
    # Keyed by the units that have rows of their own, not by the whole path: the units
    # without any share one calendar per set of sessions.
    with_rows = set(rows.filter(unit__isnull=False).values_list("unit__code", flat=True))
    return _build(tuple(c for c in codes if c in with_rows), sessions, stamp["n"], stamp["at"])


def calendar_groups(unit_ids: Iterable[int]) -> list[tuple[WorkingCalendar, list[int]]]:
    """The units grouped by the calendar that applies at each (the same override rows along
    their paths, the same sessions), with that calendar: what SQL twins that need working
    time compute once per calendar rather than once per unit."""
    units = list(Unit.objects.filter(pk__in=list(unit_ids)))
    with_rows = set(
        DayOverride.objects.filter(unit__isnull=False).values_list("unit__code", flat=True)
    )
    groups: dict[tuple[tuple[str, ...], str], list[Unit]] = {}
    for unit in units:
        codes = tuple(c for c in unit.path.rstrip("/").split("/") if c in with_rows)
        groups.setdefault((codes, unit.effective_sessions()), []).append(unit)
    return [(calendar_for(members[0]), [u.pk for u in members]) for members in groups.values()]


@lru_cache(maxsize=64)
def _build(codes: tuple[str, ...], sessions: str, _count: int, _stamp: object) -> WorkingCalendar:
    # `codes` are those on the unit's path that have rows, root first: deeper ones win.
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
