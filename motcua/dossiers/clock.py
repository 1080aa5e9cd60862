"""The dossier's legal clock: the catalogue's norms and the dossier's facts (its events), handed
to the pure functions of `motcua.workflow`. Nothing here stores anything.

Two functions answer "when is it due, and why":

- `recompute` derives the due from the norms and every event (pauses, restarts, apologies, a
  previous system's recorded date, promises kept through calendar changes) on today's
  calendar. The actions call it whenever the appointment may change, and record its result
  in their event (`due_record`).
- `current_deadline` reads the appointment and its explanation back from the latest of those
  events. The desk, the lookup, the API, the papers and the inbox (through the cached
  `Dossier.due_at`, which the same actions write) all read it, so they show one date, and
  an explanation that ends on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from motcua.calendars.services import calendar_for
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core.clock import local
from motcua.dossiers.models import DUE_EVENTS, EventType
from motcua.workflow import deadlines
from motcua.workflow.calendar import WorkingCalendar
from motcua.workflow.explain import ExplanationLine, LineKind, render, render_all

Lang = Literal["vi", "en"]


def norms_duration(value: int, unit: str) -> deadlines.Duration:
    return deadlines.Duration(value=value, unit=deadlines.DurationUnit(unit))


def due_at_receipt(
    *,
    version: ProcedureVersion,
    unit: Unit,
    received_at: datetime,
    channel: str,
    recorded_due: datetime | None = None,
) -> deadlines.Deadline:
    """The appointment printed on the receipt slip for a dossier received at `unit` through
    `channel` (its limit may be the channel's own), or the one a previous system recorded."""
    calendar = calendar_for(unit)
    value, duration_unit = version.duration_for(channel)
    fixed: list[deadlines.FixedDue] = []
    if recorded_due is not None:
        fixed.append(recorded(calendar, received_at, recorded_due))
    return deadlines.compute_due(
        calendar=calendar,
        received_at=received_at,
        duration=norms_duration(value, duration_unit),
        convention=deadlines.Convention(version.convention),
        same_day_cutoff=version.same_day_cutoff,
        fixed=fixed,
    )


def recorded(calendar: WorkingCalendar, at: datetime, due: datetime) -> deadlines.FixedDue:
    return deadlines.FixedDue.on(calendar, kind=deadlines.FixedKind.RECORDED, at=at, due=due)


def explanation_lines(deadline: deadlines.Deadline, lang: Lang = "vi") -> list[str]:
    return list(render_all(deadline.explanation, lang))


def due_record(deadline: deadlines.Deadline, *, note: ExplanationLine | None = None) -> dict:
    """What a due-setting event records: the due and its explanation in both languages
    (`note`, if given, is said just before the due)."""
    lines = list(deadline.explanation)
    if note is not None:
        lines.insert(len(lines) - 1, note)
    return {
        "due_at": deadline.due_at.isoformat(),
        "explanation": render_all(lines, "vi"),
        "explanation_en": render_all(lines, "en"),
    }


@dataclass(frozen=True)
class ClockFacts:
    """What the events say about the clock: the closed pauses, the one still running, the
    appointments set by hand, and the latest promise a calendar change kept."""

    pauses: list[deadlines.Pause]
    open_pause_since: datetime | None
    fixed: list[deadlines.FixedDue]
    floor: deadlines.Floor | None


def facts_of(
    dossier: Any, calendar: WorkingCalendar, closing: deadlines.Pause | None = None
) -> ClockFacts:
    pauses: list[deadlines.Pause] = []
    since: datetime | None = None
    fixed: list[deadlines.FixedDue] = []
    floor = None
    for event in dossier.events.order_by("sequence"):
        data = event.data or {}
        if event.type == EventType.SUPPLEMENT_REQUESTED:
            since = event.at
        elif event.type == EventType.SUPPLEMENT_RECEIVED and since is not None:
            pauses.append(deadlines.Pause(start=since, end=event.at))
            since = None
        elif event.type == EventType.RECEIVED and data.get("due_recorded"):
            fixed.append(_fixed(calendar, deadlines.FixedKind.RECORDED, event, data["due_at"]))
        elif event.type == EventType.EXTENDED:
            fixed.append(_fixed(calendar, deadlines.FixedKind.EXTENDED, event, data["new_due_at"]))
        elif event.type == EventType.CALENDAR_CHANGED and data.get("kept"):
            floor = deadlines.Floor(
                due=datetime.fromisoformat(data["due_at"]),
                day=date.fromisoformat(data["day"]),
                label=str(data.get("label", "")),
            )
    if closing is not None and since is not None:  # the supplement arriving right now
        pauses.append(closing)
        since = None
    return ClockFacts(pauses, since, fixed, floor)


def _fixed(
    calendar: WorkingCalendar, kind: deadlines.FixedKind, event: Any, due_text: str
) -> deadlines.FixedDue:
    """An appointment set by `event`, with the working time it was given when set (events
    recorded before that was kept are measured on today's calendar)."""
    due = datetime.fromisoformat(due_text)
    minutes = (event.data or {}).get("fixed_minutes")
    if minutes is None:
        return deadlines.FixedDue.on(calendar, kind=kind, at=event.at, due=due, reason=event.reason)
    return deadlines.FixedDue(kind=kind, at=event.at, due=due, minutes=minutes, reason=event.reason)


def recompute(
    dossier: Any,
    *,
    closing: deadlines.Pause | None = None,
    adding: deadlines.FixedDue | None = None,
    floor: deadlines.Floor | None = None,
) -> deadlines.Deadline:
    """The dossier's due from its norms and all its events, on the receiving unit's calendar
    as it is now: pauses push it (or restart the count, per the procedure), an apology or a
    recorded date replaces it from the moment it was set, and it never falls before a
    promise a calendar change kept (docs/decisions/0005-calendar-changes.md).

    `closing` is the pause the supplement arriving now ends, `adding` an appointment being
    set now, `floor` a promise being kept now: the action records them in its event."""
    calendar = calendar_for(dossier.receiving_unit)
    facts = facts_of(dossier, calendar, closing)
    pauses = _within_clock(facts.pauses, dossier.clock_started_at)
    return deadlines.compute_due(
        calendar=calendar,
        received_at=dossier.received_at,
        duration=norms_duration(dossier.duration_value, dossier.duration_unit),
        convention=deadlines.Convention(dossier.convention),
        pauses=pauses,
        restart=dossier.pause_rule == "restart" and bool(pauses),
        same_day_cutoff=dossier.same_day_cutoff,
        fixed=[*facts.fixed, adding] if adding else facts.fixed,
        floor=floor or facts.floor,
    )


def _within_clock(pauses: list[deadlines.Pause], started: datetime) -> list[deadlines.Pause]:
    """A pause asked for before the clock started (e.g. in the evening of an after-hours
    receipt) only counts from the moment the clock starts."""
    return [
        deadlines.Pause(start=max(pause.start, started), end=pause.end)
        for pause in pauses
        if pause.end > started
    ]


def fixed_minutes(unit: Unit, at: datetime, due: datetime) -> int:
    """The working time from `at` to `due` on the receiving unit's calendar today: what an
    appointment set now keeps if the calendar changes later."""
    return max(0, calendar_for(unit).working_minutes_between(at, due))


# --- reading the appointment back -------------------------------------------------------


@dataclass(frozen=True)
class CurrentDeadline:
    """The dossier's appointment and why, in Vietnamese and English; each explanation's last
    line names `due_at`."""

    due_at: datetime
    explanation: list[str]
    explanation_en: list[str]

    def lines(self, lang: str = "vi") -> list[str]:
        return self.explanation_en if lang == "en" else self.explanation


def current_deadline(dossier: Any) -> CurrentDeadline:
    """The appointment the latest due-setting event recorded, with its explanation; while a
    supplement is awaited, a line says the date will move. Events recorded before each
    carried its explanation (an apology) are explained from the one before them."""
    records = [
        (event.type, event.data or {}, event.at, event.reason)
        for event in dossier.events.filter(type__in=DUE_EVENTS).order_by("sequence")
    ]
    due, vi, en = dossier.due_at, [], []
    for kind, data, at, reason in records:
        due_text = data.get("due_at") or data.get("new_due_at")
        if not due_text:
            continue
        new_due = datetime.fromisoformat(due_text)
        if "explanation" in data:
            vi, en = list(data["explanation"]), list(data.get("explanation_en", []))
        elif kind == EventType.EXTENDED:  # recorded before apologies kept their explanation
            line = _legacy_apology(at, due, new_due, reason)
            vi, en = [*vi[:-1], render(line, "vi")], [*en[:-1], render(line, "en")]
        due = new_due
    paused_since = dossier.paused_at if dossier.ended_at is None else None
    return CurrentDeadline(
        due_at=due,
        explanation=_ending_on(vi, due, paused_since, "vi"),
        explanation_en=_ending_on(en, due, paused_since, "en"),
    )


def _legacy_apology(
    at: datetime, previous: datetime, due: datetime, reason: str
) -> ExplanationLine:
    return ExplanationLine(
        kind=LineKind.FIXED,
        day=at.date(),
        params={
            "fixed_kind": deadlines.FixedKind.EXTENDED.value,
            "at": at.isoformat(),
            "previous": previous.isoformat(),
            "due": due.isoformat(),
            "reason": reason,
        },
    )


def _ending_on(
    lines: list[str], due: datetime, paused_since: datetime | None, lang: Lang
) -> list[str]:
    """`lines` with the due line last, naming `due` (a stale one replaced), and the running
    pause said just before it."""
    due_line = render(ExplanationLine(LineKind.DUE, None, {"at": local(due).isoformat()}), lang)
    head = lines[:-1] if lines and _is_due_line(lines[-1]) else lines
    if paused_since is not None:
        pause = ExplanationLine(
            LineKind.PAUSED_NOW, None, {"since": local(paused_since).isoformat()}
        )
        head = [*head, render(pause, lang)]
    return [*head, due_line]


def _is_due_line(line: str) -> bool:
    return line.startswith(("Hẹn trả:", "Due:"))
