"""The counter's queue of online dossiers waiting for reception: oldest first, how long each
has waited, a link to its desk where the officer accepts it, asks for completion or refuses it
(`dossiers/reception.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from motcua.accounts import access
from motcua.calendars.services import calendar_for
from motcua.core.clock import now
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import waiting_for_reception
from motcua.workflow.calendar import WorkingCalendar
from motcua.workflow.explain import Lang, format_working_time

PAGE_SIZE = 50


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not access.units_where(request.user, *access.PAGE_ROLES["reception_queue"]).exists():
        raise PermissionDenied
    page = Paginator(waiting_for_reception(request.user), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    moment = now()
    calendars: dict[int, WorkingCalendar] = {}
    rows = [_row(dossier, moment, calendars) for dossier in page]
    return render(request, "backoffice/reception_queue.html", {"rows": rows, "page": page})


def _row(dossier: Dossier, moment: Any, calendars: dict[int, WorkingCalendar]) -> dict[str, Any]:
    """How long the dossier has waited since it was (last) submitted, in working time of its
    one-stop's calendar (a dossier sent on Saturday evening has waited nothing on Sunday)."""
    unit = dossier.receiving_unit
    if unit.pk not in calendars:
        calendars[unit.pk] = calendar_for(unit)
    calendar = calendars[unit.pk]
    since = dossier.submitted_at or dossier.received_at
    minutes = calendar.working_minutes_between(since, moment) if since < moment else 0
    lang: Lang = "en" if (get_language() or "").startswith("en") else "vi"
    return {
        "dossier": dossier,
        "since": since,
        "waited": format_working_time(minutes, calendar.day_minutes, lang),
        "late": minutes >= calendar.day_minutes,
    }
