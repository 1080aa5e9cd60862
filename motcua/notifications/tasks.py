"""Sending one notification, as a django-tasks task run by `motcua db_worker`.

django-tasks has no retries of its own, so the task retries itself: a failed attempt is
recorded on the row and, while attempts < NOTIFICATION_MAX_ATTEMPTS, the task enqueues itself
again with `run_after` = now + 1, 5, 25, 125… minutes (on a backend that cannot defer, such as
the immediate backend of the tests, at once). The last failure marks the row `failed`; the
admin's "resend" action gives it a fresh round.

Each run first claims the row (`locked_until`, one UPDATE): a run that finds it sent, failed,
or being sent by another run does nothing, so running the task twice never sends twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django_tasks import task

from motcua.core.clock import now
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.sms import SmsError, get_provider

logger = logging.getLogger(__name__)

# How long a run may hold a notification while sending it (SMTP and SMS calls time out well
# before); after that a crashed run's claim lapses and the row can be sent again.
LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
BACKOFF_FACTOR = 5
LONGEST_RETRY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed attempts: 1, 5, 25, 125 minutes…, at most 6 hours."""
    return min(FIRST_RETRY * BACKOFF_FACTOR ** max(attempts - 1, 0), LONGEST_RETRY)


def enqueue_send(notification_id: int, *, run_after: datetime | None = None) -> None:
    """Queue `send_notification`, deferred to `run_after` when the backend can defer."""
    queued = send_notification
    if run_after is not None and queued.get_backend().supports_defer:
        queued = queued.using(run_after=run_after)
    queued.enqueue(notification_id)


@task()
def send_notification(notification_id: int) -> str:
    """Send one notification if it is still pending; returns what happened (kept by the
    database backend as the task's result): sent, retry, failed, or why nothing was done."""
    started = now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=started))
        .update(
            attempts=F("attempts") + 1,
            last_attempt_at=started,
            next_attempt_at=None,
            locked_until=started + LEASE,
        )
    )
    if not claimed:
        status = (
            Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
        )
        outcome = (
            "missing"
            if status is None
            else "in flight"
            if status == NotificationStatus.PENDING
            else f"already {status}"
        )
        logger.info("Notification %s not sent: %s", notification_id, outcome)
        return outcome
    notification = Notification.objects.get(pk=notification_id)
    try:
        message_id = _deliver(notification)
    except Exception as error:
        return _record_failure(notification, error)
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT,
        sent_at=now(),
        provider_message_id=message_id[:200],
        last_error="",
        locked_until=None,
    )
    logger.info(
        "Notification %s sent by %s (attempt %s)",
        notification_id,
        notification.channel,
        notification.attempts,
    )
    return "sent"


def _deliver(notification: Notification) -> str:
    """Hand the message to the SMTP server or the SMS provider; returns its message id."""
    if notification.channel == NotificationChannel.EMAIL:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "motcua.invalid"
        message_id = make_msgid(idstring=f"notification-{notification.pk}", domain=domain)
        email = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id},
        )
        if email.send(fail_silently=False) != 1:
            raise RuntimeError("the e-mail backend reported nothing sent")
        return message_id
    return str(get_provider().send(notification.recipient, notification.body))


def _record_failure(notification: Notification, error: Exception) -> str:
    attempts = notification.attempts
    text = f"{type(error).__name__}: {error}"[:2000]
    permanent = isinstance(error, SmsError) and error.permanent
    rows = Notification.objects.filter(pk=notification.pk)
    if permanent or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        rows.update(status=NotificationStatus.FAILED, last_error=text, locked_until=None)
        logger.error(
            "Notification %s failed for good after %s attempt(s): %s",
            notification.pk,
            attempts,
            text,
        )
        return "failed"
    run_after = now() + retry_delay(attempts)
    rows.update(last_error=text, next_attempt_at=run_after, locked_until=None)
    logger.warning(
        "Notification %s attempt %s failed (%s); retrying at %s",
        notification.pk,
        attempts,
        text,
        run_after.isoformat(),
    )
    transaction.on_commit(partial(enqueue_send, notification.pk, run_after=run_after), robust=True)
    return "retry"
