"""The event log's seal: each event carries the SHA-256 of its own content and of the event
before it on the same dossier, so changing, removing or inserting an event breaks the chain
from that point on (`motcua audit verify`). One chain per dossier keeps intakes concurrent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from motcua.dossiers.models import Dossier, DossierEvent


def canonical(event: DossierEvent, *, dossier_code: str) -> bytes:
    content: dict[str, Any] = {
        "dossier": dossier_code,
        "sequence": event.sequence,
        "type": event.type,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "reason": event.reason,
        "data": event.data,
        "prev": event.prev_hash,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def seal(event: DossierEvent, *, dossier_code: str) -> str:
    return hashlib.sha256(canonical(event, dossier_code=dossier_code)).hexdigest()


@dataclass(frozen=True)
class Break:
    dossier_code: str
    sequence: int
    problem: str


def verify(dossiers: Any = None) -> Iterator[Break]:
    """Every break in the chains of the given dossiers (all when None), streamed."""
    queryset = dossiers if dossiers is not None else Dossier.objects.all()
    for dossier in queryset.only("id", "code").iterator(chunk_size=500):
        yield from verify_dossier(dossier)


def verify_dossier(dossier: Dossier) -> Iterator[Break]:
    previous_hash = ""
    expected_sequence = 1
    for event in dossier.events.order_by("sequence").iterator(chunk_size=200):
        if event.sequence != expected_sequence:
            yield Break(
                dossier.code,
                event.sequence,
                f"sequence jumps from {expected_sequence - 1} to {event.sequence}",
            )
        if event.prev_hash != previous_hash:
            yield Break(dossier.code, event.sequence, "does not seal the event before it")
        if seal(event, dossier_code=dossier.code) != event.hash:
            yield Break(dossier.code, event.sequence, "content changed after it was written")
        previous_hash = event.hash
        expected_sequence = event.sequence + 1
