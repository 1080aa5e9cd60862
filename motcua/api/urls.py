"""The JSON API (django-ninja, OpenAPI 3.1 at /api/docs). Errors are always
`{"code", "message", "detail"}` with a stable code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from motcua.api.lookup import router as lookup_router
from motcua.core.errors import MotcuaError


class UnicodeJSONRenderer(JSONRenderer):
    """Vietnamese stays readable in responses (UTF-8, not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="motcua API",
    version="1",
    description="Một cửa điện tử — public and staff API.",
    urls_namespace="api",
)


@api.exception_handler(MotcuaError)
def domain_error(request: HttpRequest, error: MotcuaError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.http_status)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    body = {
        "code": "invalid",
        "message": "Dữ liệu không hợp lệ.",
        "detail": {"errors": error.errors},
    }
    return api.create_response(request, body, status=422)


api.add_router("/v1/", lookup_router)
