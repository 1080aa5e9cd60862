"""The outbox's "notifications" destination: a dossier event's outbox message, delivered,
writes the notifications it calls for (`services.schedule_for_event`), which are then sent
by their own tasks. Local (this database only), so it is delivered in the event's own
transaction: a rolled-back action writes nothing, and a failure to compose the notifications
no longer stops the action, it is retried by the outbox workers."""

from __future__ import annotations

from motcua.dossiers.models import APPLICANT_EVENTS, DossierEvent
from motcua.outbox.models import OutboxMessage
from motcua.outbox.registry import Destination, register

NAME = "notifications"


def wants(event: DossierEvent) -> bool:
    """The events that concern the applicant, when the applicant left a way to be told."""
    dossier = event.dossier
    return event.type in APPLICANT_EVENTS and bool(
        dossier.applicant_email or dossier.applicant_phone
    )


def deliver(message: OutboxMessage) -> None:
    from motcua.notifications.services import schedule_for_event

    # Written in the event's transaction, the message holds the action's own event and
    # dossier; loaded by a worker, it reads them from the database.
    schedule_for_event(message.event)


register(Destination(name=NAME, deliver=deliver, wants=wants, local=True))
