"""Public pages: a citizen looks a dossier up by its code (typed, scanned, or from the QR on
the slip). Personal data only with the second factor: the phone number's last 4 digits."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.text import clean_text
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier


def _over_limit(request: HttpRequest) -> bool:
    return not ratelimit.hit(
        "lookup",
        ratelimit.client_address(request),
        limit=settings.LOOKUP_MAX_REQUESTS,
        window=settings.LOOKUP_WINDOW_SECONDS,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/rate_limited.html", status=429)
    response["Retry-After"] = str(settings.LOOKUP_WINDOW_SECONDS)
    return response


def lookup(request: HttpRequest) -> HttpResponse:
    code = clean_text(request.GET.get("ma", "")).upper()
    if code:
        return redirect(reverse("portal:dossier", args=[code]))
    return render(request, "portal/lookup.html", {})


@require_http_methods(["GET", "POST"])
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    if _over_limit(request):
        return _too_many(request)
    found = selectors.find_by_code(code)
    if found is None:
        return render(request, "portal/lookup.html", {"code": code, "not_found": True}, status=404)
    context: dict[str, object] = {"dossier": selectors.public_view(found)}
    if request.method == "POST":
        context.update(_second_factor(request, found))
    return render(request, "portal/dossier.html", context)


def _second_factor(request: HttpRequest, found: Dossier) -> dict[str, object]:
    limit = settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES
    if ratelimit.is_blocked("lookup-2fa", found.code, limit=limit):
        return {"second_factor_locked": True}
    if selectors.second_factor_matches(found, request.POST.get("so_cuoi", "")):
        return {"private": selectors.private_view(found)}
    ratelimit.hit("lookup-2fa", found.code, limit=limit, window=3600)
    return {"second_factor_failed": True}
