"""The API's JSON error for what goes wrong before or outside an endpoint under /api/ (a
server error, an unreadable request, a refusal raised in a middleware, an unknown address):
`{"code", "message", "detail"}` there too. Django's error handlers
(`motcua.config.error_pages`) ask here first; other pages get their styled HTML pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from motcua.api.rendering import json_response

API_PREFIX = "/api/"

ANSWERS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    403: ("forbidden", "Không có quyền."),
    404: ("no_such_endpoint", "Không có địa chỉ API này."),
    500: ("server_error", "Lỗi máy chủ; vui lòng thử lại sau."),
}


def error_answer(request: HttpRequest | None, status: int) -> HttpResponse | None:
    """The JSON error with `status` when `request` is under /api/, else None."""
    if request is None or not request.path.startswith(API_PREFIX):
        return None
    code, message = ANSWERS[status]
    return json_response(request, {"code": code, "message": message, "detail": {}}, status=status)
