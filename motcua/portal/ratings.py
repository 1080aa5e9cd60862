"""The citizens' rating forms (docs/domain/ratings.md): the tablet facing a counter (opened by
its token), the dossier's form reached by the QR of Form 01 or of the result (`?k=`, the
lookup code) or from the public lookup once delivered, and the ticket's form (its QR). Every
answer is written by `feedback.services.record_rating`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.errors import MotcuaError
from motcua.core.text import clean_text
from motcua.dossiers.models import Dossier
from motcua.feedback import services
from motcua.feedback.models import RatingDevice, RatingSource
from motcua.queueing.models import Ticket

REFRESH_SECONDS = 5


def _answers(request: HttpRequest, tablet: bool) -> dict[str, str]:
    return {q.key: request.POST.get(q.key, "") for q in services.questions(tablet=tablet)}


def _refused(request: HttpRequest, failure: MotcuaError) -> HttpResponse | None:
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(failure.as_dict(), status=failure.http_status)
    return None


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, "portal/rating.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the counter's tablet ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest, site: str, token: str) -> HttpResponse:
    device = (
        RatingDevice.objects.select_related("counter__hall__unit")
        .filter(token=token, is_active=True, counter__hall__unit__code=site)
        .first()
    )
    if device is None:
        raise Http404("no such rating device at this site")
    hall = device.counter.hall
    context: dict[str, Any] = {"hall": hall, "device": device, "kind": "tablet"}
    status = 200
    if request.method == "POST":
        raw = request.POST.get("ticket", "")
        ticket = Ticket.objects.filter(pk=int(raw), hall=hall).first() if raw.isdigit() else None
        try:
            services.record_rating(
                source=RatingSource.TABLET,
                device=device,
                ticket=ticket,
                answers=_answers(request, tablet=True),
                client=device.token,
            )
            context["thanks"] = True
        except MotcuaError as failure:
            json = _refused(request, failure)
            if json is not None:
                return json
            context["error"] = failure.message
            status = failure.http_status
    offered = services.served_ticket_for(device)
    context["ticket"] = offered
    context["questions"] = services.questions(tablet=True) if offered else []
    context["refresh"] = REFRESH_SECONDS if offered is None or context.get("thanks") else 0
    return _page(request, context, status)


# --- a dossier: QR of Form 01 or of the result, or the lookup after delivery --------------------


@require_http_methods(["GET", "POST"])
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        response = render(request, "portal/rate_limited.html", status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    found = get_object_or_404(Dossier.objects.select_related("receiving_unit"), code=code.upper())
    given = clean_text(request.POST.get("khoa") or request.GET.get("k", ""))
    source = RatingSource.ONLINE if request.GET.get("nguon") == "online" else RatingSource.QR
    context: dict[str, Any] = {
        "hall": {"unit": found.receiving_unit},
        "dossier": found,
        "kind": "dossier",
        "key_given": bool(request.GET.get("k") or request.POST.get("mo")),
        "lookup_code": given,
        "source": str(source),
        "questions": services.questions(),
    }
    status = 200
    if request.method == "POST" and not request.POST.get("mo"):
        try:
            services.record_rating(
                source=source,
                dossier_code=found.code,
                lookup_code=given,
                answers=_answers(request, tablet=False),
                client=ratelimit.client_address(request),
            )
            context["thanks"] = True
        except MotcuaError as failure:
            json = _refused(request, failure)
            if json is not None:
                return json
            context["error"] = failure.message
            context["chosen"] = _answers(request, tablet=False)
            status = failure.http_status
    return _page(request, context, status)


# --- a ticket: the QR of its slip or of its follow page -----------------------------------------


@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, key: str) -> HttpResponse:
    found = get_object_or_404(Ticket.objects.select_related("hall__unit", "group"), public_key=key)
    context: dict[str, Any] = {
        "hall": found.hall,
        "ticket": found,
        "kind": "ticket",
        "questions": services.questions(),
    }
    status = 200
    if request.method == "POST":
        try:
            services.record_rating(
                source=RatingSource.QR,
                ticket_key=key,
                answers=_answers(request, tablet=False),
                client=ratelimit.client_address(request),
            )
            context["thanks"] = True
        except MotcuaError as failure:
            json = _refused(request, failure)
            if json is not None:
                return json
            context["error"] = failure.message
            status = failure.http_status
    return _page(request, context, status)
