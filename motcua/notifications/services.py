"""Scheduling notifications to applicants: the domain's only entry point into this app.

`schedule_for_event(event)` is called by `dossiers.actions.append_event` inside the action's
transaction. It writes the outbox rows (`Notification`) in that transaction and asks for
them to be sent only once it commits: a rolled-back action leaves no row and sends nothing."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet

from motcua.dossiers.models import APPLICANT_EVENTS, DossierEvent
from motcua.notifications.messages import compose
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.tasks import enqueue_send

logger = logging.getLogger(__name__)


def schedule_for_event(event: DossierEvent) -> list[Notification]:
    """Write the notifications an event calls for and send them after the commit.

    One row per channel the applicant gave (an e-mail address, a phone number) for an event
    in `APPLICANT_EVENTS`; nothing for any other event or an applicant with neither. A channel
    already scheduled for this event is skipped, so calling it twice changes nothing. Returns
    the rows this call created (each `pending`)."""
    if event.type not in APPLICANT_EVENTS:
        return []
    dossier = event.dossier
    contacts = [
        (NotificationChannel.EMAIL, dossier.applicant_email),
        (NotificationChannel.SMS, dossier.applicant_phone),
    ]
    if not any(recipient for _, recipient in contacts):
        return []
    done = set(Notification.objects.filter(event=event).values_list("channel", flat=True))
    wanted = [(channel, to) for channel, to in contacts if to and channel not in done]
    message = compose(event) if wanted else None
    if message is None:
        return []
    created = []
    for channel, recipient in wanted:
        email = channel == NotificationChannel.EMAIL
        notification = Notification.objects.create(
            dossier=dossier,
            event=event,
            channel=channel,
            recipient=recipient,
            subject=message.subject if email else "",
            body=message.body if email else message.sms_text,
        )
        created.append(notification)
        enqueue_send(notification.pk)  # queued with the action's commit, or not at all
    return created


RESENDABLE = (NotificationStatus.FAILED, NotificationStatus.UNKNOWN)


def resend_failed(notifications: QuerySet[Notification]) -> int:
    """Give failed notifications, and those whose outcome is unknown (an officer's call: the
    applicant may get it twice, under the same Message-ID), a fresh round of attempts;
    returns how many were reset."""
    with transaction.atomic():
        ids = list(notifications.filter(status__in=RESENDABLE).values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids, status__in=RESENDABLE).update(
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            locked_until=None,
            claimed_by="",
            handed_over_at=None,
        )
        for pk in ids:
            enqueue_send(pk)
    logger.info("Notifications %s reset for resending", ids)
    return len(ids)
