"""The figures of periods that have ended, remembered while nothing can have changed them
(docs/domain/reports.md#settled-periods).

A dashboard draws twelve months; eleven of them ended long ago and their figures are the same
on every visit. Each is counted once (`figures.counts`) and kept in the shared cache with a
stamp: the last event of the dossiers' log and of the unit tree's log at that moment. A kept
period is used again only while

- the period has ended (its T1 is in the past),
- no dossier event appended since the stamp is dated before the period's end (an import of
  history, a late record of something that happened then),
- no event since the stamp reshapes the past (a unit merge moving dossiers, a calendar change
  moving open dossiers' dues), and no unit moved or merged since the stamp,
- and it is younger than `LIFETIME` (a catalogue edit, a hand correction in the database).

Only figures that an event dated after the period cannot change are kept (`SETTLED`): whether
a dossier still open at the period's end was overdue then depends on its due, which a later
supplement or calendar change moves, so `pending.within_time` and `pending.overdue` are always
counted afresh.

Two readings decide validity for all the periods of a page at once: one query over the events
appended since the oldest stamp, one over the unit events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from django.core.cache import cache
from django.db.models import Max, Min, Q

from motcua.catalog.models import UnitEvent
from motcua.core.clock import now
from motcua.dossiers.models import DossierEvent, EventType
from motcua.reports.figures import KEYS, ReportSpec, counts

LIFETIME = 6 * 60 * 60  # seconds
SETTLED = frozenset(KEYS) - {"pending.within_time", "pending.overdue"}
# Events that change where or against which due dossiers stood, whatever their date.
RESHAPING = (EventType.UNIT_MERGED, EventType.CALENDAR_CHANGED)
_VERSION = 1


def period_counts(specs: Sequence[ReportSpec], keys: Sequence[str]) -> list[dict[str, int]]:
    """`figures.counts(spec, keys)` for each of `specs`, in order: ended periods from the
    cache while they are settled (see the module), the others counted and, once ended, kept."""
    unsettled = set(keys) - SETTLED
    if unsettled:
        raise ValueError(f"figures that later events change cannot be kept: {sorted(unsettled)}")
    moment = now()
    ended = {i: spec for i, spec in enumerate(specs) if spec.bounds[1] <= moment}
    names = {i: _name(spec, keys) for i, spec in ended.items()}
    kept = cache.get_many(list(names.values())) if names else {}
    # Read before checking and counting: whatever is appended meanwhile is checked next time.
    stamp = _stamp() if ended else (0, 0)
    valid = _still_valid({i: kept[n] for i, n in names.items() if n in kept}, ended)
    results: list[dict[str, int]] = []
    for i, spec in enumerate(specs):
        results.append(dict(kept[names[i]]["figures"]) if i in valid else counts(spec, keys))
    if len(valid) < len(ended):
        # Write the counted periods, and the checked ones again under the newer stamp.
        cache.set_many(
            {
                names[i]: {"figures": results[i], "stamp": stamp, "end": spec.bounds[1]}
                for i, spec in ended.items()
            },
            LIFETIME,
        )
    return results


def _name(spec: ReportSpec, keys: Sequence[str]) -> str:
    parts = [
        _VERSION,
        spec.unit.pk,
        spec.unit.path,
        spec.start.isoformat(),
        spec.end.isoformat(),
        spec.include_subunits,
        str(spec.rule),
        spec.count_denied_as_resolved,
        str(spec.scope),
        sorted(keys),
    ]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return f"motcua:settled-figures:{digest}"


def _stamp() -> tuple[int, int]:
    last_event = DossierEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    last_unit_event = UnitEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    return last_event, last_unit_event


def _still_valid(kept: dict[int, dict], specs: dict[int, ReportSpec]) -> set[int]:
    """The positions whose kept figures nothing appended since their stamp can have changed."""
    entries = {
        i: entry
        for i, entry in kept.items()
        if isinstance(entry, dict) and entry.get("end") == specs[i].bounds[1]
    }
    if not entries:
        return set()
    oldest_event = min(entry["stamp"][0] for entry in entries.values())
    oldest_unit_event = min(entry["stamp"][1] for entry in entries.values())
    latest_end = max(entry["end"] for entry in entries.values())
    since = DossierEvent.objects.filter(pk__gt=oldest_event).aggregate(
        reshaped=Max("pk", filter=Q(type__in=RESHAPING)),
        earliest_dated=Min("at", filter=Q(at__lt=latest_end)),
    )
    reshaped: int | None = since["reshaped"]
    earliest_dated: datetime | None = since["earliest_dated"]
    tree_changed = UnitEvent.objects.filter(pk__gt=oldest_unit_event).aggregate(last=Max("pk"))[
        "last"
    ]
    valid = set()
    for i, entry in entries.items():
        event_stamp, unit_stamp = entry["stamp"]
        if reshaped is not None and reshaped > event_stamp:
            continue
        if tree_changed is not None and tree_changed > unit_stamp:
            continue
        if earliest_dated is not None and earliest_dated < entry["end"]:
            # an event dated inside or before this period was appended since the oldest stamp
            # (perhaps before this entry's own: counting again is the safe side)
            continue
        valid.add(i)
    return valid
