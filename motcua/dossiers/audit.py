"""The event log's seals, and `motcua audit verify`: what was written is still what is there.

Three seals, each an HMAC-SHA256 under the audit key (`settings.AUDIT_KEYS`, from the
environment, never in the database):

- every event seals its own content, its number in the log of all dossiers (`serial`) and the
  seal of the event before it on the same dossier (one chain per dossier: intakes at
  different units never wait on each other's chain);
- every dossier's chain head (`DossierChainHead`) seals where its chain ends;
- the log head (`EventLogHead`) seals the last serial number given and that event's seal.

Someone who can write the database but does not hold the key may change, remove or insert
rows and recompute plain hashes, but cannot make a seal that verifies. Events written before
the keyed chain carry a plain SHA-256 (`key_id` ""); they are accepted up to the cut-over the
log head records, and each dossier's head was sealed then (docs/decisions/0007-audit-chain.md).

`verify` also replays each dossier's events and compares what they imply with the dossier's
cached columns (status, due date, ended time…), and reads the code counters for numbers
issued to dossiers that are no longer there."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, QuerySet

from motcua.core import append_only
from motcua.core.clock import now
from motcua.dossiers.codes import format_code
from motcua.dossiers.models import (
    Dossier,
    DossierChainHead,
    DossierCodeCounter,
    DossierEvent,
    EventLogHead,
    EventType,
)
from motcua.workflow.actions import TRANSITIONS, target_of
from motcua.workflow.states import Status

LOG_HEAD_ID = 1

# --- seals -------------------------------------------------------------------------------


class UnknownKey(LookupError):
    """A seal names a key id this installation does not hold (settings.AUDIT_KEYS)."""


def _json(content: dict[str, Any]) -> bytes:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def _mac(key_id: str, message: bytes) -> str:
    secret = settings.AUDIT_KEYS.get(key_id)
    if secret is None:
        raise UnknownKey(key_id)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def canonical(event: DossierEvent, *, dossier_code: str) -> bytes:
    """The bytes an event's seal covers. A keyed event's also cover its key and serial; a
    plain-hash event's are exactly what they were when it was written."""
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
    if event.key_id:
        content["key"] = event.key_id
        content["serial"] = event.serial
    return _json(content)


def seal(event: DossierEvent, *, dossier_code: str) -> str:
    """HMAC-SHA256 under the event's key; plain SHA-256 for events from before the key."""
    content = canonical(event, dossier_code=dossier_code)
    if not event.key_id:
        return hashlib.sha256(content).hexdigest()
    return _mac(event.key_id, content)


def dossier_head_mac(*, code: str, last_sequence: int, last_hash: str, key_id: str) -> str:
    content = {"head": "dossier", "dossier": code, "sequence": last_sequence, "hash": last_hash}
    return _mac(key_id, _json(content))


def log_head_mac(head: Any) -> str:
    """The seal of the log head (an EventLogHead, or its historical model in a migration)."""
    content = {
        "head": "log",
        "serial": head.last_serial,
        "hash": head.last_hash,
        "legacy_events": head.legacy_events,
        "legacy_last_id": head.legacy_last_id,
        "cut_over_at": head.cut_over_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return _mac(head.key_id, _json(content))


# --- appending ---------------------------------------------------------------------------


def append(event: DossierEvent, *, dossier_code: str) -> DossierEvent:
    """Number, seal and save a new event, and move both heads, all in the caller's
    transaction (which holds the dossier's row). The log head's row lock is taken last and
    held to the commit: serial numbers are given one at a time, with no gap."""
    with transaction.atomic():
        last = (
            DossierEvent.objects.filter(dossier_id=event.dossier_id)
            .order_by("-sequence")
            .values("sequence", "hash")
            .first()
        )
        event.sequence = (last["sequence"] if last else 0) + 1
        event.prev_hash = last["hash"] if last else ""
        log = _locked_log_head()
        event.serial = log.last_serial + 1
        event.key_id = settings.AUDIT_KEY_ID
        event.hash = seal(event, dossier_code=dossier_code)
        event.save()
        _move_dossier_head(dossier_code, event)
        log.last_serial, log.last_hash, log.key_id = event.serial, event.hash, event.key_id
        log.mac = log_head_mac(log)
        log.save(update_fields=["last_serial", "last_hash", "key_id", "mac"])
    return event


def _locked_log_head() -> EventLogHead:
    head = EventLogHead.objects.select_for_update().filter(pk=LOG_HEAD_ID).first()
    if head is not None:
        return head
    if DossierEvent.objects.filter(serial__isnull=False).exists():
        # Starting a new head here would seal over whatever removed the old one.
        raise RuntimeError("the event log's head is missing: run `motcua audit verify`")
    try:
        with transaction.atomic():
            return start_log()
    except IntegrityError:  # another transaction started it first
        return EventLogHead.objects.select_for_update().get(pk=LOG_HEAD_ID)


def start_log() -> EventLogHead:
    """The log head of an empty keyed log, recording the plain-hash events already there."""
    legacy = DossierEvent.objects.filter(key_id="").aggregate(count=Count("id"), last=Max("id"))
    head = EventLogHead(
        pk=LOG_HEAD_ID,
        legacy_events=legacy["count"],
        legacy_last_id=legacy["last"] or 0,
        cut_over_at=now(),
        key_id=settings.AUDIT_KEY_ID,
    )
    head.mac = log_head_mac(head)
    head.save(force_insert=True)
    return head


def _move_dossier_head(code: str, event: DossierEvent) -> None:
    values = {
        "last_sequence": event.sequence,
        "last_hash": event.hash,
        "key_id": event.key_id,
        "mac": dossier_head_mac(
            code=code, last_sequence=event.sequence, last_hash=event.hash, key_id=event.key_id
        ),
    }
    if not DossierChainHead.objects.filter(dossier_code=code).update(**values):
        DossierChainHead.objects.create(dossier_code=code, **values)


# --- verifying ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """One thing found wrong. `dossier_code` is "" when it concerns the whole log, and
    `sequence` 0 when it concerns no single event; `kind` is a stable code."""

    dossier_code: str
    sequence: int
    problem: str
    kind: str = ""

    @property
    def where(self) -> str:
        if not self.dossier_code:
            return "log"
        return f"{self.dossier_code} #{self.sequence}" if self.sequence else self.dossier_code


def verify(dossiers: QuerySet[Dossier] | None = None) -> Iterator[Break]:
    """Every break found, streamed: in the given dossiers, or, when None, in the whole log
    (its protection, its head and serial numbers, the code counters, every dossier)."""
    if dossiers is None:
        yield from verify_protection()
        yield from verify_log()
        yield from verify_codes()
        yield from verify_removed_dossiers()
        dossiers = Dossier.objects.all()
    for dossier in dossiers.select_related("assignee").order_by("pk").iterator(chunk_size=500):
        yield from verify_dossier(dossier)


def verify_dossier(dossier: Dossier) -> Iterator[Break]:
    events = list(dossier.events.order_by("sequence"))
    yield from _chain_breaks(dossier.code, events)
    yield from _head_breaks(dossier.code, events)
    yield from _cached_column_breaks(dossier, events)


def _chain_breaks(code: str, events: list[DossierEvent]) -> Iterator[Break]:
    previous_hash, expected_sequence, keyed_seen = "", 1, False
    for event in events:
        if event.sequence != expected_sequence:
            yield Break(
                code,
                event.sequence,
                f"sequence jumps from {expected_sequence - 1} to {event.sequence}",
                "sequence_gap",
            )
        if event.prev_hash != previous_hash:
            yield Break(code, event.sequence, "does not seal the event before it", "chain_broken")
        if keyed_seen and not event.key_id:
            yield Break(code, event.sequence, "plain-hash event after keyed ones", "unkeyed_event")
        yield from _seal_breaks(code, event)
        keyed_seen = keyed_seen or bool(event.key_id)
        previous_hash, expected_sequence = event.hash, event.sequence + 1


def _seal_breaks(code: str, event: DossierEvent) -> Iterator[Break]:
    try:
        intact = hmac.compare_digest(seal(event, dossier_code=code), event.hash)
    except UnknownKey:
        yield Break(
            code, event.sequence, f"sealed with unknown key {event.key_id!r}", "unknown_key"
        )
        return
    if not intact:
        yield Break(code, event.sequence, "content changed after it was written", "content_changed")


def _head_breaks(code: str, events: list[DossierEvent]) -> Iterator[Break]:
    head = DossierChainHead.objects.filter(dossier_code=code).first()
    if head is None:
        if events:
            yield Break(code, 0, "has events but no chain head", "head_missing")
        return
    try:
        expected = dossier_head_mac(
            code=code,
            last_sequence=head.last_sequence,
            last_hash=head.last_hash,
            key_id=head.key_id,
        )
    except UnknownKey:
        yield Break(code, 0, f"chain head sealed with unknown key {head.key_id!r}", "unknown_key")
        return
    if not hmac.compare_digest(expected, head.mac):
        yield Break(code, 0, "chain head changed after it was written", "head_changed")
        return
    last = events[-1] if events else None
    if last is None or last.sequence < head.last_sequence:
        ends = last.sequence if last else 0
        yield Break(
            code,
            head.last_sequence,
            f"chain ends at #{ends} but its head says #{head.last_sequence}: events removed",
            "events_removed",
        )
    elif last.sequence > head.last_sequence:
        yield Break(
            code,
            last.sequence,
            f"events after #{head.last_sequence}, where its head says the chain ends",
            "events_inserted",
        )
    elif last.hash != head.last_hash:
        yield Break(
            code, last.sequence, "last event is not the one its head sealed", "head_mismatch"
        )


def verify_protection() -> Iterator[Break]:
    for table in append_only.unprotected(connection):
        yield Break("", 0, f"{table} has lost its append-only triggers", "unprotected")


def verify_log() -> Iterator[Break]:
    """The log head's seal, the serial numbers 1…N with none missing, and the events sealed
    before the key: as many as at the cut-over, none written after it."""
    head = EventLogHead.objects.filter(pk=LOG_HEAD_ID).first()
    keyed = DossierEvent.objects.filter(serial__isnull=False)
    if head is None:
        if DossierEvent.objects.exists():
            yield Break("", 0, "the log head is missing", "log_head_missing")
        return
    try:
        intact = hmac.compare_digest(log_head_mac(head), head.mac)
    except UnknownKey:
        yield Break("", 0, f"log head sealed with unknown key {head.key_id!r}", "unknown_key")
        return
    if not intact:
        yield Break("", 0, "the log head changed after it was written", "log_head_changed")
        return
    yield from _serial_breaks(head, keyed)
    yield from _legacy_breaks(head)


def _serial_breaks(head: EventLogHead, keyed: QuerySet[DossierEvent]) -> Iterator[Break]:
    last = keyed.filter(serial=head.last_serial).values_list("hash", flat=True).first()
    if head.last_serial and last != head.last_hash:
        yield Break(
            "",
            0,
            f"event #{head.last_serial} of the log, sealed by its head, is missing or changed",
            "log_head_mismatch",
        )
    beyond = keyed.filter(serial__gt=head.last_serial).count()
    if beyond:
        yield Break("", 0, f"{beyond} event(s) after the log head", "events_inserted")
    if keyed.filter(serial__lte=head.last_serial).count() == head.last_serial:
        return
    for first, last_missing in _missing_ranges(
        keyed.filter(serial__lte=head.last_serial)
        .order_by("serial")
        .values_list("serial", flat=True)
        .iterator(chunk_size=5000),
        head.last_serial,
    ):
        span = f"#{first}" if first == last_missing else f"#{first}–#{last_missing}"
        yield Break(
            "", 0, f"events {span} of the log are missing (removed events or dossiers)", "gap"
        )


def _missing_ranges(serials: Iterable[int | None], last: int) -> Iterator[tuple[int, int]]:
    """The runs of numbers missing from the ascending `serials` within 1…`last`."""
    expected = 1
    for serial in serials:
        if serial is None:
            continue
        if serial > expected:
            yield expected, serial - 1
        expected = serial + 1
    if expected <= last:
        yield expected, last


def _legacy_breaks(head: EventLogHead) -> Iterator[Break]:
    legacy = DossierEvent.objects.filter(key_id="")
    late = legacy.filter(id__gt=head.legacy_last_id).count()
    if late:
        yield Break(
            "", 0, f"{late} plain-hash event(s) written after the cut-over", "unkeyed_event"
        )
    count = legacy.count() - late
    if count != head.legacy_events:
        yield Break(
            "",
            0,
            f"{head.legacy_events} events were sealed before the cut-over, {count} remain",
            "legacy_changed",
        )


def verify_removed_dossiers() -> Iterator[Break]:
    codes = Dossier.objects.values("code")
    orphans = DossierChainHead.objects.exclude(dossier_code__in=codes).order_by("dossier_code")
    for head in orphans.iterator():
        yield Break(
            head.dossier_code, 0, "dossier removed: its chain head remains", "dossier_removed"
        )


# --- code counters -----------------------------------------------------------------------

_CODE = re.compile(r"^(?P<prefix>.+)-(?P<day>\d{6})-(?P<number>\d+)$")


def verify_codes() -> Iterator[Break]:
    """Every number a unit's counter issued on a day still names a dossier.

    The counter (dossiers/codes.py) gives 1, 2, 3… per unit and day, in the intake's
    transaction, so every number up to its value was a dossier. Imports bring their own
    codes and may raise the counter past numbers never issued here; so below the highest
    imported number of that unit and day, a missing number proves nothing and is not
    reported (the serial numbers of the log still would be)."""
    taken, imported = _numbers_by_unit_and_day()
    for counter in DossierCodeCounter.objects.select_related("unit").order_by("unit_id", "day"):
        prefix, day = counter.unit.dossier_prefix, counter.day
        keys = [("prefix", prefix, day), ("unit", counter.unit_id, day)]
        here = set().union(*(taken.get(key, set()) for key in keys))
        floor = max((imported.get(key, 0) for key in keys), default=0)
        for number in range(floor + 1, counter.last_value + 1):
            if number not in here:
                yield Break(
                    format_code(prefix, day, number),
                    0,
                    f"issued by the counter of {counter.unit.code} but no dossier has it "
                    "(a removed dossier)",
                    "code_missing",
                )


def _numbers_by_unit_and_day() -> tuple[dict[tuple[Any, ...], set[int]], dict[Any, int]]:
    """Each (prefix, day) and (receiving unit, day): the numbers its dossiers carry, and the
    highest number among those imported with their own code."""
    taken: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    rows = Dossier.objects.values_list("code", "receiving_unit_id").iterator(chunk_size=5000)
    for code, unit_id in rows:
        for key, number in _keys(code, unit_id):
            taken[key].add(number)
    imported: dict[tuple[Any, ...], int] = {}
    brought = DossierEvent.objects.filter(type=EventType.RECEIVED, data__code_issued=False)
    for code, unit_id in brought.values_list("dossier__code", "dossier__receiving_unit_id"):
        for key, number in _keys(code, unit_id):
            imported[key] = max(imported.get(key, 0), number)
    return taken, imported


def _keys(code: str, unit_id: int) -> list[tuple[tuple[Any, ...], int]]:
    match = _CODE.match(code)
    if match is None:
        return []
    yymmdd, number = match["day"], int(match["number"])
    try:
        day = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return []
    return [(("prefix", match["prefix"], day), number), (("unit", unit_id, day), number)]


# --- cached columns ----------------------------------------------------------------------
#
# The dossier's cached columns are written by dossiers/actions.py together with each event;
# replaying the events must give them back. The due date is the one recorded in the latest
# event that carries one (received, supplement_received, extended): a minimal reading of the
# log, kept here on purpose; the clock's own derivation lives in dossiers/clock.py.

# The action each event records, where the event alone says it.
_ACTION_OF = {
    EventType.ASSIGNED: "assign",
    EventType.APPRAISED: "appraise",
    EventType.SUBMITTED_FOR_APPROVAL: "submit_for_approval",
    EventType.SENT_BACK: "send_back",
    EventType.APPROVED: "approve",  # or "refuse": same states, the outcome is in the data
    EventType.RESULT_DELIVERED: "deliver",
    EventType.MARKED_UNCOLLECTED: "mark_uncollected",
    EventType.SUPPLEMENT_REQUESTED: "request_supplement",
    EventType.SUPPLEMENT_RECEIVED: "receive_supplement",
    EventType.WITHDRAWN: "withdraw",
    EventType.RETURNED_UNRESOLVED: "return_unresolved",
    EventType.EXTENDED: "apologise_and_extend",
    EventType.COMPLETION_REQUESTED: "ask_to_complete",
    EventType.REFUSED_AT_RECEPTION: "refuse_at_reception",
}


def _action_of(event: DossierEvent, current: str) -> str | None:
    """The transition an event records; None for events that move nothing (documents,
    inter-agency answers, and the inter-agency hand-outs a transfer writes first)."""
    if event.type == EventType.TRANSFERRED:
        return {"appraisal": "transfer", "hand_over": "hand_over"}.get(event.data.get("step"))
    if event.type == EventType.RESOLVED:
        return "return_result" if current == Status.APPROVED else "record_resolution"
    return _ACTION_OF.get(EventType(event.type)) if event.type in EventType.values else None


@dataclass
class Implied:
    """What the events say the cached columns hold. Fields the events never recorded (older
    events) stay in `unknown` and are not compared."""

    status: str = ""
    received_at: datetime | None = None
    clock_started_at: datetime | None = None
    due_at: datetime | None = None
    due_at_original: datetime | None = None
    ended_at: datetime | None = None
    paused_at: datetime | None = None
    resume_status: str = ""
    supplement_count: int = 0
    assignee: str | None = None
    outcome: str = ""
    delivered_at: datetime | None = None
    delivered_via: str = ""
    uncollected: bool = False
    unknown: set[str] = field(default_factory=set)


def replay(code: str, events: list[DossierEvent]) -> tuple[Implied, list[Break]]:
    """The cached columns the events imply, and the events no transition allows."""
    implied, refused = Implied(), []
    for event in events:
        current = implied.status
        if event.type == EventType.RECEIVED:
            _apply_receipt(implied, event)
            continue
        if event.type in _BEFORE_RECEPTION and _apply_before_reception(implied, event):
            continue
        if event.type == EventType.RESUBMITTED:
            refused.append(
                Break(code, event.sequence, f"{event.type} cannot follow {current}", "not_allowed")
            )
            continue
        action = _action_of(event, current)
        if action is None:
            continue
        transition = TRANSITIONS[action]
        if current not in transition.sources:
            refused.append(
                Break(code, event.sequence, f"{event.type} cannot follow {current}", "not_allowed")
            )
            continue
        resume = Status(implied.resume_status) if implied.resume_status else None
        implied.status = target_of(action, Status(current), resume)
        _apply(implied, event, action, current)
    return implied, refused


def _apply_receipt(implied: Implied, event: DossierEvent) -> None:
    implied.status = Status.RECEIVED
    implied.received_at = event.at
    implied.clock_started_at = _moment(event.data.get("clock_started_at"))
    implied.due_at = _moment(event.data.get("due_at"))
    for name in ("clock_started_at", "due_at"):
        if getattr(implied, name) is None:
            implied.unknown.add(name)


# Online reception (dossiers/reception.py): a submission, a resubmission after completion, and a
# paper dossier refused at the counter (its first and only event) write the columns outright.
_BEFORE_RECEPTION = frozenset(
    {EventType.SUBMITTED, EventType.RESUBMITTED, EventType.REFUSED_AT_RECEPTION}
)


def _apply_before_reception(implied: Implied, event: DossierEvent) -> bool:
    """Apply an event of online reception that the table of actions does not hold; False if
    it is not one here (a refusal of a submitted dossier is the table's)."""
    first = not implied.status
    if event.type == EventType.REFUSED_AT_RECEPTION:
        if not first:
            return False
        implied.status = Status.REFUSED_AT_RECEPTION
        implied.received_at = implied.clock_started_at = implied.due_at = event.at
        implied.ended_at = event.at
        return True
    if event.type == EventType.SUBMITTED and not first:
        return False
    if event.type == EventType.RESUBMITTED and (
        implied.status != Status.NEEDS_COMPLETION_AT_RECEPTION
    ):
        return False
    implied.status = Status.SUBMITTED
    implied.received_at = event.at
    implied.clock_started_at = _moment(event.data.get("clock_started_at"))
    implied.due_at = _moment(event.data.get("due_at"))
    return True


def _apply(implied: Implied, event: DossierEvent, action: str, before: str) -> None:
    data = event.data
    if action == "assign":
        implied.assignee = data.get("assignee")
    elif action == "request_supplement":
        implied.resume_status, implied.paused_at = before, event.at
        implied.supplement_count += 1
    elif action == "receive_supplement":
        implied.resume_status, implied.paused_at = "", None
        implied.due_at = _moment(data.get("due_at")) or implied.due_at
    elif action == "apologise_and_extend":
        implied.due_at_original = _moment(data.get("original_due_at"))
        implied.due_at = _moment(data.get("new_due_at")) or implied.due_at
    elif action == "approve":
        implied.outcome = data.get("outcome", implied.outcome)
    elif action == "refuse_at_reception":
        implied.ended_at = event.at
    elif action in ("withdraw", "return_unresolved", "record_resolution", "return_result"):
        implied.ended_at = event.at
        if action != "return_result":
            implied.paused_at = None
        if action == "record_resolution":
            implied.outcome = data.get("outcome", implied.outcome)
    elif action == "deliver":
        implied.delivered_at, implied.uncollected = event.at, False
        implied.delivered_via = data.get("via", "")
    elif action == "mark_uncollected":
        implied.uncollected = True


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


_COMPARED = (
    "status",
    "received_at",
    "clock_started_at",
    "due_at",
    "due_at_original",
    "ended_at",
    "paused_at",
    "resume_status",
    "supplement_count",
    "assignee",
    "outcome",
    "delivered_at",
    "delivered_via",
    "uncollected",
)


def _cached_column_breaks(dossier: Dossier, events: list[DossierEvent]) -> Iterator[Break]:
    if not events:
        return
    implied, refused = replay(dossier.code, events)
    yield from refused
    cached = {name: getattr(dossier, name) for name in _COMPARED}
    cached["assignee"] = dossier.assignee.username if dossier.assignee else None
    last = events[-1].sequence
    for name in _COMPARED:
        said = getattr(implied, name)
        if name not in implied.unknown and cached[name] != said:
            yield Break(
                dossier.code,
                last,
                f"{name} is {_shown(cached[name])} but the events say {_shown(said)}",
                "cached_column",
            )


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return repr(value)
