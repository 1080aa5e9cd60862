"""`Idempotency-Key` on every POST: a retried request gets the first one's response and the
action runs once.

How a POST runs, in ONE transaction:
1. Claim the key: insert `(user, key)` with the request's fingerprint. The row is not committed
   yet, but its unique index entry is taken: a concurrent duplicate's insert waits for this
   transaction to end. If it commits, the duplicate finds the completed record and replays it;
   if it rolls back (a crash, a killed process, a connection the server cut), the duplicate's
   insert goes through and it acts. So a key held by a dead process is free as soon as the
   database notices the death (its connection closes), not after a lease. A duplicate that
   waits longer than `CLAIM_WAIT` (PostgreSQL) gets 409 `idempotency_in_progress`.
   An existing record is replayed (same status, same body) when the fingerprint matches, and
   refused with 422 `idempotency_key_reused` when it does not.
2. Run the action and write its response into the record, in the same transaction: an event
   is never committed without the record that answers its retry, and vice versa.
3. Outcomes the action itself decides (success, or a refusal of the domain: 403, 404, 409,
   422) are kept and replayed. Anything unexpected rolls everything back, claim included, so
   the client can simply retry, and so can the server itself after a lost connection
   (`motcua.core.connections`: such a request is marked repeatable).

Records are kept `RETENTION` (24 hours); `purge_expired` deletes older ones, and an expired
record is ignored even before it is purged."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Schema, Status

from motcua.accounts.models import User
from motcua.api.auth import caller
from motcua.api.models import IdempotencyRecord, IdempotencyState
from motcua.api.rendering import CONTENT_TYPE, json_response
from motcua.core.clock import now
from motcua.core.connections import mark_repeatable
from motcua.core.errors import Conflict, MotcuaError, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
# How long a duplicate waits for the request that holds its key before it is told to retry.
CLAIM_WAIT = timedelta(seconds=10)
KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")  # visible ASCII, e.g. a UUID
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires

OPENAPI = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
            "description": (
                "A key unique to this intended change (e.g. a UUID). A retry with the same key "
                "and the same request gets the first response again, without acting twice; "
                "the same key with another request is refused (422). Kept 24 hours."
            ),
        }
    ]
}


class KeyRequired(ValidationFailed):
    code = "idempotency_key_required"


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"


class InProgress(Conflict):
    code = "idempotency_in_progress"


Endpoint = Callable[..., "Status[Any]"]


def idempotent(view: Endpoint) -> Callable[..., HttpResponse]:
    """Wrap a POST endpoint that returns `Status(code, schema)`; domain errors it raises are
    rendered (and stored) here, as the API's error handler would render them."""

    @functools.wraps(view)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key_of(request)
        mark_repeatable(request)
        with transaction.atomic():
            record = claim(user=caller(request), key=key, request=request)
            if record.state == IdempotencyState.COMPLETED:
                return replay(record)
            return _run(request, record, lambda: view(request, *args, **kwargs))

    return endpoint


def _key_of(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "")
    if not key:
        raise KeyRequired(f"Thiếu tiêu đề {HEADER}.", header=HEADER)
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            f"{HEADER} gồm 1–255 ký tự ASCII nhìn thấy được.", code="idempotency_key_invalid"
        )
    return key


def fingerprint_of(request: HttpRequest) -> str:
    """SHA-256 of method, path and the body as canonical JSON (key order and spacing do not
    make two requests different)."""
    try:
        body = json.dumps(
            json.loads(request.body or b"null"),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    except ValueError:
        body = request.body
    digest = hashlib.sha256(f"{request.method}\n{request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def claim(*, user: User, key: str, request: HttpRequest) -> IdempotencyRecord:
    """The record of this key for this request, inside the caller's transaction: newly claimed
    by us (in progress until that transaction commits it completed), or completed by an
    earlier request (replay). Raises `KeyReused` or `InProgress`."""
    fingerprint = fingerprint_of(request)
    moment = now()
    for _ in range(3):
        try:
            with _waiting_at_most(CLAIM_WAIT), transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    method=request.method or "",
                    path=request.path[:500],
                    created_at=moment,
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:  # purged meanwhile: claim again
            continue
        if existing.created_at <= moment - RETENTION:
            existing.delete()
            continue
        if existing.fingerprint != fingerprint:
            raise KeyReused(
                f"{HEADER} này đã dùng cho một yêu cầu khác.",
                method=existing.method,
                path=existing.path,
            )
        if existing.state != IdempotencyState.COMPLETED:  # our own transaction's claim
            break
        return existing
    raise _in_progress()


def _in_progress() -> InProgress:
    return InProgress("Yêu cầu với khoá này đang được xử lý; vui lòng thử lại sau.")


@contextmanager
def _waiting_at_most(wait: timedelta) -> Iterator[None]:
    """On PostgreSQL, an insert that waits for another transaction holding the same key gives
    up after `wait` (lock_timeout, for this statement only) and the caller is told to retry;
    SQLite has one writer at a time, so nobody holds a key while we wait for the database."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [_ms(wait)])
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise _in_progress() from None
        raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _ms(wait: timedelta) -> str:
    return f"{int(wait.total_seconds() * 1000)}ms"


def _run(
    request: HttpRequest, record: IdempotencyRecord, call: Callable[[], Status[Any]]
) -> HttpResponse:
    try:
        with transaction.atomic():
            result = call()
        response = json_response(request, _data(result.value), status=result.status_code)
    except MotcuaError as refusal:
        response = json_response(request, refusal.as_dict(), status=refusal.http_status)
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyState.COMPLETED,
        response_status=response.status_code,
        response_body=response.content.decode(),
        completed_at=now(),
    )
    return response


def _data(value: Any) -> Any:
    return value.model_dump() if isinstance(value, Schema) else value


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        record.response_body, status=record.response_status or 200, content_type=CONTENT_TYPE
    )
    response[REPLAYED_HEADER] = "true"
    return response


def purge_expired(*, at: Any = None) -> int:
    """Delete the records older than `RETENTION`; returns how many. Run it from any periodic
    job (it needs no scheduler of its own: expired records are ignored anyway)."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lte=(at or now()) - RETENTION
    ).delete()
    return deleted
