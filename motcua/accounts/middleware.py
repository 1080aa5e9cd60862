"""Citizens stay on the citizen portal: every page of the back office and the administration
refuses a citizen's account (403) before its own rules are asked
(`access.may_use_back_office`); the staff API does not take their session
(`api/auth.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from motcua.accounts import access

STAFF_NAMESPACES = frozenset({"backoffice", "admin"})


class CitizensOutOfBackOfficeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        namespaces = set(match.namespaces) if match is not None else set()
        if not namespaces & STAFF_NAMESPACES or not request.user.is_authenticated:
            return
        if not access.may_use_back_office(request.user):
            raise PermissionDenied
