"""Sending one notification, as a django-tasks task run by `motcua db_worker`.

django-tasks has no retries of its own, so the task retries itself: a failed attempt is
recorded on the row and, while attempts < NOTIFICATION_MAX_ATTEMPTS, the task enqueues itself
again with `run_after` = now + 1, 5, 25, 125… minutes (on a backend that cannot defer, such as
the immediate backend of the tests, at once). The last failure marks the row `failed`; the
admin's "resend" action gives it a fresh round.

Sent at most once per channel, whatever is killed:
- Each run first claims the row (one UPDATE: `locked_until`, `claimed_by` = the worker): a
  run that finds it sent, failed, or claimed by another live run does nothing.
- Just before the message leaves (the SMTP server has accepted sender and recipients and the
  DATA command follows; the SMS provider is about to be called) the run marks the hand-over
  (`handed_over_at`), but only if the claim is still its own. A run that dies before that
  point is simply run again. One that dies after it — or that loses the server's answer —
  leaves the outcome unknown: the row becomes `unknown` and is never sent again on its own.
  A refusal the server or provider states (an SMTP error reply, `SmsError`) is a plain
  failure, retried.
- The message carries the notification's stable Message-ID / reference, the same on every
  attempt, so that the rare duplicate (an officer resends an `unknown` one) is recognisable.
A dead worker's claims are released by the other workers (`worker.reclaim_from_dead_workers`)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django_tasks import task

from motcua.core.clock import now
from motcua.core.queue import backoff, enqueue_on_commit
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.sms import SmsError, get_provider
from motcua.notifications.worker import current_worker_id

logger = logging.getLogger(__name__)

# How long a run outside a task worker (no heartbeat) may hold a notification while sending
# it; SMTP and SMS calls time out well before. A worker's claim is released as soon as the
# worker is known dead (TASK_WORKER_TIMEOUT), whichever comes first.
LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
BACKOFF_FACTOR = 5
LONGEST_RETRY = timedelta(hours=6)
# Errors by which the SMTP server says it did not take the message: safe to try again.
SMTP_REFUSALS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class OutcomeUnknown(Exception):
    """The message was handed over and then the answer was lost: it may have arrived."""


class ClaimLost(Exception):
    """Another run took the notification over (ours was thought dead): we send nothing."""


@dataclass(frozen=True)
class Claim:
    """One run's hold on one notification."""

    notification_id: int
    worker: str
    until: datetime

    def rows(self) -> QuerySet[Notification]:
        """The notification, as long as this claim still holds it."""
        return Notification.objects.filter(
            pk=self.notification_id,
            status=NotificationStatus.PENDING,
            claimed_by=self.worker,
            locked_until=self.until,
        )


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed attempts: 1, 5, 25, 125 minutes…, at most 6 hours."""
    return backoff(attempts, first=FIRST_RETRY, factor=BACKOFF_FACTOR, longest=LONGEST_RETRY)


def enqueue_send(notification_id: int, *, run_after: datetime | None = None) -> None:
    """Queue `send_notification` so that the task exists if and only if the current
    transaction commits (`core.queue.enqueue_on_commit`)."""
    enqueue_on_commit(send_notification, notification_id, run_after=run_after)


@task()
def send_notification(notification_id: int) -> str:
    """Send one notification if it is still pending and free; returns what happened (kept by
    the database backend as the task's result): sent, retry, failed, unknown, or why nothing
    was done."""
    claim, outcome = _claim(notification_id)
    if claim is None:
        logger.info("Notification %s not sent: %s", notification_id, outcome)
        return outcome
    notification = Notification.objects.get(pk=notification_id)
    try:
        message_id = _deliver(notification, claim)
    except ClaimLost:
        logger.warning("Notification %s: claim taken over, not sent by this run", notification_id)
        return "claim lost"
    except OutcomeUnknown as lost:
        return _record_unknown(claim, lost)
    except Exception as error:
        return _record_failure(notification, claim, error)
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT,
        sent_at=now(),
        provider_message_id=message_id[:200],
        last_error="",
        locked_until=None,
        claimed_by="",
    )
    logger.info(
        "Notification %s sent by %s (attempt %s)",
        notification_id,
        notification.channel,
        notification.attempts,
    )
    return "sent"


def _claim(notification_id: int) -> tuple[Claim | None, str]:
    started = now()
    claim = Claim(notification_id, current_worker_id(), started + LEASE)
    pending = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING)
    free = pending.filter(Q(locked_until__isnull=True) | Q(locked_until__lte=started))
    claimed = free.filter(handed_over_at__isnull=True).update(
        attempts=F("attempts") + 1,
        last_attempt_at=started,
        next_attempt_at=None,
        locked_until=claim.until,
        claimed_by=claim.worker,
    )
    if claimed:
        return claim, "claimed"
    # A run outside any worker died after the hand-over and its lease has lapsed.
    if free.filter(handed_over_at__isnull=False).update(
        status=NotificationStatus.UNKNOWN, locked_until=None, claimed_by=""
    ):
        return None, "unknown"
    status = Notification.objects.filter(pk=notification_id).values_list("status", flat=True)
    found = status.first()
    if found is None:
        return None, "missing"
    return None, "in flight" if found == NotificationStatus.PENDING else f"already {found}"


def _deliver(notification: Notification, claim: Claim) -> str:
    """Hand the message to the SMTP server or the SMS provider; returns its message id."""
    if notification.channel == NotificationChannel.EMAIL:
        return _deliver_email(notification, claim)
    provider = get_provider()
    _hand_over(claim)
    try:
        sent = provider.send(
            notification.recipient, notification.body, reference=notification.reference
        )
    except SmsError:
        raise
    except Exception as error:
        raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
    return str(sent)


def _deliver_email(notification: Notification, claim: Claim) -> str:
    email = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": notification.message_id},
    )
    connection = get_connection(fail_silently=False)
    connection.open()  # connect, TLS, log in: nothing has left yet
    handed_over = _hand_over_at_data(connection, claim)
    try:
        sent = connection.send_messages([email])
    except (ClaimLost, *SMTP_REFUSALS):
        raise
    except Exception as error:
        if not handed_over():
            raise  # it failed before the message could leave: an ordinary failure
        raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
    finally:
        _close_quietly(connection)
    if sent != 1:
        raise RuntimeError("the e-mail backend reported nothing sent")
    return notification.message_id


def _hand_over_at_data(connection: object, claim: Claim) -> Callable[[], bool]:
    """Mark the hand-over as late as possible: on an SMTP connection, once the server has
    accepted the sender and the recipients, just before the DATA command (a refusal up to
    there is an ordinary failure); on any other backend, now. Returns whether it happened."""
    marked: list[bool] = []

    def hand_over() -> None:
        _hand_over(claim)
        marked.append(True)

    smtp = getattr(connection, "connection", None)
    if isinstance(smtp, smtplib.SMTP):
        send_data = smtp.data

        def data(message: bytes | str) -> tuple[int, bytes]:
            hand_over()
            return send_data(message)

        smtp.data = data  # type: ignore[method-assign,assignment]  # this one session only
    else:
        hand_over()
    return lambda: bool(marked)


def _close_quietly(connection: object) -> None:
    """Saying goodbye after the message was accepted cannot make it unsent."""
    try:
        connection.close()  # type: ignore[attr-defined]
    except Exception as error:
        logger.warning("Closing the e-mail connection failed: %s", error)


def _hand_over(claim: Claim) -> None:
    if not claim.rows().filter(handed_over_at__isnull=True).update(handed_over_at=now()):
        raise ClaimLost


def _record_unknown(claim: Claim, lost: OutcomeUnknown) -> str:
    text = f"Chưa rõ đã gửi được chưa (mất trả lời sau khi bàn giao): {lost}"[:2000]
    claim.rows().update(
        status=NotificationStatus.UNKNOWN, last_error=text, locked_until=None, claimed_by=""
    )
    logger.error("Notification %s outcome unknown (not resent): %s", claim.notification_id, lost)
    return "unknown"


def _record_failure(notification: Notification, claim: Claim, error: Exception) -> str:
    attempts = notification.attempts
    text = f"{type(error).__name__}: {error}"[:2000]
    permanent = isinstance(error, SmsError) and error.permanent
    released = {"locked_until": None, "claimed_by": "", "handed_over_at": None}
    if permanent or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        claim.rows().update(status=NotificationStatus.FAILED, last_error=text, **released)
        logger.error(
            "Notification %s failed for good after %s attempt(s): %s",
            notification.pk,
            attempts,
            text,
        )
        return "failed"
    run_after = now() + retry_delay(attempts)
    with transaction.atomic():
        if not claim.rows().update(last_error=text, next_attempt_at=run_after, **released):
            return "claim lost"
        enqueue_send(notification.pk, run_after=run_after)
    logger.warning(
        "Notification %s attempt %s failed (%s); retrying at %s",
        notification.pk,
        attempts,
        text,
        run_after.isoformat(),
    )
    return "retry"
