from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Sends the site's Content-Security-Policy (no inline scripts, no third-party origins)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        return response


class RefuseNulCharacterMiddleware:
    """An address whose path or query carries a NUL character names nothing: it is answered
    as not found (the styled 404 page, or the API's JSON 404, which every API operation
    documents) before any view reads it. PostgreSQL refuses NUL in a text parameter, so a code
    or a search term carrying one would otherwise fail in the database. Form and JSON bodies
    are checked by their fields (Django's and the API's own validators)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise Http404("NUL character in the address")
        return self.get_response(request)
