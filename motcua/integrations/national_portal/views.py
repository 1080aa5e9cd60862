"""POST /api/v1/portal/dossiers: the portal pushes one dossier, signed.

Headers: `X-Motcua-Timestamp` (Unix seconds, at most NATIONAL_PORTAL_MAX_SKEW old) and
`X-Motcua-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under
NATIONAL_PORTAL_SECRET. Answers `201 {"error_code": "0", "MaHoSo", "MaHoSoDonVi"}`, or an
error `{"code", "message", "detail"}` with the stable code (401 bad_signature, 404
unknown_procedure, 409 duplicate_external_code, 422 bad_message / missing_file / …, 503
portal_unavailable when one of its files could not be fetched). Every refusal but the
last is kept in the refused messages."""

from __future__ import annotations

import hmac
import json
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core.errors import MotcuaError
from motcua.integrations.national_portal import inbound
from motcua.outbox.webhook import signature


class BadSignature(MotcuaError):
    code = "bad_signature"
    http_status = 401


def signed(request: HttpRequest) -> bool:
    secret = settings.NATIONAL_PORTAL_SECRET
    stamp = request.headers.get("X-Motcua-Timestamp", "")
    given = request.headers.get("X-Motcua-Signature", "")
    if not secret or not stamp.isdigit():
        return False
    if abs(time.time() - int(stamp)) > settings.NATIONAL_PORTAL_MAX_SKEW:
        return False
    return hmac.compare_digest(signature(secret, stamp, request.body), given)


@csrf_exempt
@require_POST
def push(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if not signed(request):
        error: MotcuaError = BadSignature("Chữ ký của thông điệp không hợp lệ.")
        inbound.refuse(body, error, via="push")
        return JsonResponse(error.as_dict(), status=error.http_status)
    try:
        dossier = inbound.receive(body, via="push")
    except MotcuaError as failure:
        return JsonResponse(failure.as_dict(), status=failure.http_status)
    return JsonResponse(
        {"error_code": "0", "MaHoSo": dossier.external_code, "MaHoSoDonVi": dossier.code},
        status=201,
    )
