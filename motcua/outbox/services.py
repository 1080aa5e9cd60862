"""Writing the outbox (in the event's transaction), replaying dead letters, and listing.

`record_event(event)` is called by `dossiers.actions.append_event` for every event it appends
(not while history is replayed: nobody is told about old events again). For each destination
in use that wants the event it writes one `OutboxMessage`, numbered per dossier and
destination, and queues its delivery with the same commit (`tasks.deliver_message`); a
rolled-back action leaves no message. A local destination is delivered there and then
(registry docs)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet

from motcua.core.clock import now
from motcua.core.errors import Conflict, NotFound
from motcua.core.queue import enqueue_on_commit
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.outbox import registry
from motcua.outbox.models import MessageStatus, OutboxMessage, idempotency_key
from motcua.outbox.tasks import deliver_inline, deliver_message

logger = logging.getLogger(__name__)


def record_event(event: DossierEvent, *, dossier: Dossier) -> list[OutboxMessage]:
    """Write the messages `event` calls for, in the caller's transaction (which holds the
    dossier's row, so that the numbering per dossier has one writer). Returns them."""
    written = []
    for destination in registry.in_use():
        if not destination.wants(event):
            continue
        last = OutboxMessage.objects.filter(
            destination=destination.name, dossier_id=dossier.pk
        ).aggregate(last=Max("sequence"))["last"]
        sequence = (last or 0) + 1
        key = idempotency_key(event.pk, destination.name)
        message = OutboxMessage.objects.create(
            destination=destination.name,
            dossier=dossier,
            event=event,
            event_type=event.type,
            sequence=sequence,
            idempotency_key=key,
            payload=payload(
                event, dossier=dossier, destination=destination.name, key=key, sequence=sequence
            ),
            created_at=now(),
        )
        written.append(message)
        if destination.local and (sequence == 1 or _first_pending(message)):
            deliver_inline(message, destination)
        else:
            enqueue_on_commit(deliver_message, message.pk)
    return written


def _first_pending(message: OutboxMessage) -> bool:
    """Every earlier message of its dossier and destination has been delivered."""
    return not (
        OutboxMessage.objects.filter(
            destination=message.destination,
            dossier_id=message.dossier_id,
            sequence__lt=message.sequence,
        )
        .exclude(status=MessageStatus.DELIVERED)
        .exists()
    )


def payload(
    event: DossierEvent, *, dossier: Dossier, destination: str, key: str, sequence: int
) -> dict[str, Any]:
    """What the receiver gets (JSON): the message's own name and place in its dossier's
    stream, and the event as the log holds it."""
    return {
        "idempotency_key": key,
        "destination": destination,
        "dossier": dossier.code,
        "sequence": sequence,
        "event": {
            "id": event.pk,
            "type": event.type,
            "sequence": event.sequence,
            "at": event.at.isoformat(),
            "actor": event.actor_name,
            "reason": event.reason,
            "data": event.data,
        },
    }


def replay(ids: Iterable[int] = (), *, all_dead: bool = False) -> list[int]:
    """Give dead messages a fresh round of attempts; returns their ids. Every id must name a
    dead message (`not_found`, `not_dead` otherwise), or nothing is replayed."""
    wanted = sorted(set(ids))
    with transaction.atomic():
        dead = OutboxMessage.objects.select_for_update().filter(status=MessageStatus.DEAD)
        if not all_dead:
            found = dict(OutboxMessage.objects.filter(pk__in=wanted).values_list("pk", "status"))
            missing = [pk for pk in wanted if pk not in found]
            if missing:
                raise NotFound(
                    f"no outbox message {', '.join(map(str, missing))}",
                    code="not_found",
                    missing=missing,
                )
            alive = [pk for pk in wanted if found[pk] != MessageStatus.DEAD]
            if alive:
                raise Conflict(
                    f"outbox message {', '.join(map(str, alive))} is not dead",
                    code="not_dead",
                    not_dead=alive,
                )
            dead = dead.filter(pk__in=wanted)
        replayed = list(
            dead.order_by("destination", "dossier_id", "sequence").values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=replayed).update(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            locked_until=None,
            claimed_by="",
        )
        for pk in replayed:
            enqueue_on_commit(deliver_message, pk)
    logger.info("Outbox messages %s replayed", replayed)
    return replayed


def replay_selected(messages: QuerySet[OutboxMessage]) -> list[int]:
    """The admin's action: replay the dead ones among `messages`, skip the others."""
    return replay(messages.filter(status=MessageStatus.DEAD).values_list("pk", flat=True))


def requeue_stuck(*, older_than: timedelta) -> int:
    """Queue again every pending message, older than `older_than`, that is free and not
    waiting for a retry: its task was lost (a run outside any worker died, a queue that
    could not take it). Safe to run often: a run claims the message before delivering it.
    Returns how many were queued."""
    moment = now()
    cutoff = moment - older_than
    stuck = (
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, created_at__lt=cutoff)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=moment))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
    )
    count = 0
    for pk in stuck.values_list("pk", flat=True).iterator():
        enqueue_on_commit(deliver_message, pk)
        count += 1
    return count


def release_claims(worker_id: str) -> None:
    """A task worker is dead or signing off: free its claims (the receiver de-duplicates a
    message that went out before it died)."""
    OutboxMessage.objects.filter(status=MessageStatus.PENDING, claimed_by=worker_id).update(
        locked_until=None, claimed_by=""
    )
