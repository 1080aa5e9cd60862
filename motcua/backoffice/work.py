"""Staff work pages: the inbox, the dossier desk with the actions the user may take, and the
centre's view of what the agencies owe it. Each view parses, authorises, calls one action or
selector, renders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.calendars.services import calendar_for
from motcua.catalog.models import Unit
from motcua.core.clock import now
from motcua.core.errors import MotcuaError, NotFound
from motcua.core.text import clean_text
from motcua.documents import signing
from motcua.dossiers import (
    actions,
    clock,
    derived,
    lookup_codes,
    printing,
    search,
    selectors,
    work,
)
from motcua.dossiers.models import Dossier, ReturnChannel
from motcua.workflow.actions import ACTIONS
from motcua.workflow.calendar import WorkingCalendar
from motcua.workflow.explain import Lang, format_time_left
from motcua.workflow.states import NOT_RECEIVED, Status

from . import feedback
from .action_forms import form_for, run_action

PAGE_SIZE = 50


def _staff_dossier(request: HttpRequest, code: str) -> Dossier:
    """The dossier the signed-in user may see; any other is not found (404), like a code
    that does not exist (`accounts.access`)."""
    try:
        return access.dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    dossiers = work.inbox(user)
    can_monitor = access.holds_anywhere(user, *access.MONITORS)
    if request.GET.get("tat-ca") and can_monitor:
        dossiers = work.monitored(user)
    status = request.GET.get("trang-thai", "")
    if status in Status.__members__:
        dossiers = dossiers.filter(status=status)
    query = clean_text(request.GET.get("q", "")).upper()
    if query:
        dossiers = dossiers.filter(code__startswith=query) | dossiers.filter(
            procedure_code__startswith=query
        )
    moment = now()
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    listed = list(page.object_list)
    prefetch_related_objects(listed, "pauses")
    calendars: dict[int, WorkingCalendar] = {}
    rows = [_row(dossier, moment, calendars) for dossier in listed]
    template = (
        "backoffice/_inbox_rows.html"
        if request.headers.get("HX-Request")
        else "backoffice/inbox.html"
    )
    return render(
        request,
        template,
        {
            "rows": rows,
            "page": page,
            "status": status,
            "query": query,
            "statuses": [
                (s.value, Dossier(status=s).status_label) for s in Status if s not in NOT_RECEIVED
            ],
            "can_monitor": can_monitor,
            "all": bool(request.GET.get("tat-ca")),
        },
    )


def _lang() -> Lang:
    return "en" if (get_language() or "").startswith("en") else "vi"


def _row(dossier: Dossier, moment: Any, calendars: dict[int, WorkingCalendar]) -> dict[str, Any]:
    unit = dossier.receiving_unit
    if unit.pk not in calendars:
        calendars[unit.pk] = calendar_for(unit)
    overdue = derived.is_overdue(dossier, at=moment)
    calendar = calendars[unit.pk]
    late = ""
    if overdue:  # by how much, in working days and hours (`workflow.explain`)
        left = derived.time_left(dossier, moment, calendar)
        late = format_time_left(left, calendar.day_minutes, _lang())
    return {
        "dossier": dossier,
        "waiting": work.waiting_label(dossier, get_language()),
        "overdue": overdue,
        "late": late,
        "paused": derived.is_paused(dossier, moment),
        "due_soon": not overdue and derived.has_little_time_left(dossier, moment, calendar),
    }


@login_required
def desk(request: HttpRequest, code: str) -> HttpResponse:
    return _render_desk(request, _staff_dossier(request, code))


def _render_desk(
    request: HttpRequest,
    dossier: Dossier,
    *,
    error: MotcuaError | None = None,
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    grants = access.grants(request.user)
    forms = {
        name: form_for(name, dossier=dossier, data=request.POST if name == failed_action else None)
        for name in actions.permitted_actions(grants, dossier)
    }
    step_forms = {
        key: form_for("complete_step", dossier=dossier, step_key=key)
        for key in access.open_steps_for(grants, dossier)
    }
    moment = now()
    calendar = calendar_for(dossier.receiving_unit)
    reading = derived.reading(dossier, moment, calendar)
    deadline = clock.current_deadline(dossier)
    words = derived.in_words(dossier, moment, get_language() or "vi", calendar, measured=reading)
    return render(
        request,
        "backoffice/desk.html",
        {
            "dossier": dossier,
            "public": selectors.public_view(dossier),
            "private": selectors.private_view(dossier),
            "events": _timeline(dossier),
            "steps": dossier.steps.select_related("unit", "completed_by").order_by(
                "opened_at", "id"
            ),
            "documents": getattr(dossier, "documents", None)
            and dossier.documents.order_by("uploaded_at"),
            "can_sign_copies": signing.is_configured(),
            "reading": reading,
            "words": words,
            "deadline": deadline,
            "explanation": deadline.lines(get_language() or "vi"),
            "paused_since": derived.paused_since(dossier, moment),
            "forms": forms,
            "step_forms": step_forms,
            "error": error,
            "failed_action": failed_action,
            "lookup_url": lookup_codes.lookup_url(dossier),
            "lookup_code": lookup_codes.display(dossier.lookup_code),
            "papers": printing.papers_for(dossier),
            "received": Status(dossier.status) not in NOT_RECEIVED,
        },
        status=status,
    )


def _timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's events with what each says in words: units by their names (events record
    their codes), who received the result, how and under which postal item."""
    events = list(dossier.events.select_related("actor").order_by("sequence"))
    codes = {
        str(event.data[key])
        for event in events
        if isinstance(event.data, dict)
        for key in UNIT_KEYS
        if event.data.get(key)
    }
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"event": event, "details": _details(event.data or {}, names)} for event in events]


# Keys of an event's data that hold a unit's code.
UNIT_KEYS = ("from", "to", "unit")


def _details(data: dict[str, Any], names: dict[str, str]) -> list[str]:
    details = []
    if data.get("from"):
        details.append(_("từ %(unit)s") % {"unit": names.get(data["from"], data["from"])})
    for key in ("to", "unit"):
        if data.get(key):
            details.append(_("→ %(unit)s") % {"unit": names.get(data[key], data[key])})
    if data.get("via"):
        channel = ReturnChannel(data["via"]).label if data["via"] in ReturnChannel.values else ""
        details.append(_("trả qua %(channel)s") % {"channel": channel or data["via"]})
    if data.get("postal_item"):
        details.append(_("số hiệu bưu gửi %(item)s") % {"item": data["postal_item"]})
    if data.get("recipient") or data.get("recipient_id_number"):
        who = " ".join(filter(None, [data.get("recipient"), data.get("recipient_id_number")]))
        details.append(_("người nhận: %(who)s") % {"who": who})
    return details


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    dossier = _staff_dossier(request, code)
    if action not in ACTIONS:
        raise Http404
    try:
        done = run_action(
            action, dossier=dossier, by=request.user, data=request.POST, files=request.FILES
        )
    except MotcuaError as error:
        fresh = _staff_dossier(request, code)
        return _render_desk(
            request,
            fresh,
            error=error,
            failed_action=action,
            status=409 if error.http_status == 409 else 422,
        )
    feedback.after_action(request, action, done)
    return redirect("backoffice:dossier", code=code)


@login_required
def agencies(request: HttpRequest) -> HttpResponse:
    """The centre's view: which agencies hold dossiers, how many overdue, how late they return
    results — the complaint that departments return results late, made visible."""
    centres = access.units_where(request.user, *access.PAGE_ROLES["agencies"])
    if not centres.exists():
        raise PermissionDenied
    chosen = centres.filter(code=request.GET.get("don-vi", "")).first() or centres.first()
    assert chosen is not None
    moment = now()
    days = 30
    return render(
        request,
        "backoffice/agencies.html",
        {
            "centre": chosen,
            "centres": centres,
            "days": days,
            "moment": moment,
            "debts": work.agency_debts(chosen, at=moment, since=moment - timedelta(days=days)),
        },
    )


@login_required
@require_safe
def dossier_search(request: HttpRequest) -> HttpResponse:
    """Find dossiers, open or finished, by any part of the code, the applicant's name (without
    accents), phone or ID number, among those the user may see (`dossiers/search.py`)."""
    query = clean_text(request.GET.get("q", ""))[:200]
    found = search.find(request.user, query) if query else []
    context = {
        "query": query,
        "dossiers": found,
        "too_short": bool(query) and not search.is_searchable(query),
        "limit": search.LIMIT,
    }
    return render(request, "backoffice/dossier_search.html", context)
