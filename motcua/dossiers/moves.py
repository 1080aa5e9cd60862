"""Where a dossier was at a given moment, when unit merges have moved it since.

A merge moves the open dossiers of the merged unit to the surviving one (`actions.
move_for_merge`), and the dossier's columns then name the survivor. A report of a past
period must still count each dossier under the unit that held it then: these helpers turn
"the dossiers whose `field` is one of these units" into "… was one of these units at
`moment`", from the `DossierMove` rows. Without a move after `moment` (every report of a
period after the last merge) the condition is returned unchanged and costs nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce

from motcua.dossiers.models import DossierMove, MovedField


def moved_since(moment: datetime) -> bool:
    """Has a merge moved any dossier at or after `moment`? (A report asks once.)"""
    return DossierMove.objects.filter(at__gte=moment).exists()


def held_at(
    current: Q,
    *,
    field: MovedField | str,
    unit_ids: Iterable[int],
    moment: datetime,
    any_moved: bool | None = None,
) -> Q:
    """`current` (a condition on the dossier's `field` today) as it stood at `moment`: a
    dossier moved after `moment` counts under the unit it was moved from — the first move
    after `moment` says where it was — and not under the one it was moved to. `any_moved`:
    `moved_since(moment)`, when the caller has it already."""
    if not (moved_since(moment) if any_moved is None else any_moved):
        return current
    ids = list(unit_ids)
    first = _first_moves(DossierMove.objects.filter(field=field, at__gte=moment))
    moved_in = first.exclude(from_unit_id__in=ids).values("dossier_id")
    moved_out = first.filter(from_unit_id__in=ids).values("dossier_id")
    return (current & ~Q(pk__in=moved_in)) | Q(pk__in=moved_out)


def unit_held_at(
    field: MovedField | str, moment: datetime, *, any_moved: bool | None = None
) -> Expression | None:
    """The id of the unit that held each dossier's `field` at `moment`, as an expression
    (a report's rows group by it); None when no dossier has moved since (use the column)."""
    if not (moved_since(moment) if any_moved is None else any_moved):
        return None
    later = DossierMove.objects.filter(field=field, at__gte=moment, dossier_id=OuterRef("pk"))
    first = later.order_by("at", "pk").values("from_unit_id")[:1]
    return Coalesce(Subquery(first), F(f"{field}_id"), output_field=BigIntegerField())


def _first_moves(moves: QuerySet[DossierMove]) -> QuerySet[DossierMove]:
    """Of `moves`, each dossier's earliest (by time, then by row)."""
    earlier = moves.filter(dossier_id=OuterRef("dossier_id")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
    )
    return moves.exclude(Exists(earlier))
