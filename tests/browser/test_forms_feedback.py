"""In chromium, on a phone and at a counter PC: a bad phone number is flagged where it is typed
with the cursor on it; intake and desk actions confirm what happened and what is next; a
refused page is styled, in the user's language, with a way back. axe finds nothing on each."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot
from tests.dossiers.test_receive_dossier import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser: Browser, live_server) -> Iterator[tuple[Page, str]]:
    """A page at one viewport; refusals (404) are what some tests look for, so no listener
    fails on them."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": width, "height": height},
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    yield context.new_page(), request.param
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()


def test_a_bad_phone_is_flagged_at_once_and_intake_confirms(screen, counter_officer) -> None:
    page, name = screen
    sign_in(page, "counter_officer")
    page.goto("/quay/tiep-nhan/")
    page.get_by_label(re.compile("Tìm theo tên hoặc mã thủ tục")).fill("ly lich tu phap")
    page.get_by_role("link", name=re.compile("3.000333")).click()
    expect(page.get_by_test_id("chosen-procedure")).to_contain_text("3.000333")
    page.get_by_label(re.compile("Họ và tên người nộp")).fill("Nguyễn Thị Hồng Nhung")
    page.get_by_label("Số điện thoại").fill("0912 ABC 678")
    page.get_by_label(re.compile("Tờ khai yêu cầu cấp Phiếu")).check()
    page.get_by_test_id("receive").click()

    phone = page.get_by_label("Số điện thoại")
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_applicant_phone_error")).to_contain_text("không hợp lệ")
    expect(page.get_by_test_id("error-summary")).to_contain_text("Số điện thoại")
    assert axe_violations(page) == []
    screenshot(page, f"intake-bad-phone-{name}")

    phone.fill("0912 345 678")
    page.get_by_test_id("receive").click()
    message = page.locator(".messages")
    expect(message).to_contain_text(re.compile(r"Đã tiếp nhận hồ sơ .+ Hẹn trả kết quả lúc"))
    expect(message).to_contain_text("Tiếp theo: in giấy tiếp nhận và hẹn trả")
    expect(page.get_by_test_id("left")).to_contain_text(re.compile(r"Còn \d+ ngày"))
    assert axe_violations(page) == []
    screenshot(page, f"intake-confirmed-{name}")


def test_an_action_confirms_what_happened_and_what_is_next(screen, counter_officer) -> None:
    page, name = screen
    dossier = receive(counter_officer)
    sign_in(page, "counter_officer")
    page.goto(f"/quay/ho-so/{dossier.code}/")
    transfer = page.locator('details[data-action="transfer"]')
    transfer.get_by_role("button").click()
    message = page.locator(".messages")
    expect(message).to_contain_text("Đã thực hiện:")
    expect(message).to_contain_text("Tiếp theo:")
    expect(page.get_by_test_id("timeline")).to_contain_text(dossier.agency.name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[name][0], "the desk must not scroll sideways"
    assert axe_violations(page) == []
    screenshot(page, f"action-confirmed-{name}")


def test_another_units_dossier_is_a_styled_refusal_with_a_way_back(
    screen, specialist, commune_officer
) -> None:
    page, name = screen
    dossier = receive(commune_officer, unit_code="AH-X01", procedure="1.004222")
    sign_in(page, "specialist")
    expect(page.get_by_role("link", name="Tiếp nhận hồ sơ")).to_have_count(0)  # not theirs
    response = page.goto(f"/quay/ho-so/{dossier.code}/")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("refusal")).to_contain_text("Không tìm thấy trang hoặc hồ sơ")
    assert axe_violations(page) == []
    screenshot(page, f"refused-dossier-{name}")
    response = page.goto("/quay/tiep-nhan/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Bạn không được mở trang này")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"refused-intake-{name}")
    page.get_by_test_id("way-back").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()
