"""Django's own error views, with the API's JSON error under /api/: what goes wrong before or
outside an endpoint (a server error, an unreadable request, a refusal raised in a middleware)
still answers `{"code", "message", "detail"}` there. Other pages keep Django's HTML views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from motcua.api.rendering import json_response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    body = {"code": code, "message": message, "detail": {}}
    return json_response(request, body, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        message = "Lỗi máy chủ; vui lòng thử lại sau."
        return _error(request, 500, "server_error", message)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error(request, 400, "bad_request", "Yêu cầu không hợp lệ.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error(request, 403, "forbidden", "Không có quyền.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error(request, 404, "no_such_endpoint", "Không có địa chỉ API này.")
    return defaults.page_not_found(request, exception)
