"""The "webhook" destination: each message is POSTed as JSON to `OUTBOX_WEBHOOK_URL`.

Headers: `Idempotency-Key` (the same on every attempt and replay: the receiver drops a
duplicate by it), `X-Motcua-Timestamp` (Unix seconds) and `X-Motcua-Signature`:
`sha256=` + hex HMAC-SHA256, under `OUTBOX_WEBHOOK_SECRET` (from the environment only), of
`<timestamp>.<body>`. Any 2xx answer is delivery; anything else (another status, no answer
within `OUTBOX_WEBHOOK_TIMEOUT` seconds, a refused connection) is a failure, retried.
`OUTBOX_WEBHOOK_EVENTS` limits it to some event types (empty: all).

Each thread keeps its connection to the receiver open between messages (HTTP/1.1 keep-alive):
a worker delivering a batch opens one connection, not one per message. A kept connection the
receiver has meanwhile closed is opened again once; the message may then arrive twice, which
its idempotency key makes harmless."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
from urllib.parse import SplitResult, urlsplit

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


_kept = threading.local()


def _connection(url: SplitResult, *, fresh: bool) -> http.client.HTTPConnection:
    """This thread's open connection to the receiver at `url` (a new one if `fresh`)."""
    timeout = settings.OUTBOX_WEBHOOK_TIMEOUT
    key = (url.scheme, url.netloc, timeout)
    held = getattr(_kept, "connection", None)
    if held is not None and (fresh or getattr(_kept, "key", None) != key):
        held.close()
        held = None
    if held is None:
        kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        held = kind(url.netloc, timeout=timeout)
        _kept.connection, _kept.key = held, key
    return held


def _drop_connection() -> None:
    held = getattr(_kept, "connection", None)
    if held is not None:
        held.close()
        _kept.connection = None


def deliver(message: OutboxMessage) -> None:
    body = body_of(message)
    timestamp = str(int(time.time()))
    url = urlsplit(settings.OUTBOX_WEBHOOK_URL)  # checked by `problems`
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message.idempotency_key,
        "X-Motcua-Timestamp": timestamp,
        "X-Motcua-Signature": signature(settings.OUTBOX_WEBHOOK_SECRET, timestamp, body),
    }
    for fresh in (False, True):
        connection = _connection(url, fresh=fresh)
        reused = connection.sock is not None
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            _drop_connection()
            if reused and not fresh:  # the receiver closed the kept connection: once more
                continue
            raise
        except Exception:
            _drop_connection()
            raise
        if response.will_close:
            _drop_connection()
        if not 200 <= response.status < 300:
            raise WebhookRefused(f"HTTP {response.status} from the receiver")
        return


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
