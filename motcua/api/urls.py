"""The JSON API (django-ninja, OpenAPI 3.1 at /api/docs). Errors are always
`{"code", "message", "detail"}` with a stable code."""

from __future__ import annotations

import functools
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import render_template

from motcua.api.dossiers import router as dossiers_router
from motcua.api.lookup import router as lookup_router
from motcua.api.ratings import router as ratings_router
from motcua.api.rendering import UnicodeJSONRenderer
from motcua.core.body_limit import too_large
from motcua.core.errors import MotcuaError

__all__ = ["UnicodeJSONRenderer", "api"]


class StaffSwagger(Swagger):
    """The docs page, from ninja's bundled static files (no CDN; its scripts are files, so
    it runs under `script-src 'self'`). It always passes the CSRF token to "Try it out", so
    a signed-in staff member can call the session-authenticated endpoints from it."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render_template(request, self.template, self.template_cdn, context)


class MotcuaAPI(NinjaAPI):
    """ninja's API, with JSON errors also for what ninja answers in plain text or leaves to
    Django's HTML pages: a method an endpoint does not take (405), and an unknown /api/ URL."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = [_json_not_allowed(pattern) for pattern in super()._get_urls()]
        return [*patterns, re_path(r"^.*$", _no_such_endpoint)]


def _json_not_allowed(pattern: URLResolver | URLPattern) -> URLResolver | URLPattern:
    if not isinstance(pattern, URLPattern):
        return pattern
    view = pattern.callback

    @functools.wraps(view)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        refused = _error(request, 405, "method_not_allowed", "Phương thức không được hỗ trợ.", {})
        refused["Allow"] = response["Allow"]
        return refused

    pattern.callback = endpoint
    return pattern


@csrf_exempt  # nothing happens here; a session POST gets the JSON 404, not an HTML 403
def _no_such_endpoint(request: HttpRequest) -> HttpResponse:
    return _error(request, 404, "no_such_endpoint", "Không có địa chỉ API này.", {})


api = MotcuaAPI(
    renderer=UnicodeJSONRenderer(),
    title="motcua API",
    version="1",
    description=(
        "Một cửa điện tử — public and staff API.\n\n"
        "Staff endpoints act as a user: other systems send `Authorization: Bearer "
        "mc_<prefix>_<secret>` (tokens from `motcua apitoken create`); our own pages use the "
        "session cookie and send the CSRF token in `X-CSRFToken`. Every POST needs an "
        "`Idempotency-Key`. Timestamps are ISO 8601 with an offset."
    ),
    urls_namespace="api",
    docs=StaffSwagger(),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, detail: dict[str, Any]
) -> HttpResponse:
    body = {"code": code, "message": message, "detail": detail}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


@api.exception_handler(MotcuaError)
def domain_error(request: HttpRequest, error: MotcuaError) -> HttpResponse:
    return _error(request, error.http_status, error.code, error.message, error.detail)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    # Some faults have their own code when they are the only kind: a local time without its
    # offset (ambiguous across systems), a text too long once normalised, an e-mail address.
    kinds = {item.get("type") for item in error.errors}
    code = OWN_CODES.get(str(kinds.pop()), "invalid") if len(kinds) == 1 else "invalid"
    return _error(request, 422, code, "Dữ liệu không hợp lệ.", {"errors": error.errors})


OWN_CODES = {
    "timezone_aware": "timestamp_without_offset",
    "text_too_long": "text_too_long",
    "invalid_email": "invalid_email",
}


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Cần đăng nhập hoặc khoá API (Bearer).", {})


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400:  # ninja's only 400: a body that is not JSON at all
        detail = {"errors": [{"type": "json_invalid", "loc": ["body"], "msg": error.message}]}
        return _error(request, 422, "malformed_json", "Nội dung không phải JSON.", detail)
    return _error(request, error.status_code, f"http_{error.status_code}", error.message, {})


@api.exception_handler(RequestDataTooBig)
def body_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    # Django refuses to read a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE into memory.
    return domain_error(request, too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


@api.exception_handler(SuspiciousOperation)
def unreadable(request: HttpRequest, error: SuspiciousOperation) -> HttpResponse:
    # Too many form fields, a malformed multipart body: Django's 400, as JSON.
    return _error(request, 400, "bad_request", "Yêu cầu không hợp lệ.", {})


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Không tìm thấy.", {})


api.add_router("/v1/", lookup_router)
api.add_router("/v1/", dossiers_router)
api.add_router("/v1/", ratings_router)
