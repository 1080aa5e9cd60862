"""The catalogue format `motcua.catalogue/1` (docs/interchange/catalogue.md): import and export.

An import is validated whole before anything is written; a bad file is rejected with every
problem found, each with its line and reason. Importing the same file twice changes nothing;
a procedure whose norms changed gains a new version."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import yaml
from django.db import transaction

from motcua.catalog.fees import clean_table
from motcua.catalog.models import (
    IDENTITY_CODE_PATTERN,
    UNIT_CODE_PATTERN,
    Convention,
    DurationUnit,
    Level,
    OnlineMode,
    PauseRule,
    Procedure,
    ProcedureVersion,
    Unit,
    UnitKind,
    channel_duration_problems,
    content_hash,
)
from motcua.catalog.process import problems_in as process_problems
from motcua.catalog.units import move_unit
from motcua.core.errors import ValidationFailed
from motcua.core.text import TextTooLong, clean_text, column_length, fitted
from motcua.integrations.positions import array_element_lines

FORMAT = "motcua.catalogue/1"
# Versions imported without a date have been in force for as long as history goes back.
SINCE_ALWAYS = date(2000, 1, 1)
UNIT_FIELDS = {"code", "name", "kind", "parent", "identity_code", "sessions", "address"}
NORM_FIELDS = {
    "code",
    "name",
    "agency",
    "level",
    "field",
    "duration",
    "duration_by_channel",
    "online",
    "five_on_spot",
    "e_result",
    "fees",
    "components",
    "convention",
    "pause_rule",
    "also_agencies",
    "effective_from",
}


@dataclass
class ImportSummary:
    """What the import did with every unit and procedure of the file: each one is counted
    once, as created, updated, moved (a unit given another parent, its subtree with it) or
    unchanged — none is left out. `unchanged` counts the procedures whose norms are those of
    their latest version (no new version)."""

    units_created: int = 0
    units_updated: int = 0
    units_moved: int = 0
    units_unchanged: int = 0
    procedures_created: int = 0
    versions_created: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Problems:
    lines_units: list[int]
    lines_procedures: list[int]
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, section: str, index: int | None, reason: str) -> None:
        lines = self.lines_units if section == "units" else self.lines_procedures
        line = lines[index] if index is not None and index < len(lines) else None
        where = f"{section}[{index}]" if index is not None else section
        self.items.append({"line": line, "where": where, "reason": reason})


def load_document(text: str, *, filename: str = "") -> dict[str, Any]:
    """Parse JSON or YAML; a syntax error names its line."""
    text = text.lstrip("\ufeff")
    try:
        if filename.endswith((".yaml", ".yml")) or not text.lstrip().startswith("{"):
            document = yaml.safe_load(text)
        else:
            document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _rejected([{"line": error.lineno, "where": "file", "reason": error.msg}]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise _rejected([{"line": line, "where": "file", "reason": str(error)}]) from None
    if not isinstance(document, dict):
        raise _rejected([{"line": 1, "where": "file", "reason": "not a JSON/YAML object"}])
    return document


def import_catalogue(text: str, *, filename: str = "") -> ImportSummary:
    document = load_document(text, filename=filename)
    problems = _Problems(
        array_element_lines(text, "units"), array_element_lines(text, "procedures")
    )
    units, procedures = _validate(document, problems)
    if problems.items:
        raise _rejected(problems.items)
    with transaction.atomic():
        summary = ImportSummary()
        _apply_units(units, summary)
        _apply_procedures(procedures, summary)
    return summary


def _rejected(items: list[dict[str, Any]]) -> ValidationFailed:
    first = items[0]
    where = f"line {first['line']}" if first.get("line") else first["where"]
    return ValidationFailed(
        f"Tệp danh mục không hợp lệ ({len(items)} lỗi); {where}: {first['reason']}",
        code="invalid_catalogue",
        errors=items,
    )


# --- validation -------------------------------------------------------------------------


def _validate(
    document: dict[str, Any], problems: _Problems
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if document.get("format") != FORMAT:
        problems.add("format", None, f"format must be {FORMAT!r}, got {document.get('format')!r}")
    units = document.get("units") or []
    procedures = document.get("procedures") or []
    if not isinstance(units, list) or not isinstance(procedures, list):
        problems.add("file", None, "units and procedures must be lists")
        return [], []
    known = set(Unit.objects.values_list("code", flat=True))
    cleaned_units = [_clean_unit(item, i, problems) for i, item in enumerate(units)]
    file_codes = _unique_codes("units", cleaned_units, problems)
    _check_parents(cleaned_units, known | file_codes, problems)
    cleaned_procs = [
        _clean_procedure(item, i, known | file_codes, problems) for i, item in enumerate(procedures)
    ]
    _unique_codes("procedures", cleaned_procs, problems)
    return cleaned_units, cleaned_procs


def _unique_codes(section: str, items: list[dict[str, Any]], problems: _Problems) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = item.get("code")
        if code in seen:
            problems.add(section, index, f"duplicate code {code!r}")
        elif code:
            seen.add(code)
    return seen


def _clean_unit(item: Any, index: int, problems: _Problems) -> dict[str, Any]:
    if not isinstance(item, dict):
        problems.add("units", index, "a unit must be an object")
        return {}
    unit: dict[str, Any] = {
        key: clean_text(str(item[key])) if item.get(key) is not None else None
        for key in UNIT_FIELDS
    }
    for key in UNIT_FIELDS - {"parent", "kind"}:
        _check_length(unit[key], Unit, key, lambda reason: problems.add("units", index, reason))
    if not unit["code"] or not UNIT_CODE_PATTERN.match(unit["code"]):
        problems.add("units", index, f"invalid unit code {item.get('code')!r}")
    if not unit["name"]:
        problems.add("units", index, "unit name is required")
    if unit["kind"] not in UnitKind.values:
        problems.add("units", index, f"unknown kind {item.get('kind')!r}")
    if unit["identity_code"] and not IDENTITY_CODE_PATTERN.match(unit["identity_code"]):
        problems.add("units", index, f"invalid identity_code {unit['identity_code']!r}")
    unit["index"] = index
    return unit


def _check_parents(units: list[dict[str, Any]], codes: set[str], problems: _Problems) -> None:
    """Every parent known, active (an active unit under a merged one would be an orphan), and
    no cycle — through the file's units and the stored tree together (a file may move a
    stored unit under one of its own stored descendants)."""
    stored = {
        code: (parent, active, merged_into)
        for code, parent, active, merged_into in Unit.objects.values_list(
            "code", "parent__code", "is_active", "merged_into__code"
        )
    }
    parents = {code: parent for code, (parent, _, _) in stored.items()}
    parents |= {u["code"]: u.get("parent") for u in units if u.get("code")}
    for unit in units:
        if not unit.get("code"):
            continue
        parent, seen = unit.get("parent"), {unit["code"]}
        if parent and parent not in codes:
            problems.add("units", unit["index"], f"unknown parent unit {parent!r}")
            continue
        unit_active = stored.get(unit["code"], (None, True, None))[1]
        if parent in stored and unit_active and not stored[parent][1]:
            merged = f", merged into {stored[parent][2]!r}" if stored[parent][2] else ""
            problems.add("units", unit["index"], f"parent unit {parent!r} is inactive{merged}")
        while parent in parents:
            if parent in seen:
                problems.add("units", unit["index"], "the unit tree has a cycle")
                break
            seen.add(parent)
            parent = parents[parent]


def _clean_procedure(
    item: Any, index: int, unit_codes: set[str], problems: _Problems
) -> dict[str, Any]:
    if not isinstance(item, dict):
        problems.add("procedures", index, "a procedure must be an object")
        return {}

    def bad(reason: str) -> None:
        problems.add("procedures", index, f"{item.get('code') or '?'}: {reason}")

    code, name = clean_text(str(item.get("code") or "")), clean_text(str(item.get("name") or ""))
    if not code:
        bad("code is required")
    if not name:
        bad("name is required")
    _check_length(code, Procedure, "code", bad)
    _check_length(name, ProcedureVersion, "name", bad)
    _check_length(clean_text(str(item.get("field") or "")), ProcedureVersion, "field", bad)
    agencies = [item.get("agency"), *(item.get("also_agencies") or [])]
    for agency in agencies:
        if agency not in unit_codes:
            bad(f"unknown agency unit {agency!r}")
    duration = item.get("duration")
    if not isinstance(duration, dict):
        bad("duration must be an object {value, unit}")
        duration = {}
    value = duration.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        bad(f"duration.value must be a positive whole number, got {value!r}")
    if duration.get("unit") not in DurationUnit.values:
        bad(f"duration.unit must be one of {DurationUnit.values}, got {duration.get('unit')!r}")
    cutoff = _clean_cutoff(duration.get("same_day_cutoff"), bad)
    by_channel = item.get("duration_by_channel") or {}
    for problem in channel_duration_problems(by_channel):
        bad(problem)
    choices = {
        "online": (OnlineMode, "none"),
        "convention": (Convention, "hours"),
        "pause_rule": (PauseRule, "pause"),
        "level": (Level, ""),
    }
    norms: dict[str, Any] = {}
    for key, (enum, default) in choices.items():
        norms[key] = item.get(key) or default
        if norms[key] and norms[key] not in enum.values:
            bad(f"{key} must be one of {enum.values}, got {item.get(key)!r}")
    for flag in ("five_on_spot", "e_result"):
        if not isinstance(item.get(flag, False), bool):
            bad(f"{flag} must be true or false")
    fees = _clean_fees(item.get("fees") or [], bad)
    components = _clean_components(item.get("components") or [], bad)
    effective_from = _clean_date(item.get("effective_from"), bad)
    for problem in process_problems(item.get("process"), unit_codes):
        bad(problem)
    extra = {key: val for key, val in item.items() if key not in NORM_FIELDS}
    return {
        "code": code,
        "name": name,
        "agency": item.get("agency"),
        "also_agencies": sorted(set(item.get("also_agencies") or [])),
        "field": clean_text(str(item.get("field") or "")),
        "duration_value": value,
        "duration_unit": duration.get("unit"),
        "same_day_cutoff": cutoff,
        "duration_by_channel": by_channel if isinstance(by_channel, dict) else {},
        "five_on_spot": bool(item.get("five_on_spot", False)),
        "e_result": bool(item.get("e_result", False)),
        "fees": fees,
        "components": components,
        "effective_from": effective_from,
        "process": item.get("process") or [],
        "extra": extra,
        **norms,
    }


def _check_length(value: str | None, model: Any, name: str, bad: Callable[[str], None]) -> None:
    """A text longer than its column once normalised is a problem of its item (with its line),
    not a database error."""
    if not value:
        return
    try:
        fitted(value, max_length=column_length(model, name), field=name)
    except TextTooLong as error:
        bad(error.message)


def _clean_cutoff(raw: Any, bad: Any) -> time | None:
    """`duration.same_day_cutoff`, "HH:MM". YAML 1.1 reads an unquoted 15:00 as the
    base-60 number 900: it is taken back as 15:00."""
    if raw in (None, ""):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 24 * 60:
        return time(raw // 60, raw % 60)
    try:
        cutoff = time.fromisoformat(str(raw))
    except ValueError:
        cutoff = None
    if cutoff is None or len(str(raw)) != 5:
        bad(f"duration.same_day_cutoff must be a time HH:MM, got {raw!r}")
        return None
    return cutoff


def _clean_fees(fees: Any, bad: Any) -> list[dict[str, Any]]:
    cleaned, problems = clean_table(fees)
    for problem in problems:
        bad(problem)
    return cleaned


def _clean_components(components: Any, bad: Any) -> list[str | dict[str, Any]]:
    """Each component as its name; one given as an object with more than a name (copies,
    a form template…) is kept whole, its name cleaned, so nothing of it is lost."""
    if not isinstance(components, list):
        bad("components must be a list")
        return []
    cleaned: list[str | dict[str, Any]] = []
    for component in components:
        name = component.get("name") if isinstance(component, dict) else component
        if not isinstance(name, str) or not clean_text(name):
            bad(f"a component must be a name, got {component!r}")
            continue
        if isinstance(component, dict) and set(component) != {"name"}:
            cleaned.append({**component, "name": clean_text(name)})
        else:
            cleaned.append(clean_text(name))
    return cleaned


def _clean_date(raw: Any, bad: Any) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        bad(f"effective_from must be a date YYYY-MM-DD, got {raw!r}")
        return None


# --- applying ---------------------------------------------------------------------------


def _apply_units(units: list[dict[str, Any]], summary: ImportSummary) -> None:
    pending = list(units)
    while pending:  # parents before children, whatever the file's order
        ready = [
            u for u in pending if not u["parent"] or Unit.objects.filter(code=u["parent"]).exists()
        ]
        for unit in ready:
            _upsert_unit(unit, summary)
        pending = [u for u in pending if u not in ready]


def _upsert_unit(data: dict[str, Any], summary: ImportSummary) -> None:
    parent = Unit.objects.get(code=data["parent"]) if data["parent"] else None
    values = {"name": data["name"], "kind": data["kind"], "parent": parent}
    for optional in ("identity_code", "sessions", "address"):
        if data.get(optional):
            values[optional] = data[optional]
    unit = Unit.objects.filter(code=data["code"]).first()
    if unit is None:
        Unit.objects.create(code=data["code"], **values)
        summary.units_created += 1
    elif any(getattr(unit, key) != value for key, value in values.items()):
        moved = unit.parent_id != (parent.pk if parent else None)
        for key, value in values.items():
            setattr(unit, key, value)
        if moved:  # the subtree goes along, and the move is recorded
            move_unit(unit, parent=parent, by=None, reason=f"{FORMAT} import")
            summary.units_moved += 1
        else:
            unit.save()
            summary.units_updated += 1
    else:
        summary.units_unchanged += 1


def _norms(data: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "name",
        "agency",
        "also_agencies",
        "level",
        "field",
        "duration_value",
        "duration_unit",
        "convention",
        "pause_rule",
        "online",
        "five_on_spot",
        "fees",
        "components",
    )
    norms = {key: data[key] for key in keys}
    if data.get("process"):  # absent from older hashes: an empty process changes nothing
        norms["process"] = data["process"]
    if data.get("same_day_cutoff"):  # likewise for the optional duration details
        norms["same_day_cutoff"] = f"{data['same_day_cutoff']:%H:%M}"
    if data.get("duration_by_channel"):
        norms["duration_by_channel"] = data["duration_by_channel"]
    if data.get("e_result"):
        norms["e_result"] = True
    return norms


def _apply_procedures(procedures: list[dict[str, Any]], summary: ImportSummary) -> None:
    units = {unit.code: unit for unit in Unit.objects.all()}
    for data in procedures:
        procedure, created = Procedure.objects.get_or_create(code=data["code"])
        summary.procedures_created += created
        latest = procedure.versions.order_by("-number").first()
        digest = content_hash(_norms(data))
        if latest is not None and latest.content_hash == digest:
            if latest.extra != data["extra"]:
                latest.extra = data["extra"]
                latest.save(update_fields=["extra"])  # a save, so the change log records it
            summary.unchanged += 1
            continue
        starts = data["effective_from"] or (SINCE_ALWAYS if latest is None else date.today())
        if latest is not None:
            if starts <= latest.effective_from:
                raise ValidationFailed(
                    f"{data['code']}: a new version must start after {latest.effective_from}",
                    code="invalid_catalogue",
                )
            latest.effective_to = starts - timedelta(days=1)
            latest.save(update_fields=["effective_to"])  # a save, so the change log records it
        _create_version(
            procedure,
            data,
            units,
            number=(latest.number + 1 if latest else 1),
            starts=starts,
            digest=digest,
        )
        summary.versions_created += 1


def _create_version(
    procedure: Procedure,
    data: dict[str, Any],
    units: dict[str, Unit],
    *,
    number: int,
    starts: date,
    digest: str,
) -> None:
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        name=data["name"],
        agency=units[data["agency"]],
        level=data["level"],
        field=data["field"],
        duration_value=data["duration_value"],
        duration_unit=data["duration_unit"],
        same_day_cutoff=data["same_day_cutoff"],
        duration_by_channel=data["duration_by_channel"],
        convention=data["convention"],
        pause_rule=data["pause_rule"],
        online=data["online"],
        five_on_spot=data["five_on_spot"],
        e_result=data["e_result"],
        fees=data["fees"],
        components=data["components"],
        process=data["process"],
        effective_from=starts,
        extra=data["extra"],
        content_hash=digest,
    )
    version.other_agencies.set([units[code] for code in data["also_agencies"]])


# --- export -----------------------------------------------------------------------------


def export_catalogue(*, on: date | None = None) -> dict[str, Any]:
    """The catalogue as `motcua.catalogue/1`: every unit, and each procedure's version in
    force on `on` (the latest version when not given)."""
    units = [_unit_entry(unit) for unit in Unit.objects.select_related("parent").order_by("path")]
    procedures = []
    for procedure in Procedure.objects.order_by("code"):
        version = procedure.current_version(on)
        if version is not None:
            procedures.append(_procedure_entry(version))
    return {"format": FORMAT, "units": units, "procedures": procedures}


def _unit_entry(unit: Unit) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent else None,
    }
    for optional in ("identity_code", "sessions", "address"):
        if getattr(unit, optional):
            entry[optional] = getattr(unit, optional)
    return entry


def _procedure_entry(version: ProcedureVersion) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": version.procedure.code,
        "name": version.name,
        "agency": version.agency.code,
        "duration": _duration_entry(version),
        "online": version.online,
        "five_on_spot": version.five_on_spot,
        "fees": version.fees,
        "components": version.components,
        "convention": version.convention,
        "pause_rule": version.pause_rule,
        "effective_from": version.effective_from.isoformat(),
    }
    if version.level:
        entry["level"] = version.level
    if version.field:
        entry["field"] = version.field
    if version.process:
        entry["process"] = version.process
    if version.e_result:
        entry["e_result"] = True
    if version.duration_by_channel:
        entry["duration_by_channel"] = version.duration_by_channel
    others = sorted(unit.code for unit in version.other_agencies.all())
    if others:
        entry["also_agencies"] = others
    return {**entry, **version.extra}


def _duration_entry(version: ProcedureVersion) -> dict[str, Any]:
    duration: dict[str, Any] = {"value": version.duration_value, "unit": version.duration_unit}
    if version.same_day_cutoff is not None:
        duration["same_day_cutoff"] = f"{version.same_day_cutoff:%H:%M}"
    return duration
