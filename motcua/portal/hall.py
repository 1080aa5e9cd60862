"""The hall's public screens, each opened by its URL: the kiosk that issues tickets, the
page following a ticket on a phone, its printable slip, and the call screen with its live
stream (server-sent events, with a JSON twin for polling). Rules: docs/domain/hall.md."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core import ratelimit
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.queueing import printing, services
from motcua.queueing.models import Device, DeviceKind, Hall, Ticket, TicketEvent
from motcua.queueing.voice import VOICE_DIR

# A stream lives this long, then ends; the browser reconnects with Last-Event-ID. Short, so
# that a plain reverse proxy's read timeout never cuts it and a worker is never held for long.
STREAM_SECONDS = 20
STREAM_POLL_SECONDS = 1.0
RECONNECT_MS = 1500


def _device(site: str, token: str, kind: str) -> Device:
    """The active device of this kind with this token at this site; a token of another
    site's device, or of another kind, is refused as not found."""
    found = (
        Device.objects.select_related("hall__unit")
        .filter(token=token, kind=kind, is_active=True, hall__unit__code=site)
        .first()
    )
    if found is None:
        raise Http404("no such device at this site")
    return found


def _groups(device: Device) -> Any:
    chosen = device.groups.filter(is_active=True)
    return chosen if chosen.exists() else device.hall.groups.filter(is_active=True)


def new_request_key() -> str:
    return secrets.token_hex(16)


# --- the kiosk ------------------------------------------------------------------------------


@require_GET
def kiosk(request: HttpRequest, site: str, token: str) -> HttpResponse:
    return _kiosk_page(request, _device(site, token, DeviceKind.KIOSK))


def _kiosk_page(
    request: HttpRequest, device: Device, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "device": device,
        "hall": device.hall,
        "groups": _groups(device),
        "priorities": device.hall.priority_choices(),
        "request_key": new_request_key(),
        "prints": request.GET.get("in", "1") != "0",
        "error": error,
    }
    return render(request, "portal/hall_kiosk.html", context, status=status)


@require_POST
def kiosk_issue(request: HttpRequest, site: str, token: str) -> HttpResponse:
    """Issue a ticket (or check an appointment in). The page sends a request key made before
    the first try and retries with it, so a lost answer never makes a second ticket."""
    device = _device(site, token, DeviceKind.KIOSK)
    key = request.POST.get("request_key", "")
    try:
        ticket = _issue_or_check_in(request, device, key)
    except MotcuaError as failure:
        if _wants_json(request):
            return JsonResponse(failure.as_dict(), status=failure.http_status)
        return _kiosk_page(request, device, failure.message, failure.http_status)
    if _wants_json(request):
        return JsonResponse(ticket_json(ticket))
    return redirect(reverse("portal:hall_ticket", args=[ticket.public_key]))


def _issue_or_check_in(request: HttpRequest, device: Device, key: str) -> Ticket:
    appointment = request.POST.get("lich_hen", "").strip()
    if appointment:
        return services.check_in(
            hall=device.hall, code_or_id=appointment, request_key=key, kiosk=device
        )
    raw = request.POST.get("group", "")
    group = _groups(device).filter(pk=int(raw)).first() if raw.isdigit() else None
    if group is None:
        raise MotcuaError(_("Hãy chọn một nhóm dịch vụ."), code="unknown_group")
    return services.issue_ticket(
        hall=device.hall,
        group=group,
        request_key=key,
        priority=request.POST.get("priority", ""),
        kiosk=device,
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    where = services.position(ticket)
    return {
        "number": ticket.label,
        "group": ticket.group.name,
        "status": ticket.status,
        "ahead": where.ahead if where else None,
        "minutes": where.minutes if where else None,
        "counter": ticket.counter.number if ticket.counter else None,
        "follow_url": reverse("portal:hall_ticket", args=[ticket.public_key]),
        "pdf_url": reverse("portal:hall_ticket_pdf", args=[ticket.public_key]),
        "qr_svg": printing.qr_svg(printing.follow_url(ticket), size_mm=40),
    }


# --- following a ticket -----------------------------------------------------------------------


@require_GET
def ticket(request: HttpRequest, key: str) -> HttpResponse:
    found = get_object_or_404(
        Ticket.objects.select_related("group", "counter", "hall__unit"), public_key=key
    )
    context = {
        "ticket": found,
        "where": services.position(found),
        "qr_svg": printing.qr_svg(printing.follow_url(found), size_mm=40),
    }
    response = render(request, "portal/hall_ticket.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def ticket_pdf(request: HttpRequest, key: str) -> HttpResponse:
    found = get_object_or_404(Ticket.objects.select_related("group", "hall__unit"), public_key=key)
    response = HttpResponse(printing.ticket_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-{found.label}.pdf"'
    response["Cache-Control"] = "no-store"
    # the kiosk page prints it from a frame of its own
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


# --- the call screen --------------------------------------------------------------------------


@require_GET
def display(request: HttpRequest, site: str, token: str) -> HttpResponse:
    device = _device(site, token, DeviceKind.DISPLAY)
    context = {
        "device": device,
        "hall": device.hall,
        "state": screen_state(device.hall),
        "events_url": reverse("portal:hall_events", args=[site, token]),
        "state_url": reverse("portal:hall_state", args=[site, token]),
        "clips": (VOICE_DIR / "manifest.json").exists(),
    }
    return render(request, "portal/hall_display.html", context)


def screen_state(hall: Hall) -> dict[str, Any]:
    """What a call screen shows: each open counter with its number served now, the last
    calls (newest first) and the id of the latest call (for Last-Event-ID)."""
    today = local(now()).date()
    calls = services.last_calls(hall, today)
    return {
        "counters": [
            {
                "counter": counter.number,
                "status": counter.status,
                "number": current.label if current else "",
            }
            for counter, current in services.serving_now(hall)
        ],
        "calls": [call_json(event) for event in calls],
        "last_id": calls[0].pk if calls else _last_call_id(hall),
    }


def _last_call_id(hall: Hall) -> int:
    found = TicketEvent.objects.filter(hall=hall).order_by("-id").values_list("id", flat=True)
    return found.first() or 0


def call_json(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "number": event.data.get("number", ""),
        "counter": event.data.get("counter", ""),
        "recall": event.type == "recalled",
        "at": local(event.at).strftime("%H:%M"),
    }


@require_GET
def state(request: HttpRequest, site: str, token: str) -> HttpResponse:
    """The polling twin of the stream."""
    device = _device(site, token, DeviceKind.DISPLAY)
    response = JsonResponse(screen_state(device.hall))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def events(request: HttpRequest, site: str, token: str) -> StreamingHttpResponse:
    """Server-sent events: each call after the client's Last-Event-ID (header, or `?last=` on
    the first connection), for STREAM_SECONDS; then the stream ends and the browser
    reconnects (`retry:`). Headers keep proxies from buffering or caching it."""
    device = _device(site, token, DeviceKind.DISPLAY)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last", "")
    after = int(raw) if raw.isdigit() else _last_call_id(device.hall)
    response = StreamingHttpResponse(
        _stream(device.hall, after), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


class StreamSlots:
    """The live streams this process holds open, at most `settings.HALL_STREAMS_PER_PROCESS`:
    a held stream occupies one of the server's threads for STREAM_SECONDS, and the kiosks and
    counters of the same hall need those threads (docs/decisions/0010-hall-queue.md)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open = 0

    def take(self) -> bool:
        with self._lock:
            if self.open >= settings.HALL_STREAMS_PER_PROCESS:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


STREAM_SLOTS = StreamSlots()


def _stream(hall: Hall, after: int) -> Iterator[bytes]:
    """The calls after `after`, as events. Held open for STREAM_SECONDS when a slot is free;
    otherwise one pass and the end, and the screen reconnects after RECONNECT_MS, which
    makes it a poller until a slot frees."""
    held = STREAM_SLOTS.take()
    try:
        yield f"retry: {RECONNECT_MS}\n: motcua hall\n\n".encode()
        deadline = time.monotonic() + (STREAM_SECONDS if held else 0)
        while True:
            for event in services.calls_since(hall, after):
                after = event.pk
                payload = json.dumps(call_json(event), ensure_ascii=False)
                yield f"id: {event.pk}\nevent: call\ndata: {payload}\n\n".encode()
            if time.monotonic() >= deadline:
                return
            time.sleep(STREAM_POLL_SECONDS)
            yield b": ping\n\n"
    finally:
        if held:
            STREAM_SLOTS.give_back()


# --- booking online -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest, site: str) -> HttpResponse:
    """Book a 30-minute slot of a service group; the code is checked in at the kiosk."""
    hall = get_object_or_404(Hall.objects.select_related("unit"), unit__code=site)
    groups = hall.groups.filter(is_active=True)
    raw = request.POST.get("group") or request.GET.get("nhom") or ""
    group = groups.filter(pk=int(raw)).first() if raw.isdigit() else groups.first()
    if group is None:
        raise Http404("no groups")
    context: dict[str, Any] = {"hall": hall, "groups": groups, "group": group}
    status = 200
    retry_after = None
    if request.method == "POST":
        try:
            _check_booking_window(request)
            context["booked"] = _book(request, hall, group)
        except MotcuaError as failure:
            context["error"] = failure.message
            status = failure.http_status
            retry_after = failure.detail.get("retry_after")
    context["slots"] = services.open_slots(hall, group, after=now())
    response = render(request, "portal/hall_booking.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class TooManyBookings(MotcuaError):
    code = "too_many_bookings"
    http_status = 429


def _check_booking_window(request: HttpRequest) -> None:
    """At most HALL_BOOKING_MAX_REQUESTS booking forms per address in any window, so that
    nobody fills a day's slots with made-up names."""
    verdict = ratelimit.take(
        "hall-booking",
        ratelimit.client_address(request),
        limit=settings.HALL_BOOKING_MAX_REQUESTS,
        window=settings.HALL_BOOKING_WINDOW_SECONDS,
    )
    if not verdict.allowed:
        raise TooManyBookings(
            _("Bạn đã gửi quá nhiều yêu cầu đặt lịch. Vui lòng thử lại sau ít phút."),
            retry_after=verdict.retry_after,
        )


def _book(request: HttpRequest, hall: Hall, group: Any) -> Any:
    raw = request.POST.get("slot", "")
    try:
        starts_at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Hãy chọn một khung giờ."), code="invalid_slot") from None
    if starts_at.tzinfo is None:
        raise ValidationFailed(_("Hãy chọn một khung giờ."), code="invalid_slot")
    return services.book_appointment(
        hall=hall,
        group=group,
        starts_at=starts_at,
        name=request.POST.get("name", ""),
        id_number=request.POST.get("id_number", ""),
        phone=request.POST.get("phone", ""),
    )
