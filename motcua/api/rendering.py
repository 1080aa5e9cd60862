"""How the API writes JSON: UTF-8 (Vietnamese stays readable), the same encoder for every
response, whether ninja renders it or an idempotent POST stores and replays it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.renderers import JSONRenderer


class UnicodeJSONRenderer(JSONRenderer):
    """Vietnamese stays readable in responses (UTF-8, not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


RENDERER = UnicodeJSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def json_response(request: HttpRequest, data: Any, *, status: int) -> HttpResponse:
    content = RENDERER.render(request, data, response_status=status)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)
