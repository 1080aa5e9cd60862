"""Delivering one outbox message, as a django-tasks task run by `motcua db_worker` (the same
workers, heartbeat and reclaiming as the notifications: motcua/notifications/worker.py).

- A run first claims the message (one conditional UPDATE: `claimed_by`, `locked_until`). It
  gets it only if it is pending, free, and every earlier message of the same dossier and
  destination has been delivered: messages of one stream go out one at a time, in order.
  A later one found waiting is marked so (`waiting`) and its task ends; the delivery of the
  one before it queues it again.
- Any number of workers, on any machine, may run these tasks: the queue hands each task to one
  worker (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL), and the claim keeps a second run of
  the same message (a duplicate task) from delivering it at the same time.
- A failure is recorded on the row and the task queues itself again after 1, 4, 16… times
  `OUTBOX_FIRST_RETRY` (at most `OUTBOX_LONGEST_RETRY`); after `OUTBOX_MAX_ATTEMPTS` the
  message is dead (`motcua outbox replay`, or the admin), and the later messages of its
  stream wait for it.
- Batches: after delivering its own message to a remote destination, a run goes on with the
  messages of that destination that are ready (pending, free, not waiting for a retry, first
  undelivered of their stream), `OUTBOX_BATCH_SIZE` at a time, claimed together by one
  conditional UPDATE over rows selected FOR UPDATE SKIP LOCKED (on PostgreSQL; SQLite has one
  writer), delivered one by one and marked delivered together, for at most
  `OUTBOX_BATCH_ROUNDS` rounds or until one fails. A batch holds at most one message per
  stream, so the order is kept. Their own tasks, still queued on the database queue, are
  settled in the transaction that marks them delivered (SUCCESSFUL, "delivered in a batch";
  one a worker has already taken is left to run, find the message delivered and end), so that
  a backlog leaves no queue of empty runs before the next live event.
- Delivery to a remote receiver is at least once: a worker that dies after sending but before
  recording it leaves the message to be sent again, under the same idempotency key, by which
  the receiver drops the duplicate. A local destination is delivered and recorded in one
  transaction: exactly once."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from motcua.core.clock import now
from motcua.core.queue import backoff, enqueue_on_commit
from motcua.notifications.worker import current_worker_id
from motcua.outbox import registry
from motcua.outbox.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

# How long one run may hold a message while delivering it (a webhook call times out well
# before); a task worker's claims are released as soon as it is known dead.
LEASE = timedelta(minutes=5)
BACKOFF_FACTOR = 4


class ClaimLost(Exception):
    """Another run took the message over (ours was thought dead)."""


class UnknownDestination(Exception):
    """The message's destination is no longer registered or in use."""


@dataclass(frozen=True)
class Claim:
    message_id: int
    worker: str
    until: datetime

    def rows(self) -> QuerySet[OutboxMessage]:
        return OutboxMessage.objects.filter(
            pk=self.message_id,
            status=MessageStatus.PENDING,
            claimed_by=self.worker,
            locked_until=self.until,
        )


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed attempts: 1, 4, 16, 64… × OUTBOX_FIRST_RETRY."""
    return backoff(
        attempts,
        first=timedelta(seconds=settings.OUTBOX_FIRST_RETRY),
        factor=BACKOFF_FACTOR,
        longest=timedelta(seconds=settings.OUTBOX_LONGEST_RETRY),
    )


def earlier_undelivered() -> Exists:
    """An earlier message of the same dossier and destination is not delivered yet."""
    return Exists(
        OutboxMessage.objects.filter(
            destination=OuterRef("destination"),
            dossier_id=OuterRef("dossier_id"),
            sequence__lt=OuterRef("sequence"),
        ).exclude(status=MessageStatus.DELIVERED)
    )


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one message if it is pending, free and first in its stream; returns what
    happened (delivered, retry, dead, or why nothing was done)."""
    claim, outcome = _claim(message_id)
    if claim is None:
        logger.info("Outbox message %s not delivered: %s", message_id, outcome)
        return outcome
    message = OutboxMessage.objects.get(pk=message_id)
    destination = registry.get(message.destination)
    try:
        if destination is None:
            raise UnknownDestination(f"destination {message.destination!r} is not in use")
        if destination.local:
            with transaction.atomic():
                destination.deliver(message)
                _record_delivery(message, claim)
        else:
            destination.deliver(message)
            with transaction.atomic():
                _record_delivery(message, claim)
    except ClaimLost:
        logger.warning("Outbox message %s: claim taken over", message_id)
        return "claim lost"
    except Exception as error:
        return _record_failure(message, claim, error)
    if not destination.local:
        drain(destination, worker=claim.worker)
    return "delivered"


def previous_delivered() -> Exists:
    """The message just before in the same stream is delivered. A stream is numbered without
    gaps and delivered in order, so this is "every earlier one is delivered", tested by one
    look-up of the unique (destination, dossier, sequence) index rather than by comparing
    the message with every undelivered one of its stream (`earlier_undelivered`), which on a
    backlog of long streams costs the batch's claim seconds."""
    return Exists(
        OutboxMessage.objects.filter(
            destination=OuterRef("destination"),
            dossier_id=OuterRef("dossier_id"),
            sequence=OuterRef("sequence") - 1,
            status=MessageStatus.DELIVERED,
        )
    )


def _ready(destination: str, moment: datetime) -> QuerySet[OutboxMessage]:
    """The messages of `destination` a run may claim now: pending, free, not waiting for a
    retry, and first undelivered of their stream."""
    return (
        OutboxMessage.objects.filter(destination=destination, status=MessageStatus.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=moment))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        .filter(Q(sequence=1) | previous_delivered())
    )


def claim_batch(
    destination: str, *, worker: str, size: int
) -> tuple[Claim | None, list[OutboxMessage]]:
    """Claim up to `size` ready messages of `destination` for `worker`: their ids are read
    with their rows locked (others' locked rows skipped), and one conditional UPDATE claims
    those still ready. Returns the claim (shared by all) and the messages, oldest first."""
    started = now()
    until = started + LEASE
    with transaction.atomic():
        ids = list(
            _ready(destination, started)
            .select_for_update(skip_locked=True, of=("self",))
            # no ORDER BY: the scan stops at the first `size` found (a backlog's stream heads
            # lie first), where sorting would test every pending message first
            .order_by()
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None, []
        _ready(destination, started).filter(pk__in=ids).update(
            attempts=F("attempts") + 1,
            last_attempt_at=started,
            next_attempt_at=None,
            locked_until=until,
            claimed_by=worker,
            waiting=False,
        )
    claimed = list(
        OutboxMessage.objects.filter(
            pk__in=ids, status=MessageStatus.PENDING, claimed_by=worker, locked_until=until
        ).order_by("pk")
    )
    return Claim(0, worker, until), claimed


def drain(destination: registry.Destination, *, worker: str) -> int:
    """Deliver the ready messages of a remote `destination` in batches (module docs); returns
    how many were delivered."""
    size, delivered = settings.OUTBOX_BATCH_SIZE, 0
    for _round in range(settings.OUTBOX_BATCH_ROUNDS if size > 0 else 0):
        batch_claim, messages = claim_batch(destination.name, worker=worker, size=size)
        if batch_claim is None:
            break
        sent: list[OutboxMessage] = []
        failed = False
        for position, message in enumerate(messages):
            claim = Claim(message.pk, worker, batch_claim.until)
            try:
                destination.deliver(message)
            except Exception as error:
                _record_failure(message, claim, error)
                _release_unsent(messages[position + 1 :], batch_claim)
                failed = True
                break
            sent.append(message)
        delivered += _record_deliveries(sent, batch_claim)
        if failed:
            break
    return delivered


def _record_deliveries(messages: list[OutboxMessage], claim: Claim) -> int:
    """Mark `messages` (claimed together under `claim`) delivered and queue the next of each
    stream that waits, in one transaction (as `_record_delivery` does for one)."""
    if not messages:
        return 0
    with transaction.atomic():
        marked = OutboxMessage.objects.filter(
            pk__in=[m.pk for m in messages],
            status=MessageStatus.PENDING,
            claimed_by=claim.worker,
            locked_until=claim.until,
        ).update(
            status=MessageStatus.DELIVERED,
            delivered_at=now(),
            last_error="",
            locked_until=None,
            claimed_by="",
        )
        queue_following(messages)
        _settle_tasks([m.pk for m in messages], worker=claim.worker)
    return marked


def _settle_tasks(ids: list[int], *, worker: str) -> None:
    """Mark the still queued `deliver_message` tasks of the messages `ids` (just delivered in
    a batch) done, on the database queue; a task some worker holds is skipped."""
    if not isinstance(deliver_message.get_backend(), DatabaseBackend):
        return
    moment = now()
    queued = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=deliver_message.module_path,
        args_kwargs__in=[{"args": [pk], "kwargs": {}} for pk in ids],
    )
    free = list(queued.select_for_update(skip_locked=True).values_list("pk", flat=True))
    DBTaskResult.objects.filter(pk__in=free, status=TaskResultStatus.READY).update(
        status=TaskResultStatus.SUCCESSFUL,
        started_at=moment,
        finished_at=moment,
        return_value="delivered in a batch",
        worker_ids=[worker],
    )


def _release_unsent(messages: list[OutboxMessage], claim: Claim) -> None:
    """Give back messages claimed in a batch but not tried (an earlier one failed): free, and
    their attempt not counted."""
    if messages:
        OutboxMessage.objects.filter(
            pk__in=[m.pk for m in messages],
            status=MessageStatus.PENDING,
            claimed_by=claim.worker,
            locked_until=claim.until,
        ).update(attempts=F("attempts") - 1, locked_until=None, claimed_by="")


def _record_delivery(message: OutboxMessage, claim: Claim) -> None:
    """Mark the message delivered and queue the next of its stream, in one transaction: a
    worker dying in between cannot leave the next one without its task."""
    if not _mark_delivered(claim):
        raise ClaimLost
    queue_next(message)


def deliver_inline(message: OutboxMessage, destination: registry.Destination) -> None:
    """Deliver a local destination's message in the caller's transaction; a failure rolls
    back the delivery only and leaves the message to the workers."""
    moment = now()
    try:
        with transaction.atomic():
            destination.deliver(message)
    except Exception as error:
        text = _error_text(error)
        run_after = moment + retry_delay(1)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=1, last_attempt_at=moment, last_error=text, next_attempt_at=run_after
        )
        enqueue_on_commit(deliver_message, message.pk, run_after=run_after)
        logger.warning(
            "Outbox message %s failed at once (%s); left to the workers", message.pk, text
        )
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.DELIVERED, attempts=1, last_attempt_at=moment, delivered_at=moment
    )


def _claim(message_id: int) -> tuple[Claim | None, str]:
    started = now()
    worker = current_worker_id() or f"run-{uuid.uuid4().hex[:16]}"
    claim = Claim(message_id, worker, started + LEASE)
    pending = OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.PENDING)
    free = pending.filter(Q(locked_until__isnull=True) | Q(locked_until__lte=started))
    first = free.filter(~earlier_undelivered())
    changes = {
        "attempts": F("attempts") + 1,
        "last_attempt_at": started,
        "next_attempt_at": None,
        "locked_until": claim.until,
        "claimed_by": claim.worker,
        "waiting": False,
    }
    if first.update(**changes):
        return claim, "claimed"
    # Perhaps an earlier message is undelivered: say that this one waits, then look again.
    # The delivery of the earlier one locks this row while it commits (`queue_next`): either
    # it sees `waiting` and queues this message, or this second look sees it delivered.
    if pending.update(waiting=True) and first.update(**changes):
        return claim, "claimed"
    row = OutboxMessage.objects.filter(pk=message_id).values("status", "locked_until").first()
    if row is None:
        return None, "missing"
    if row["status"] != MessageStatus.PENDING:
        return None, f"already {row['status']}"
    if row["locked_until"] is not None and row["locked_until"] > started:
        return None, "in flight"
    return None, "waiting"  # for an earlier message of its stream, which will queue it


def _mark_delivered(claim: Claim) -> bool:
    return bool(
        claim.rows().update(
            status=MessageStatus.DELIVERED,
            delivered_at=now(),
            last_error="",
            locked_until=None,
            claimed_by="",
        )
    )


def queue_next(message: OutboxMessage) -> None:
    """Queue the next pending message of the same dossier and destination if its task came
    too early and ended (`waiting`). Called in the transaction that marks `message`
    delivered, it locks that next row: a run marking it `waiting` meanwhile either did so
    before (and is seen here) or waits for this commit, and then finds the way clear."""
    following = (
        OutboxMessage.objects.select_for_update()
        .filter(
            destination=message.destination,
            dossier_id=message.dossier_id,
            sequence__gt=message.sequence,
            status=MessageStatus.PENDING,
        )
        .order_by("sequence")
        .values_list("pk", "waiting")
        .first()
    )
    if following is not None and following[1]:  # its own task came too early and ended
        enqueue_on_commit(deliver_message, following[0])


def queue_following(messages: list[OutboxMessage]) -> None:
    """`queue_next` for several delivered messages of one destination at once (each of a
    different stream): a stream's numbers have no gaps, so its next message is sequence + 1."""
    following = Q()
    for message in messages:
        following |= Q(dossier_id=message.dossier_id, sequence=message.sequence + 1)
    waiting = (
        OutboxMessage.objects.select_for_update()
        .filter(following, destination=messages[0].destination, status=MessageStatus.PENDING)
        .order_by("pk")
        .values_list("pk", "waiting")
    )
    for pk, was_waiting in waiting:
        if was_waiting:  # its own task came too early and ended
            enqueue_on_commit(deliver_message, pk)


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _record_failure(message: OutboxMessage, claim: Claim, error: Exception) -> str:
    attempts = message.attempts
    text = _error_text(error)
    released = {"locked_until": None, "claimed_by": ""}
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        claim.rows().update(status=MessageStatus.DEAD, last_error=text, **released)
        logger.error(
            "Outbox message %s to %s dead after %s attempt(s): %s",
            message.pk,
            message.destination,
            attempts,
            text,
        )
        return "dead"
    run_after = now() + retry_delay(attempts)
    with transaction.atomic():
        if not claim.rows().update(last_error=text, next_attempt_at=run_after, **released):
            return "claim lost"
        enqueue_on_commit(deliver_message, message.pk, run_after=run_after)
    logger.warning(
        "Outbox message %s attempt %s failed (%s); retrying at %s",
        message.pk,
        attempts,
        text,
        run_after.isoformat(),
    )
    return "retry"
