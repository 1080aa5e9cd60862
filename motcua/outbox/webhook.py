"""The "webhook" destination: each message is POSTed as JSON to `OUTBOX_WEBHOOK_URL`.

Headers: `Idempotency-Key` (the same on every attempt and replay: the receiver drops a
duplicate by it), `X-Motcua-Timestamp` (Unix seconds) and `X-Motcua-Signature`:
`sha256=` + hex HMAC-SHA256, under `OUTBOX_WEBHOOK_SECRET` (from the environment only), of
`<timestamp>.<body>`. Any 2xx answer is delivery; anything else (another status, no answer
within `OUTBOX_WEBHOOK_TIMEOUT` seconds, a refused connection) is a failure, retried.
`OUTBOX_WEBHOOK_EVENTS` limits it to some event types (empty: all)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from motcua.dossiers.models import DossierEvent
from motcua.outbox.models import OutboxMessage
from motcua.outbox.registry import Destination, register

NAME = "webhook"


class WebhookRefused(Exception):
    """The receiver answered with a status other than 2xx."""


def body_of(message: OutboxMessage) -> bytes:
    return json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def deliver(message: OutboxMessage) -> None:
    body = body_of(message)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310  (the URL is checked by `problems`)
        settings.OUTBOX_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
            "X-Motcua-Timestamp": timestamp,
            "X-Motcua-Signature": signature(settings.OUTBOX_WEBHOOK_SECRET, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.OUTBOX_WEBHOOK_TIMEOUT
        ) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise WebhookRefused(f"HTTP {error.code} from the receiver") from None


def wants(event: DossierEvent) -> bool:
    return not settings.OUTBOX_WEBHOOK_EVENTS or event.type in settings.OUTBOX_WEBHOOK_EVENTS


def problems() -> list[str]:
    found = []
    if urlsplit(settings.OUTBOX_WEBHOOK_URL).scheme not in ("http", "https"):
        found.append("MOTCUA_OUTBOX_WEBHOOK_URL must be an http(s) URL")
    if not settings.OUTBOX_WEBHOOK_SECRET:
        found.append("MOTCUA_OUTBOX_WEBHOOK_SECRET is not set")
    return found


register(Destination(name=NAME, deliver=deliver, wants=wants, problems=problems))
