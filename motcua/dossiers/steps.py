"""Steps of a dossier's process (docs/domain/lifecycle.md#process-steps): opened when the dossier
reaches them, completed when it leaves, each with its own deadline — its share of the legal
time — so that a late step is attributed to the unit that held it. Called by actions only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.calendars.services import calendar_for
from motcua.catalog.models import Unit
from motcua.catalog.process import definition_of
from motcua.dossiers.clock import norms_duration
from motcua.dossiers.models import Dossier, DossierStep


def definition(dossier: Dossier) -> list[dict[str, Any]]:
    return definition_of(dossier.procedure_version.process)


def _unit_for(dossier: Dossier, step: dict[str, Any]) -> Unit:
    if step["unit"] == "one_stop":
        return dossier.receiving_unit
    if step["unit"] == "agency":
        return dossier.agency
    return Unit.objects.get(code=step["unit"])


def open_steps(dossier: Dossier, kind: str, *, at: datetime) -> list[DossierStep]:
    """Open every step of `kind` (the main chain has one; inter-agency steps may be several)."""
    calendar = calendar_for(dossier.receiving_unit)
    total = norms_duration(dossier.duration_value, dossier.duration_unit).minutes(
        calendar.day_minutes
    )
    opened = []
    start = calendar.next_working_instant(at)
    for step in definition(dossier):
        if step["kind"] != kind:
            continue
        minutes = max(1, round(total * float(step["share"]) / 100))
        opened.append(
            DossierStep.objects.create(
                dossier=dossier,
                key=step["key"],
                name=step["name"],
                kind=kind,
                unit=_unit_for(dossier, step),
                role=step["role"],
                opened_at=at,
                due_at=calendar.add_working_minutes(start, minutes),
            )
        )
    return opened


def complete_open(dossier: Dossier, kind: str, *, at: datetime, by: object, note: str = "") -> None:
    for step in dossier.steps.filter(kind=kind, completed_at__isnull=True):
        complete(step, at=at, by=by, note=note)


def complete(step: DossierStep, *, at: datetime, by: object, note: str = "") -> None:
    step.completed_at = at
    step.completed_by = by  # type: ignore[assignment]
    step.late = bool(step.due_at and at > step.due_at)
    step.note = note[:300]
    step.save(update_fields=["completed_at", "completed_by", "late", "note"])


def push_open_steps(dossier: Dossier, *, pause_start: datetime, pause_end: datetime) -> None:
    """A supplement pause does not count against the steps that were open during it."""
    calendar = calendar_for(dossier.receiving_unit)
    paused = calendar.working_minutes_between(pause_start, pause_end)
    if paused <= 0:
        return
    for step in dossier.steps.filter(completed_at__isnull=True, due_at__isnull=False):
        assert step.due_at is not None
        step.due_at = calendar.add_working_minutes(step.due_at, paused)
        step.save(update_fields=["due_at"])


def pending_inter_agency(dossier: Dossier) -> list[DossierStep]:
    return list(
        dossier.steps.filter(kind="inter_agency", completed_at__isnull=True).select_related("unit")
    )


def hand_to(step: DossierStep, unit: Unit, *, at: datetime, by: object, note: str) -> DossierStep:
    """An open step passes to another unit (a unit merge): closed where it was, reopened at
    `unit` with the same deadline, so the control slip shows both holders."""
    complete(step, at=at, by=by, note=note)
    return DossierStep.objects.create(
        dossier=step.dossier,
        key=step.key,
        name=step.name,
        kind=step.kind,
        unit=unit,
        role=step.role,
        opened_at=at,
        due_at=step.due_at,
    )
