"""`Idempotency-Key` on every POST: a retried request gets the first one's response and the
action runs once.

How a POST runs:
1. Claim the key: insert `(user, key)` with the request's fingerprint, committed at once, so a
   concurrent duplicate sees it and gets 409 `idempotency_in_progress` instead of acting too.
   An existing completed record is replayed (same status, same body) when the fingerprint
   matches, and refused with 422 `idempotency_key_reused` when it does not.
2. Run the action and write its response into the record in ONE transaction: an event is never
   committed without the record that answers its retry, and vice versa.
3. Outcomes the action itself decides (success, or a refusal of the domain: 403, 404, 409,
   422) are kept and replayed. Anything unexpected (a crash, a database failure) deletes the
   claim, so the client can simply retry; a claim left behind by a killed process lapses after
   `CLAIM_LEASE` and is then taken over by the next retry.

Records are kept `RETENTION` (24 hours); `purge_expired` deletes older ones, and an expired
record is ignored even before it is purged."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Schema, Status

from motcua.accounts.models import User
from motcua.api.auth import caller
from motcua.api.models import IdempotencyRecord, IdempotencyState
from motcua.api.rendering import CONTENT_TYPE, json_response
from motcua.core.clock import now
from motcua.core.errors import Conflict, MotcuaError, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
CLAIM_LEASE = timedelta(minutes=5)
KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")  # visible ASCII, e.g. a UUID

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


class _ClaimLost(Exception):
    """Our claim lapsed and another attempt took the key over while we were running."""


Endpoint = Callable[..., "Status[Any]"]


def idempotent(view: Endpoint) -> Callable[..., HttpResponse]:
    """Wrap a POST endpoint that returns `Status(code, schema)`; domain errors it raises are
    rendered (and stored) here, as the API's error handler would render them."""

    @functools.wraps(view)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key_of(request)
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
    """The record of this key for this request: newly claimed by us, or completed (replay).
    Raises `KeyReused` or `InProgress`."""
    fingerprint = fingerprint_of(request)
    for _ in range(3):
        moment = now()
        token = secrets.token_hex(16)
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    method=request.method or "",
                    path=request.path[:500],
                    claim=token,
                    claimed_until=moment + CLAIM_LEASE,
                    created_at=moment,
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:  # released or purged meanwhile: claim again
            continue
        if existing.created_at <= moment - RETENTION:
            IdempotencyRecord.objects.filter(pk=existing.pk, claim=existing.claim).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise KeyReused(
                f"{HEADER} này đã dùng cho một yêu cầu khác.",
                method=existing.method,
                path=existing.path,
            )
        if existing.state == IdempotencyState.COMPLETED:
            return existing
        if existing.claimed_until > moment or not _take_over(existing, token, moment):
            raise InProgress("Yêu cầu với khoá này đang được xử lý; vui lòng thử lại sau.")
        return existing
    raise InProgress("Yêu cầu với khoá này đang được xử lý; vui lòng thử lại sau.")


def _take_over(record: IdempotencyRecord, token: str, moment: Any) -> bool:
    """Take over a lapsed claim (its process died); only one contender wins."""
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, claim=record.claim, state=IdempotencyState.IN_PROGRESS
    ).update(claim=token, claimed_until=moment + CLAIM_LEASE)
    record.claim = token
    return bool(taken)


def _run(
    request: HttpRequest, record: IdempotencyRecord, call: Callable[[], Status[Any]]
) -> HttpResponse:
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    result = call()
                response = json_response(request, _data(result.value), status=result.status_code)
            except MotcuaError as refusal:
                response = json_response(request, refusal.as_dict(), status=refusal.http_status)
            _complete(record, response)
        return response
    except _ClaimLost:
        raise InProgress("Yêu cầu với khoá này đang được xử lý; vui lòng thử lại sau.") from None
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk, claim=record.claim).delete()
        raise


def _data(value: Any) -> Any:
    return value.model_dump() if isinstance(value, Schema) else value


def _complete(record: IdempotencyRecord, response: HttpResponse) -> None:
    done = IdempotencyRecord.objects.filter(
        pk=record.pk, claim=record.claim, state=IdempotencyState.IN_PROGRESS
    ).update(
        state=IdempotencyState.COMPLETED,
        response_status=response.status_code,
        response_body=response.content.decode(),
        completed_at=now(),
    )
    if not done:
        raise _ClaimLost


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
