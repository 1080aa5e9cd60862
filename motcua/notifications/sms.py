"""SMS providers: one small protocol, chosen by dotted path in `settings.SMS_PROVIDER`.

A provider for a real gateway (Viettel, VNPT, an SMS brandname aggregator…) is a class with a
no-argument constructor and a `send` method; it reads its own credentials from settings.

`send` gets the notification's `reference`, the same on every attempt. A gateway that takes a
client reference or an idempotency key should be given it: it then recognises — and, if it
can, drops — a second copy of the same notification (an officer resending one whose outcome
was unknown), and its delivery reports can be matched to the notification."""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider did not accept the message. `permanent` errors (an invalid number, a
    blocked subscriber) are not retried; anything else is retried with backoff."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@runtime_checkable
class SmsProvider(Protocol):
    def send(self, phone: str, text: str, *, reference: str) -> str:
        """Send `text` to `phone` under our `reference`; return the provider's message id or
        raise SmsError (the provider refused it). Any other exception means the outcome is
        unknown: the message is then not sent again on its own."""
        ...


class LoggingProvider:
    """Sends nothing: logs the message (number masked) and returns a fake id. The default,
    for development and the demo."""

    def send(self, phone: str, text: str, *, reference: str) -> str:
        message_id = f"log-{reference}"
        logger.info("SMS %s to %s: %s", message_id, mask_phone(phone), text)
        return message_id


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else "***"


def get_provider() -> SmsProvider:
    """A fresh provider from `settings.SMS_PROVIDER` (a class, or a ready instance)."""
    path = settings.SMS_PROVIDER
    try:
        loaded = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"SMS_PROVIDER {path!r} cannot be imported: {error}") from error
    provider = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(provider, SmsProvider):
        raise ImproperlyConfigured(
            f"SMS_PROVIDER {path!r} has no send(phone, text, *, reference) method"
        )
    return provider
