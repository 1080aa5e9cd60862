"""Changes of the organisation tree: moving a unit under another parent, and merging a unit
into another (sáp nhập: the 2025 reform merged communes and provinces).

Both run in one transaction, are refused with a stable code before anything is written when
they would break the tree, and are recorded as `UnitEvent`s (who, when, why, what went
along). Every interface — the admin, the catalogue import, the `motcua units` command —
calls these functions.

A merge hands the merged unit's live work to the survivor and keeps its history:
- open dossiers move (`dossiers.actions.move_for_merge`, one `unit_merged` event each);
  closed ones keep their receiving unit and agency, and reports of past periods count the
  moved ones where they were then (`dossiers/moves.py`), so they give the same figures;
- active users' memberships move (the old ones stay, inactive, as the record);
- the day counters of dossier codes carry over where the two share a code prefix
  (`dossiers.codes.move_code_sequences`);
- the merged unit becomes inactive, `merged_into` the survivor, `merged_on` the date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q

from motcua.accounts.models import Membership, User
from motcua.catalog.models import ProcedureVersion, Unit, UnitEvent, UnitEventType
from motcua.core.clock import local, now, site_zone
from motcua.core.errors import ValidationFailed
from motcua.core.text import clean_text
from motcua.dossiers import actions
from motcua.dossiers.codes import move_code_sequences
from motcua.dossiers.models import Dossier
from motcua.workflow.states import TERMINAL


def move_unit(unit: Unit, *, parent: Unit | None, by: User | None, reason: str = "") -> Unit:
    """Put `unit` (and its whole subtree) under `parent` (None: a root), saving the unit as
    given (the admin form's other changes go with it). Refused when `parent` is the unit, one
    of its descendants, or inactive; nothing is written then."""
    with transaction.atomic():
        before = (
            Unit.objects.select_for_update().filter(pk=unit.pk).values("parent_id", "path").get()
        )
        if before["parent_id"] == (parent.pk if parent else None):
            return unit
        from_parent = Unit.objects.filter(pk=before["parent_id"]).values_list("code", flat=True)
        unit.parent = parent
        unit.save()
        data = {
            "from_parent": from_parent.first(),
            "to_parent": parent.code if parent else None,
            "from_path": before["path"],
            "to_path": unit.path,
        }
        _record(unit, UnitEventType.MOVED, by=by, reason=reason, data=data)
    return unit


@dataclass
class MergeSummary:
    """What a merge moved (the counts the command prints and the events record)."""

    unit: str
    into: str
    on: date
    dossiers: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    code_counters: int = 0
    # Procedure versions that still name the merged unit as their agency: new dossiers of
    # these need a new version naming the survivor (versions in use are never edited).
    procedures_to_review: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "into": self.into,
            "on": self.on.isoformat(),
            "dossiers_moved": len(self.dossiers),
            "memberships_moved": len(self.memberships),
            "code_counters_carried": self.code_counters,
            "procedures_to_review": self.procedures_to_review,
        }


def merge_unit(
    unit: Unit, *, into: Unit, by: User | None, on: date | None = None, reason: str = ""
) -> MergeSummary:
    """Merge `unit` into `into` (see the module's docstring). `on` is the date the merge takes
    effect (today when not given; never in the future): the moved dossiers' events are dated
    at its start (now, without `on`), or at their last event if that is later."""
    day = on or local(now()).date()
    with transaction.atomic():
        old, survivor = _locked(unit, into)
        check_merge(old, survivor, on=day)
        moment = _moment(on)
        summary = MergeSummary(unit=old.code, into=survivor.code, on=day)
        summary.dossiers = _move_dossiers(old, survivor, by=by, at=moment, reason=reason)
        summary.memberships = _move_memberships(old, survivor)
        summary.code_counters = move_code_sequences(old, survivor, since=day)
        summary.procedures_to_review = _procedures_naming(old, day)
        old.is_active = False
        old.merged_into = survivor
        old.merged_on = day
        old.save(update_fields=["is_active", "merged_into", "merged_on"])
        data = summary.as_dict() | {
            "dossiers": summary.dossiers,
            "memberships": summary.memberships,
        }
        _record(old, UnitEventType.MERGED, by=by, reason=reason, data=data, at=moment)
        _record(survivor, UnitEventType.ABSORBED, by=by, reason=reason, data=data, at=moment)
    return summary


def check_merge(old: Unit, into: Unit, *, on: date) -> None:
    """Refuse a merge that cannot be: each refusal has its stable code; nothing is written."""
    if old.pk == into.pk:
        raise _refused(f"Không thể sáp nhập {old.code} vào chính nó.", "unit_merge_into_itself")
    if not old.is_active:
        raise _refused(f"{old.code} đã ngừng hoạt động (đã sáp nhập).", "unit_already_inactive")
    if not into.is_active:
        raise _refused(
            f"Không thể sáp nhập vào {into.code}: đơn vị này đã ngừng hoạt động.",
            "unit_merge_into_inactive",
        )
    if into.is_within(old):
        raise _refused(
            f"Không thể sáp nhập {old.code} vào {into.code}, đơn vị cấp dưới của nó.",
            "unit_cycle",
        )
    children = list(
        old.children.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )
    if children:
        raise _refused(
            f"{old.code} còn đơn vị cấp dưới đang hoạt động ({', '.join(children)}): chuyển "
            f"hoặc sáp nhập các đơn vị này trước.",
            "unit_has_active_children",
            children=children,
        )
    if old.is_receiving_point and not into.is_receiving_point:
        raise _refused(
            f"{old.code} tiếp nhận hồ sơ; {into.code} không phải nơi tiếp nhận hồ sơ.",
            "unit_merge_kind_mismatch",
        )
    if on > local(now()).date():
        raise _refused(
            f"Ngày sáp nhập {on:%d/%m/%Y} chưa đến.", "unit_merge_in_future", on=on.isoformat()
        )


def open_dossiers_of(unit: Unit) -> Q:
    """The dossiers whose open work `unit` holds: received there and not yet handed over or
    closed, or decided there and still being processed, or with a step it holds."""
    return (
        Q(receiving_unit=unit)
        | Q(agency=unit, ended_at__isnull=True)
        | Q(steps__unit=unit, steps__completed_at__isnull=True)
    ) & ~Q(status__in=list(TERMINAL))


def _move_dossiers(
    old: Unit, into: Unit, *, by: User | None, at: datetime, reason: str
) -> list[str]:
    codes = []
    found = Dossier.objects.filter(open_dossiers_of(old)).distinct().order_by("received_at", "pk")
    for pk in list(found.values_list("pk", flat=True)):  # read first: each move rewrites rows
        dossier = Dossier.objects.get(pk=pk)
        actions.move_for_merge(dossier=dossier, old=old, into=into, by=by, at=at, reason=reason)
        codes.append(dossier.code)
    return codes


def _move_memberships(old: Unit, into: Unit) -> list[str]:
    """Each active user's active role at `old` becomes the same role at `into`; the old
    membership stays, inactive, as the record of where they worked."""
    moved = []
    current = old.memberships.filter(is_active=True, user__is_active=True).select_related("user")
    for membership in current.order_by("user__username", "role"):
        Membership.objects.update_or_create(
            user=membership.user, unit=into, role=membership.role, defaults={"is_active": True}
        )
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        moved.append(f"{membership.user.username}:{membership.role}")
    return moved


def _procedures_naming(unit: Unit, day: date) -> list[str]:
    in_force = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day), agency=unit
    )
    return sorted(set(in_force.values_list("procedure__code", flat=True)))


def _locked(unit: Unit, into: Unit) -> tuple[Unit, Unit]:
    """Both rows, locked in a fixed order (two merges at once cannot deadlock)."""
    rows = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=[unit.pk, into.pk])}
    return rows[unit.pk], rows[into.pk]


def _moment(on: date | None) -> datetime:
    """The merge's moment: the start of its date when given, else now."""
    return datetime.combine(on, time.min, tzinfo=site_zone()) if on else now()


def _record(
    unit: Unit,
    kind: UnitEventType,
    *,
    by: User | None,
    reason: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> UnitEvent:
    return UnitEvent.objects.create(
        unit=unit,
        type=kind,
        at=at or now(),
        actor=by,
        actor_name=str(by) if by else "",
        reason=clean_text(reason),
        data=data,
    )


def _refused(message: str, code: str, **detail: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, **detail)
