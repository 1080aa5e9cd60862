"""The one-stop counter: find a procedure, receive a complete dossier, print its slip."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.accounts import access
from motcua.catalog import published
from motcua.catalog.models import ProcedureVersion, in_force_on
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError
from motcua.core.text import clean_text
from motcua.dossiers import actions, printing, reception
from motcua.dossiers.models import Dossier
from motcua.queueing import services as hall
from motcua.queueing.models import Ticket

from . import feedback
from .counter import ticket_for_intake
from .forms import IntakeForm
from .work import _staff_dossier

SEARCH_LIMIT = 20


def _versions_in_force() -> object:
    today = local(now()).date()
    return ProcedureVersion.objects.filter(in_force_on(today))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:inbox")


@login_required
def procedure_search(request: HttpRequest) -> HttpResponse:
    """htmx: procedures in force whose code or name holds every word typed, accents ignored,
    in any order ("ky dang" finds "Đăng ký"): the public catalogue's search."""
    query = clean_text(request.GET.get("q", ""))[:200]
    results = ProcedureVersion.objects.none()
    if len(query) >= 2:
        results = published.search(query, day=local(now()).date())[:SEARCH_LIMIT]
    return render(
        request, "backoffice/_procedure_results.html", {"results": results, "query": query}
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    units = access.counter_units(request.user)
    if not units.exists():
        raise PermissionDenied("Bạn không phải cán bộ một cửa của đơn vị nào.")
    version = _chosen_version(request)
    ticket = ticket_for_intake(request, request.user)  # type: ignore[arg-type]
    form = IntakeForm(
        request.POST or None,
        units=units,
        version=version,
        initial={"unit": units.first(), "version": version},
    )
    error = None
    refusing = request.method == "POST" and "refuse" in request.POST
    if request.method == "POST" and form.is_valid():
        try:
            dossier = _refuse(request, form) if refusing else _receive(request, form, ticket)
        except MotcuaError as failure:
            error = failure
        else:
            if refusing:
                feedback.after_refusal(request, dossier)
            else:
                feedback.after_intake(request, dossier)
            return redirect("backoffice:dossier", code=dossier.code)
    fragment = request.headers.get("HX-Request") == "true" and request.method == "GET"
    template = "backoffice/_intake_details.html" if fragment else "backoffice/intake.html"
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "version": version,
        "error": error,
        "ticket": ticket,
        "refusing": refusing,
    }
    return render(request, template, context, status=status)


def _chosen_version(request: HttpRequest) -> ProcedureVersion | None:
    raw = request.POST.get("version") or request.GET.get("version")
    if not raw or not str(raw).isdigit():
        return None
    return (
        _versions_in_force()
        .select_related("procedure", "agency")  # type: ignore[attr-defined]
        .filter(pk=int(raw))
        .first()
    )


def _applicant(data: dict) -> actions.Applicant:
    return actions.Applicant(
        name=data["applicant_name"],
        phone=data["applicant_phone"],
        email=data["applicant_email"],
        address=data["applicant_address"],
        id_number=data["applicant_id_number"],
    )


def _refuse(request: HttpRequest, form: IntakeForm) -> Dossier:
    """Từ chối tiếp nhận: the paper dossier is recorded refused, with its reason (Form 03)."""
    data = form.cleaned_data
    return reception.refuse_paper_at_counter(
        by=request.user,  # type: ignore[arg-type]
        unit=data["unit"],
        version=data["version"],
        applicant=_applicant(data),
        reason=data["refusal_reason"],
        components=data["components"],
        channel=data["channel"],
        at=data["postal_handover_at"],
    )


def _receive(request: HttpRequest, form: IntakeForm, ticket: Ticket | None) -> Dossier:
    """Through the normal receive path; from a called hall ticket, linked to it."""
    data = form.cleaned_data
    details: dict[str, Any] = {
        "by": request.user,
        "unit": data["unit"],
        "version": data["version"],
        "applicant": _applicant(data),
        "channel": data["channel"],
        "components": data["components"],
        "sets_count": data["sets_count"],
        "agency": data["agency"],
        "return_channel": data["return_channel"],
        "postal_address": data["postal_address"],
        "received_at": data["postal_handover_at"],
    }
    if ticket is not None:
        return hall.receive_from_ticket(ticket=ticket, **details)
    return actions.receive_dossier(**details)


@login_required
def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    found = _staff_dossier(request, code)
    try:
        content = printing.receipt_pdf(found)
    except MotcuaError:  # not received (yet): no slip
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-hen-{found.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
