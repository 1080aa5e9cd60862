"""End to end in chromium: a citizen draws a ticket at the kiosk (portrait kiosk screen), an
officer opens a counter and calls it, and the hall's call screen shows the number live (read
from the page). Each page is checked with axe and photographed at each size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from motcua.portal import hall as hall_pages
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KIOSK = {"width": 1080, "height": 1920}
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def new_page(browser: Browser, live_server, viewport) -> Page:
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        bypass_csp=True,
        viewport=viewport,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_ticket_from_the_kiosk_is_called_and_shown_on_the_screen(
    page: Page, browser: Browser, live_server, kiosk, screen, counter_officer, monkeypatch
) -> None:
    monkeypatch.setattr(hall_pages, "STREAM_SECONDS", 4)
    display = new_page(browser, live_server, DESKTOP)
    display.goto(f"/sanh/AH/man-hinh/{screen.token}/")
    expect(display.get_by_text("Chưa có quầy nào mở.")).to_be_visible()

    page.set_viewport_size(KIOSK)
    page.goto(f"/sanh/AH/kiosk/{kiosk.token}/?in=0")
    assert axe_violations(page) == []
    screenshot(page, "hall-kiosk-portrait")
    page.get_by_label("Người cao tuổi").check()
    page.get_by_role("button", name=re.compile("Hộ tịch")).click()
    expect(page.locator("#result-number")).to_have_text("A001")
    expect(page.locator("#result-ahead")).to_contain_text("0 người trước bạn")
    assert axe_violations(page) == []
    screenshot(page, "hall-kiosk-ticket")
    page.get_by_role("button", name="Xong").click()
    expect(page.get_by_role("heading", name="Lấy số thứ tự")).to_be_visible()

    officer = new_page(browser, live_server, DESKTOP)
    officer.goto("/dang-nhap/")
    officer.get_by_label("Tên đăng nhập").fill("counter_officer")
    officer.get_by_label("Mật khẩu").fill("pw-counter_officer")
    officer.get_by_role("button", name="Đăng nhập").click()
    officer.get_by_role("link", name="Quầy phục vụ").click()
    officer.get_by_role("button", name="Mở quầy").click()
    officer.get_by_role("button", name="Gọi số tiếp theo").click()
    expect(officer.get_by_test_id("current-number")).to_have_text("A001")
    assert axe_violations(officer) == []
    screenshot(officer, "hall-counter")

    expect(display.locator("#display-calls")).to_contain_text("A001")
    expect(display.locator("#display-banner")).to_have_text("Mời số A001 đến quầy số 1")
    expect(display.locator("#display-counters")).to_contain_text("A001")
    assert axe_violations(display) == []
    screenshot(display, "hall-display")

    for name, shown in (("display", display), ("counter", officer)):
        shown.set_viewport_size(PHONE)
        screenshot(shown, f"hall-{name}-phone")
    page.set_viewport_size(PHONE)
    screenshot(page, "hall-kiosk-phone")
    assert axe_violations(page) == []


def test_the_ticket_page_on_a_phone(page: Page, kiosk) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"/sanh/AH/kiosk/{kiosk.token}/")
    page.get_by_role("button", name=re.compile("Đất đai")).click()  # without the kiosk script's
    expect(page.locator("#result-number")).to_have_text("B001")
    follow = page.get_attribute("#result-qr svg", "aria-label")
    assert follow is not None
    from motcua.queueing.models import Ticket

    page.goto(f"/sanh/ve/{Ticket.objects.get().public_key}/")
    expect(page.get_by_role("heading", name=re.compile("B001"))).to_be_visible()
    expect(page.locator("#follow-state")).to_contain_text("0 người trước bạn")
    assert axe_violations(page) == []
    screenshot(page, "hall-ticket-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "hall-ticket-desktop")


def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_ticket(
    browser: Browser, live_server, kiosk
) -> None:
    """The first answer is lost on the way back (the server made the ticket); the page says
    so, retries with its request key, and shows the ticket the server made the first time."""
    from motcua.queueing.models import Ticket

    lost: list[str] = []

    def lose_first_answer(route) -> None:  # type: ignore[no-untyped-def]
        if not lost:
            route.fetch()  # the request reaches the server…
            lost.append(route.request.post_data or "")
            route.abort("connectionreset")  # …and its answer never comes back
        else:
            route.continue_()

    page = new_page(browser, live_server, KIOSK)  # its console shows the lost answer
    page.route("**/lay-so/", lose_first_answer)
    page.goto(f"/sanh/AH/kiosk/{kiosk.token}/?in=0")
    page.get_by_role("button", name=re.compile("Đất đai")).click()
    expect(page.locator("#result-number")).to_have_text("B001")
    assert lost and Ticket.objects.count() == 1
    page.context.close()


def test_booking_an_appointment_online(page: Page, kiosk) -> None:
    from motcua.queueing.models import Appointment

    page.set_viewport_size(PHONE)
    page.goto("/sanh/AH/dat-lich/")
    assert axe_violations(page) == []
    page.get_by_label("Họ và tên").fill("Phạm Văn Cường")
    page.get_by_label("Số CCCD").fill("001099012345")
    page.get_by_role("button", name="Đặt lịch", exact=True).click()
    expect(page.get_by_test_id("booked")).to_contain_text(Appointment.objects.get().code)
    assert axe_violations(page) == []
    screenshot(page, "hall-booking-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "hall-booking-desktop")
