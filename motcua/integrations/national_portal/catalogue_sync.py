"""The national procedure database → our versioned catalogue, through the `motcua.catalogue/1`
import (integrations/catalogue.py), so that a version is created only when something changed.

For a procedure we already have, the national record overrides only what the national
database owns (name, field, duration, online, fees, the names of the papers); what the
province added (its process, cut-off, conventions, agencies, a paper's details) is kept.
Records not published (TRANGTHAI other than 1) are left out; an agency is matched on our
unit's identity code (mã định danh) or code."""

from __future__ import annotations

import json
from typing import Any

from motcua.catalog.models import Unit
from motcua.integrations.catalogue import FORMAT, ImportSummary, export_catalogue, import_catalogue
from motcua.integrations.national_portal import mapping
from motcua.integrations.national_portal.client import PortalClient

OWNED = ("name", "field", "duration", "online", "fees")


def catalogue_document(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The `motcua.catalogue/1` document of the published national records."""
    current = {entry["code"]: entry for entry in export_catalogue()["procedures"]}
    agencies = {u.identity_code: u.code for u in Unit.objects.exclude(identity_code="")}
    procedures = []
    for record in records:
        if not isinstance(record, dict) or str(record.get("TRANGTHAI", "1")) != "1":
            continue
        national = mapping.national_agency(record)
        norms = mapping.procedure_norms(record, agencies.get(national, national))
        entry = current.get(norms["code"])
        procedures.append(_merged(entry, norms) if entry else _new(norms))
    return {"format": FORMAT, "units": [], "procedures": procedures}


def _merged(entry: dict[str, Any], norms: dict[str, Any]) -> dict[str, Any]:
    merged = {key: value for key, value in entry.items() if key != "effective_from"}
    for key in OWNED:
        if key == "duration":
            merged["duration"] = {**entry.get("duration", {}), **norms["duration"]}
        elif key == "online" and entry.get("online") in ("partial", "full"):
            merged["online"] = entry["online"] if norms["online"] != "none" else "none"
        elif norms.get(key):  # a national record without fees leaves the province's
            merged[key] = norms[key]
    ours = [c["name"] if isinstance(c, dict) else c for c in entry.get("components") or []]
    if ours != norms["components"]:
        merged["components"] = norms["components"]
    return merged


def _new(norms: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in norms.items() if value not in ("", None)}


def sync(client: PortalClient | None = None) -> ImportSummary:
    """Import the portal's published procedures; a bad record rejects the whole run
    (`invalid_catalogue`, each problem listed), nothing written."""
    records = (client or PortalClient()).procedures()
    document = catalogue_document(records)
    return import_catalogue(json.dumps(document, ensure_ascii=False), filename="dvcqg.json")
