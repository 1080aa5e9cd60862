"""Reception of online dossiers in chromium, on a counter PC and on a phone: the officer opens
the queue from the menu, sees the dossiers waiting oldest first with how long each has waited,
opens the oldest, accepts it and is told the code and the appointment; the queue then holds
only the other one. The pages have no accessibility violations and never scroll sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from motcua.dossiers.models import Dossier
from motcua.workflow.states import Status
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import vn
from tests.dossiers.test_reception import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request, page: Page) -> str:
    width, height = VIEWPORTS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return request.param


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the page must not scroll sideways"


def test_an_officer_accepts_the_oldest_online_dossier_from_the_queue(
    page: Page, counter_officer, viewport: str
) -> None:
    newer = submit(submitted_at=vn(2026, 1, 22, 9, 0), external_code="G-2")
    oldest = submit(submitted_at=vn(2026, 1, 17, 20, 15), external_code="G-1")
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("counter_officer")
    page.get_by_label("Mật khẩu").fill("pw-counter_officer")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Chờ tiếp nhận").click()
    expect(page.get_by_role("heading", name="Hồ sơ trực tuyến chờ tiếp nhận")).to_be_visible()
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(oldest.code)
    expect(rows.nth(1)).to_contain_text(newer.code)
    expect(rows.first.get_by_test_id("waited")).to_have_text(re.compile(r"\d+ ngày .*làm việc"))
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"reception-queue-{viewport}")

    rows.first.get_by_role("link", name=oldest.code).click()
    expect(page.get_by_test_id("dossier-code")).to_have_text(oldest.code)
    expect(page.get_by_test_id("before-reception")).to_be_visible()
    for action in ("accept", "ask_to_complete", "refuse_at_reception"):
        expect(page.locator(f"details[data-action='{action}']")).to_have_count(1)
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"reception-desk-{viewport}")

    box = page.locator("details[data-action='accept']")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    message = page.get_by_text(re.compile(f"Đã tiếp nhận hồ sơ {re.escape(oldest.code)}"))
    expect(message).to_be_visible()
    expect(message).to_contain_text("Hẹn trả kết quả lúc")
    expect(page.get_by_test_id("status")).to_have_text("Mới tiếp nhận")
    expect(page.get_by_test_id("slip-link")).to_be_visible()
    assert Dossier.objects.get(pk=oldest.pk).status == Status.RECEIVED
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"reception-accepted-{viewport}")

    page.get_by_role("link", name="Chờ tiếp nhận").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(newer.code)
