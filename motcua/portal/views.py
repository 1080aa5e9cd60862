"""Public pages: a citizen looks a dossier up by its code (typed, scanned, or from the QR on
the slip). Personal data only with the second factor: the phone number's last 4 digits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.text import clean_text
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier


def _too_many(request: HttpRequest, verdict: ratelimit.Verdict) -> HttpResponse:
    response = render(request, "portal/rate_limited.html", status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def lookup(request: HttpRequest) -> HttpResponse:
    code = clean_text(request.GET.get("ma", "")).upper()
    if code:
        return redirect(reverse("portal:dossier", args=[code]))
    return render(request, "portal/lookup.html", {})


@require_http_methods(["GET", "POST"])
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        return _too_many(request, verdict)
    found = selectors.find_by_code(code)
    if found is None:
        return render(request, "portal/lookup.html", {"code": code, "not_found": True}, status=404)
    context: dict[str, object] = {"dossier": selectors.public_view(found)}
    if request.method == "POST":
        context.update(_second_factor(request, found))
    return render(request, "portal/dossier.html", context)


def _second_factor(request: HttpRequest, found: Dossier) -> dict[str, object]:
    lock = ratelimit.second_factor_lock()
    if not ratelimit.attempt(lock, found.code).allowed:
        return {"second_factor_locked": True}
    if selectors.second_factor_matches(found, request.POST.get("so_cuoi", "")):
        ratelimit.succeeded(lock, found.code)
        return {"private": selectors.private_view(found)}
    return {"second_factor_failed": True}
