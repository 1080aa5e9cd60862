"""The hall counter (quầy): an officer opens a counter for some service groups, calls the next
ticket, recalls, marks absent, transfers, pauses and closes, and ends each visit with what it
led to. Every button is one function of `queueing/services.py`; who may use it is
`access.may_serve_at` (counter officers of the counter's unit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError, NotFound
from motcua.queueing import services
from motcua.queueing.models import Counter, CounterStatus, ServiceGroup, Ticket, TicketStatus


@login_required
@require_http_methods(["GET", "POST"])
def counter_desk(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    counters = access.hall_counters(user)
    if not counters.exists():
        raise PermissionDenied("Đơn vị của bạn chưa có quầy tại sảnh.")
    mine = counters.filter(officer=user).exclude(status=CounterStatus.CLOSED).first()
    if request.method == "POST":
        try:
            done = _act(request, user, counters, mine)
        except MotcuaError as failure:
            messages.error(request, failure.message)
        else:
            if done:
                messages.success(request, done)
        return redirect("backoffice:hall_counter")
    return render(request, "backoffice/hall_counter.html", _context(user, counters, mine))


def _context(user: User, counters: Any, mine: Counter | None) -> dict[str, Any]:
    if mine is None:
        groups = ServiceGroup.objects.filter(hall__in=counters.values("hall"), is_active=True)
        return {"counters": counters.order_by("hall", "number"), "groups": groups}
    current = services.current_ticket(mine)
    today = local(now()).date()
    waiting = (
        Ticket.objects.filter(hall=mine.hall, day=today, status=TicketStatus.WAITING)
        .values("queue__code", "queue__name")
        .annotate(count=Count("id"))
        .order_by("queue__code")
    )
    return {
        "counter": mine,
        "serving": list(mine.serving.all()),
        "current": current,
        "identity": services.identity_for(current, user) if current else None,
        "received": list(current.links.select_related("dossier")) if current else [],
        "waiting": list(waiting),
        "for_me": services.waiting_for(mine, today).count(),
        "groups": mine.hall.groups.filter(is_active=True),
        "other_counters": mine.hall.counters.exclude(pk=mine.pk),
        "intake_open": "intake" in access.pages_for(user),
    }


def _act(request: HttpRequest, user: User, counters: Any, mine: Counter | None) -> str:
    action = request.POST.get("action", "")
    if action == "open":
        chosen = counters.filter(pk=_int(request, "counter")).first()
        if chosen is None:
            raise NotFound(_("Không có quầy này."), code="no_such_counter")
        groups = list(chosen.hall.groups.filter(pk__in=_ints(request, "groups")))
        services.open_counter(counter=chosen, by=user, groups=groups)
        return _("Đã mở %(counter)s.") % {"counter": chosen}
    if mine is None:
        raise NotFound(_("Bạn chưa mở quầy nào."), code="no_open_counter")
    handler = COUNTER_ACTIONS.get(action) or TICKET_ACTIONS.get(action)
    if handler is None:
        raise NotFound(_("Không có thao tác này."), code="no_such_action")
    return handler(request, user, mine)


def _int(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else 0


def _ints(request: HttpRequest, name: str) -> list[int]:
    return [int(raw) for raw in request.POST.getlist(name) if raw.isdigit()]


def _call(request: HttpRequest, user: User, counter: Counter) -> str:
    ticket = services.call_next(counter=counter, by=user)
    if ticket is None:
        return _("Không còn ai chờ.")
    return _("Mời số %(number)s.") % {"number": ticket.label}


def _pause(request: HttpRequest, user: User, counter: Counter) -> str:
    services.pause_counter(counter=counter, by=user, reason=request.POST.get("reason", ""))
    return _("Quầy tạm dừng.")


def _resume(request: HttpRequest, user: User, counter: Counter) -> str:
    services.resume_counter(counter=counter, by=user)
    return _("Quầy tiếp tục phục vụ.")


def _close(request: HttpRequest, user: User, counter: Counter) -> str:
    services.close_counter(counter=counter, by=user)
    return _("Đã đóng quầy.")


def _current(user: User, counter: Counter) -> Ticket:
    ticket = services.current_ticket(counter)
    if ticket is None:
        raise NotFound(_("Quầy chưa gọi số nào."), code="no_current_ticket")
    return ticket


def _recall(request: HttpRequest, user: User, counter: Counter) -> str:
    ticket = services.recall(ticket=_current(user, counter), by=user)
    return _("Đã gọi lại số %(number)s.") % {"number": ticket.label}


def _absent(request: HttpRequest, user: User, counter: Counter) -> str:
    ticket = services.mark_absent(ticket=_current(user, counter), by=user)
    return _("Số %(number)s vắng mặt.") % {"number": ticket.label}


def _transfer(request: HttpRequest, user: User, counter: Counter) -> str:
    target = request.POST.get("target", "")
    kind, _sep, raw = target.partition(":")
    group = (
        counter.hall.groups.filter(pk=int(raw)).first() if kind == "g" and raw.isdigit() else None
    )
    other = (
        counter.hall.counters.filter(pk=int(raw)).first() if kind == "c" and raw.isdigit() else None
    )
    ticket = services.transfer(
        ticket=_current(user, counter),
        by=user,
        to_group=group,
        to_counter=other,
        reason=request.POST.get("reason", ""),
    )
    return _("Đã chuyển số %(number)s.") % {"number": ticket.label}


def _guidance(request: HttpRequest, user: User, counter: Counter) -> str:
    ticket = services.finish_guidance(
        ticket=_current(user, counter), by=user, procedure_code=request.POST.get("procedure", "")
    )
    return _("Đã ghi nhận lượt hướng dẫn số %(number)s.") % {"number": ticket.label}


def _collect(request: HttpRequest, user: User, counter: Counter) -> str:
    dossier = access.dossier_for(user, request.POST.get("dossier", ""))
    ticket = services.finish_collect(ticket=_current(user, counter), by=user, dossier=dossier)
    return _("Số %(number)s nhận kết quả hồ sơ %(code)s.") % {
        "number": ticket.label,
        "code": dossier.code,
    }


def _finish_intake(request: HttpRequest, user: User, counter: Counter) -> str:
    ticket = services.finish_intake(ticket=_current(user, counter), by=user)
    return _("Đã kết thúc lượt tiếp nhận số %(number)s.") % {"number": ticket.label}


Handler = Callable[[HttpRequest, User, Counter], str]
COUNTER_ACTIONS: dict[str, Handler] = {
    "call": _call,
    "pause": _pause,
    "resume": _resume,
    "close": _close,
}
TICKET_ACTIONS: dict[str, Handler] = {
    "recall": _recall,
    "absent": _absent,
    "transfer": _transfer,
    "guidance": _guidance,
    "collect": _collect,
    "finish_intake": _finish_intake,
}


def ticket_for_intake(request: HttpRequest, user: User) -> Ticket | None:
    """The called ticket the intake page receives for (`?ve=`), if it is this officer's."""
    raw = request.POST.get("ve") or request.GET.get("ve") or _from_page(request)
    if not raw.isdigit():
        return None
    return (
        Ticket.objects.filter(pk=int(raw), officer=user, status=TicketStatus.CALLED)
        .select_related("group", "counter")
        .first()
    )


def _from_page(request: HttpRequest) -> str:
    """`ve` of the page an htmx request comes from (choosing a procedure reloads part of it)."""
    page = request.headers.get("HX-Current-URL", "")
    return parse_qs(urlsplit(page).query).get("ve", [""])[0]
