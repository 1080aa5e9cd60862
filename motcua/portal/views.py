"""Public pages: a citizen looks a dossier up by its code (typed, scanned, or from the QR on
the slip). The steps with the phone number's last 4 digits; personal data only with the
lookup code printed on the slip."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.errors import NotFound
from motcua.core.text import clean_text
from motcua.documents import results
from motcua.documents.services import download_headers
from motcua.dossiers import actions, lookup_codes, selectors
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
    """Anyone with the code sees the state, the appointment and what happens next; the phone's
    last 4 digits add the steps; the lookup code (typed, or `?k=` from the slip's QR) adds the
    applicant's data (docs/decisions/0009-lookup-code.md)."""
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        return _too_many(request, verdict)
    found = selectors.find_by_code(code)
    if found is None:
        return render(request, "portal/lookup.html", {"code": code, "not_found": True}, status=404)
    lookup_code, digits = _proof(request)
    unlocked = selectors.unlock(found, lookup_code=lookup_code, phone_last4=digits)
    context: dict[str, object] = {
        "dossier": selectors.public_view(found, unlocked.access),
        "access": str(unlocked.access),
        "proof": "code" if lookup_code else ("digits" if digits else ""),
        "verdict": unlocked.verdict,
    }
    if unlocked.access == selectors.Access.FULL:
        context["private"] = selectors.private_view(found)
        context["lookup_code"] = lookup_codes.display(found.lookup_code)
        context["result_ready"] = _has_result(found)
        # the rating form: from the QR (the key in the URL) at any time, from a typed code
        # once the result was delivered (docs/domain/ratings.md#channels)
        by_qr = request.method != "POST"
        if by_qr or found.delivered_at is not None:
            context["rate"] = "qr" if by_qr else "online"
    response = render(request, "portal/dossier.html", context)
    if unlocked.verdict != "not_given":
        # what a proof opens is for this visitor only (no shared cache keeps it); the slip's
        # key in the URL leaves this site in no Referer (SECURE_REFERRER_POLICY same-origin)
        patch_cache_control(response, private=True, no_store=True)
    return response


def _proof(request: HttpRequest) -> tuple[str, str]:
    """(lookup code, phone digits) given: `?k=` from the QR, or the one field of the form,
    which takes either (4 digits are the phone's; anything else is a lookup code)."""
    if request.method != "POST":
        return clean_text(request.GET.get("k", "")), ""
    typed = clean_text(request.POST.get("khoa", "") or request.POST.get("so_cuoi", ""))
    compact = typed.replace(" ", "")
    if compact.isdigit() and len(compact) == 4:
        return "", compact
    return typed, ""


def _has_result(dossier: Dossier) -> bool:
    try:
        results.result_for_download(dossier)
    except NotFound:
        return False
    return True


@require_http_methods(["GET", "POST"])
def result(request: HttpRequest, code: str) -> HttpResponseBase:
    """The signed electronic result, for the holder of the lookup code only (the phone's
    digits are not enough); the first download records the online delivery
    (`actions.deliver_online`). Throttled and locked like the lookup itself."""
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        return _too_many(request, verdict)
    found = selectors.find_by_code(code)
    if found is None:
        return render(request, "portal/lookup.html", {"code": code, "not_found": True}, status=404)
    lookup_code, _digits = _proof(request)
    unlocked = selectors.unlock(found, lookup_code=lookup_code) if lookup_code else None
    if unlocked is None or unlocked.access != selectors.Access.FULL:
        return _result_refused(request, found.code, "forbidden", status=403)
    try:
        document = results.result_for_download(found)
    except NotFound:
        return _result_refused(request, found.code, "missing", status=404)
    handle = document.file.storage.open(document.file.name or "", "rb")
    actions.deliver_online(dossier=found)
    response = FileResponse(handle)
    for header, value in download_headers(document).items():
        response[header] = value
    return response


def _result_refused(request: HttpRequest, code: str, reason: str, *, status: int) -> HttpResponse:
    response = render(
        request, "portal/result_refused.html", {"code": code, "reason": reason}, status=status
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
