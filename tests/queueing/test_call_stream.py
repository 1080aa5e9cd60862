"""The call screen's stream on a real live server: server-sent events with their headers, a
call made while the stream is open arrives on it, a reconnection with Last-Event-ID gets what
it missed, and the stream ends by itself so that the browser reconnects."""

from __future__ import annotations

import http.client
import threading
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from motcua.core.clock import now
from motcua.portal import hall as hall_pages
from motcua.queueing import services
from motcua.queueing.models import TicketEvent
from tests.queueing.conftest import counter, group

pytestmark = pytest.mark.django_db(transaction=True)


def connect(live_server, screen, **headers: str) -> http.client.HTTPResponse:
    where = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.request("GET", f"/sanh/AH/man-hinh/{screen.token}/su-kien/", headers={**headers})
    return connection.getresponse()


def read_events(response: http.client.HTTPResponse, wanted: int) -> list[dict[str, str]]:
    """Events (id, event, data) until `wanted` have come or the stream ends."""
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    while len(events) < wanted:
        line = response.readline()
        if not line:
            break
        text = line.decode().rstrip("\n")
        if not text:
            if "data" in current:
                events.append(current)
            current = {}
            continue
        field, _, value = text.partition(": ")
        if not text.startswith(":"):
            current[field] = value
    return events


def call_one(hall, officer) -> TicketEvent:
    services.issue_ticket(hall=hall, group=group(hall, "A"), request_key=uuid.uuid4().hex)
    desk = counter(hall, "1")
    if desk.officer_id is None:
        services.open_counter(counter=desk, by=officer, groups=[group(hall, "A")])
    current = services.current_ticket(desk)
    if current is not None:
        services.finish_guidance(ticket=current, by=officer, procedure_code="1.004222")
    services.call_next(counter=desk, by=officer, at=now() + timedelta(seconds=1))
    return TicketEvent.objects.filter(type="called").latest("id")


def test_a_call_arrives_on_the_open_stream(live_server, screen, counter_officer, monkeypatch):
    monkeypatch.setattr(hall_pages, "STREAM_SECONDS", 15)
    response = connect(live_server, screen)
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert "no-cache" in response.getheader("Cache-Control")
    assert response.getheader("X-Accel-Buffering") == "no"
    assert response.readline().startswith(b"retry: ")
    got: list[dict[str, str]] = []
    reader = threading.Thread(target=lambda: got.extend(read_events(response, 1)))
    reader.start()
    event = call_one(screen.hall, counter_officer)
    reader.join(timeout=30)
    response.close()
    assert got and got[0]["event"] == "call" and got[0]["id"] == str(event.pk)
    assert '"number": "A001"' in got[0]["data"] and '"counter": "1"' in got[0]["data"]


def test_a_reconnection_gets_what_it_missed_and_the_stream_ends(
    live_server, screen, counter_officer, monkeypatch
):
    monkeypatch.setattr(hall_pages, "STREAM_SECONDS", 2)
    first = call_one(screen.hall, counter_officer)
    second = call_one(screen.hall, counter_officer)
    response = connect(live_server, screen, **{"Last-Event-ID": str(first.pk)})
    events = read_events(response, 10)  # returns when the stream ends by itself
    response.close()
    assert [event["id"] for event in events] == [str(second.pk)]
    assert '"number": "A002"' in events[0]["data"]


def test_an_unknown_screen_is_refused(live_server, screen):
    where = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.request("GET", "/sanh/AH-X01/man-hinh/" + screen.token + "/su-kien/")
    assert connection.getresponse().status == 404


def test_a_screen_beyond_the_process_streams_gets_its_calls_and_reconnects(
    live_server, screen, counter_officer, monkeypatch, settings
):
    """Streams hold server threads: beyond HALL_STREAMS_PER_PROCESS a screen is answered at
    once with what it missed and told to reconnect, so kiosks and counters keep their threads."""
    settings.HALL_STREAMS_PER_PROCESS = 1
    monkeypatch.setattr(hall_pages, "STREAM_SECONDS", 60)
    first = call_one(screen.hall, counter_officer)
    second = call_one(screen.hall, counter_officer)
    held = connect(live_server, screen, **{"Last-Event-ID": str(second.pk)})
    assert held.readline().startswith(b"retry: ")  # the stream has started and holds the slot
    assert hall_pages.STREAM_SLOTS.open == 1

    overflow = connect(live_server, screen, **{"Last-Event-ID": str(first.pk)})
    assert overflow.status == 200
    events = read_events(overflow, 10)  # returns only because this stream ends by itself
    overflow.close()
    assert [event["id"] for event in events] == [str(second.pk)]
    assert hall_pages.STREAM_SLOTS.open == 1  # the overflow never took a slot
    held.close()
