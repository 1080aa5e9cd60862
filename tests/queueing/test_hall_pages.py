"""The hall's pages through HTTP: the kiosk (by its token, at its site only), the idempotent
issue, the 80 mm slip, the counter page from open to intake, and the call screen's JSON."""

from __future__ import annotations

import re
import subprocess
import uuid
from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.catalog.models import Unit
from motcua.core.clock import now
from motcua.dossiers.models import Dossier
from motcua.queueing import services
from motcua.queueing.models import (
    Appointment,
    Device,
    DeviceKind,
    Hall,
    Outcome,
    ServiceGroup,
    Ticket,
    TicketDossier,
    TicketEvent,
)
from tests.conftest import version_of
from tests.queueing.conftest import group

pytestmark = pytest.mark.django_db
MM = 72 / 25.4


def kiosk_url(device: Device, tail: str = "") -> str:
    return f"/sanh/{device.hall.unit.code}/kiosk/{device.token}/{tail}"


def issue(client: Client, device: Device, key: str, group_code: str = "A", **extra):
    return client.post(
        kiosk_url(device, "lay-so/"),
        {"request_key": key, "group": group(device.hall, group_code).pk, **extra},
        HTTP_ACCEPT="application/json",
    )


def test_the_kiosk_offers_the_groups_and_the_priorities(client: Client, kiosk) -> None:
    page = client.get(kiosk_url(kiosk)).content.decode()
    assert "Hộ tịch" in page and "Đất đai" in page
    assert "Người cao tuổi" in page and "Phụ nữ mang thai" not in page


def test_a_kiosk_token_of_another_site_is_refused(client: Client, kiosk, catalogue) -> None:
    commune = Hall.objects.create(unit=Unit.objects.get(code="AH-X01"))
    ServiceGroup.objects.create(hall=commune, code="A", name="Một cửa xã")
    theirs = Device.objects.create(hall=commune, kind=DeviceKind.KIOSK, name="Kiosk xã")
    assert client.get(f"/sanh/AH/kiosk/{theirs.token}/").status_code == 404
    response = client.post(
        f"/sanh/AH/kiosk/{theirs.token}/lay-so/",
        {"request_key": uuid.uuid4().hex, "group": group(kiosk.hall, "A").pk},
    )
    assert response.status_code == 404
    screen = Device.objects.create(hall=kiosk.hall, kind=DeviceKind.DISPLAY, name="Màn hình")
    assert client.get(f"/sanh/AH/kiosk/{screen.token}/").status_code == 404  # not a kiosk
    assert not Ticket.objects.exists()


def test_a_repeated_issue_request_returns_the_first_ticket(client: Client, kiosk) -> None:
    key = uuid.uuid4().hex
    first = issue(client, kiosk, key)
    again = issue(client, kiosk, key)
    assert first.status_code == again.status_code == 200
    assert first.json()["number"] == again.json()["number"] == "A001"
    assert Ticket.objects.count() == 1
    assert "<svg" in first.json()["qr_svg"]


def test_a_bad_request_is_a_clear_error_not_a_ticket(client: Client, kiosk) -> None:
    response = issue(client, kiosk, "bad key")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request_key"
    page = client.post(kiosk_url(kiosk, "lay-so/"), {"request_key": uuid.uuid4().hex})
    assert page.status_code == 400 and "Hãy chọn một nhóm dịch vụ" in page.content.decode()
    assert not Ticket.objects.exists()


def test_without_script_the_kiosk_goes_to_the_ticket_page(client: Client, kiosk) -> None:
    response = client.post(
        kiosk_url(kiosk, "lay-so/"),
        {"request_key": uuid.uuid4().hex, "group": group(kiosk.hall, "B").pk},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "B001" in page and "0 người trước bạn" in page


def test_the_slip_is_an_80mm_pdf(client: Client, kiosk, tmp_path) -> None:
    issue(client, kiosk, uuid.uuid4().hex)
    ticket = Ticket.objects.get()
    response = client.get(f"/sanh/ve/{ticket.public_key}/ve.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 80
    path = tmp_path / "ticket.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A001" in text and "Hộ tịch" in text
    assert "0 người trước bạn, khoảng" in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
        for font in [font.get_object()]
    }
    assert any("Liberation" in name for name in fonts), fonts


def open_counter(client: Client, hall, number="1", codes=("A", "B")):
    counter = hall.counters.get(number=number)
    groups = [group(hall, code).pk for code in codes]
    return client.post(
        "/quay/quay-so/", {"action": "open", "counter": counter.pk, "groups": groups}
    )


def test_the_counter_page_hides_who_waits_and_calls_the_next(
    client: Client, counter_officer, kiosk
) -> None:
    issue(Client(), kiosk, uuid.uuid4().hex)
    client.force_login(counter_officer)
    assert "Quầy phục vụ" in client.get("/quay/viec-can-lam/").content.decode()  # in the menu
    open_counter(client, kiosk.hall)
    page = client.get("/quay/quay-so/").content.decode()
    assert "A001" not in page and "Gọi số tiếp theo" in page
    client.post("/quay/quay-so/", {"action": "call"})
    page = client.get("/quay/quay-so/").content.decode()
    assert "A001" in page and "Mời số A001." in page


def test_an_intake_from_the_called_ticket_links_the_dossier(
    client: Client, counter_officer, kiosk, province
) -> None:
    issue(Client(), kiosk, uuid.uuid4().hex)
    client.force_login(counter_officer)
    open_counter(client, kiosk.hall)
    client.post("/quay/quay-so/", {"action": "call"})
    ticket = Ticket.objects.get()
    page = client.get(f"/quay/tiep-nhan/?ve={ticket.pk}").content.decode()
    assert "A001" in page
    version = version_of("3.000333")
    response = client.post(
        f"/quay/tiep-nhan/?ve={ticket.pk}",
        {
            "unit": province.pk,
            "version": version.pk,
            "applicant_name": "Trần Thị Bình",
            "applicant_phone": "0987654321",
            "channel": "counter",
            "components": version.component_names()[:2],
            "sets_count": 1,
            "return_channel": "counter",
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    link = TicketDossier.objects.get()
    assert (link.ticket, link.dossier, link.kind) == (ticket, dossier, "received")
    assert TicketEvent.objects.filter(type="dossier_received", ticket=ticket).exists()
    client.post("/quay/quay-so/", {"action": "finish_intake"})
    ticket.refresh_from_db()
    assert ticket.outcome == Outcome.TO_DOSSIER


def test_other_officers_and_units_cannot_use_the_counter(
    client: Client, commune_officer, specialist, kiosk
) -> None:
    for user in (commune_officer, specialist):
        client.force_login(user)
        assert client.get("/quay/quay-so/").status_code == 403
        assert "Quầy phục vụ" not in client.get("/quay/viec-can-lam/").content.decode()


def test_the_screen_state_shows_the_call(client: Client, counter_officer, kiosk, screen) -> None:
    issue(Client(), kiosk, uuid.uuid4().hex)
    officer = Client()
    officer.force_login(counter_officer)
    open_counter(officer, kiosk.hall, "2")
    officer.post("/quay/quay-so/", {"action": "call"})
    state = client.get(f"/sanh/AH/man-hinh/{screen.token}/trang-thai/").json()
    assert state["calls"][0]["number"] == "A001" and state["calls"][0]["counter"] == "2"
    assert {"counter": "2", "status": "open", "number": "A001"} in state["counters"]
    page = client.get(f"/sanh/AH/man-hinh/{screen.token}/").content.decode()
    assert "A001" in page


def test_the_kiosk_and_the_screen_speak_english_when_asked(client: Client, kiosk, screen) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(kiosk_url(kiosk)).content.decode()
    assert "Take a number" in page and "Elderly person" in page and "Lấy số thứ tự" not in page
    page = client.get(f"/sanh/AH/man-hinh/{screen.token}/").content.decode()
    assert "Just called" in page and "please come to counter" in page


def test_an_appointment_booked_online_is_checked_in_at_the_kiosk(client: Client, kiosk) -> None:
    page = client.get("/sanh/AH/dat-lich/").content.decode()
    slot = re.search(r'<option value="([^"]+\+07:00)"', page)
    assert slot is not None
    response = client.post(
        "/sanh/AH/dat-lich/",
        {
            "group": group(kiosk.hall, "B").pk,
            "slot": slot.group(1),
            "name": "Phạm Văn Cường",
            "id_number": "001099012345",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 200 and appointment.code in response.content.decode()
    refused = client.post(
        "/sanh/AH/dat-lich/",
        {"group": group(kiosk.hall, "B").pk, "slot": "hôm qua", "name": "X", "id_number": "1"},
    )
    assert refused.status_code == 422 and Appointment.objects.count() == 1
    # a check-in on another day than the slot's finds nothing for today
    checked = client.post(
        kiosk_url(kiosk, "lay-so/"),
        {"request_key": uuid.uuid4().hex, "lich_hen": appointment.code},
        HTTP_ACCEPT="application/json",
    )
    if services.hall_day(appointment.starts_at) == services.hall_day(now()):
        assert checked.json()["number"] == "B001"
    else:
        assert checked.status_code == 404 and checked.json()["code"] == "appointment_not_found"


def test_booking_online_is_throttled_per_address(client: Client, kiosk, settings) -> None:
    """Past HALL_BOOKING_MAX_REQUESTS forms from one address, a booking is refused in
    Vietnamese with Retry-After, and nothing is booked; another address still books."""
    settings.HALL_BOOKING_MAX_REQUESTS = 2
    page = client.get("/sanh/AH/dat-lich/").content.decode()
    slots = re.findall(r'<option value="([^"]+\+07:00)"', page)

    def book(slot: str, address: str = "203.0.113.7"):
        form = {"slot": slot, "name": "Phạm Văn Cường", "id_number": "001099012345"}
        return client.post("/sanh/AH/dat-lich/", form, REMOTE_ADDR=address)

    assert book("hôm qua").status_code == 422  # a refused form counts too
    assert book(slots[0]).status_code == 200
    refused = book(slots[1])
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "quá nhiều yêu cầu đặt lịch" in refused.content.decode()
    assert Appointment.objects.count() == 1
    assert book(slots[1], address="198.51.100.4").status_code == 200
    assert Appointment.objects.count() == 2
