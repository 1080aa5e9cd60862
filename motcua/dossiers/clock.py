"""The dossier's legal clock: the catalogue's norms and the dossier's facts, handed to the pure
functions of `motcua.workflow`. Nothing here stores anything."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from motcua.calendars.services import calendar_for
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.workflow import deadlines
from motcua.workflow.explain import render_all


def norms_duration(version: ProcedureVersion) -> deadlines.Duration:
    return deadlines.Duration(
        value=version.duration_value, unit=deadlines.DurationUnit(version.duration_unit)
    )


def due_at_receipt(
    *, version: ProcedureVersion, unit: Unit, received_at: datetime
) -> deadlines.Deadline:
    """The appointment printed on the receipt slip for a dossier received now at `unit`."""
    return deadlines.compute_due(
        calendar=calendar_for(unit),
        received_at=received_at,
        duration=norms_duration(version),
        convention=deadlines.Convention(version.convention),
    )


def explanation_lines(deadline: deadlines.Deadline, lang: Literal["vi", "en"] = "vi") -> list[str]:
    return list(render_all(deadline.explanation, lang))
