"""Pages for a refused or missing page (400, 403, 404, 500, and a refused CSRF check): styled,
in the user's language, with a way back, never Django's bare "403 Forbidden". Under /api/ the
answer is the API's JSON error (`motcua.api.fallbacks`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from motcua.api import fallbacks


def _page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    answer = fallbacks.error_answer(request, status)
    return answer or render(request, template, context, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "404.html", 404, request_path=request.path)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Nothing that could fail again: no database, no context processors (Django's own rule).
    return fallbacks.error_answer(request, 500) or defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page kept open too long, or with cookies off (CSRF_FAILURE_VIEW)."""
    if (answer := fallbacks.error_answer(request, 403)) is not None:
        return answer
    body = loader.get_template("403_csrf.html").render({"reason": reason}, request)
    return HttpResponse(body, status=403)
