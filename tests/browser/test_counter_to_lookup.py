"""End to end in chromium: an officer receives a dossier at the counter, prints its slip, and a
citizen looks it up — by typing the code, and with the phone digits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from motcua.dossiers.models import Dossier
from tests.browser.conftest import screenshot
from tests.dossiers.test_receive_dossier import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", name="Tiếp nhận hồ sơ", exact=True)).to_be_visible()


def test_an_officer_receives_a_dossier_and_a_citizen_looks_it_up(
    page: Page, counter_officer
) -> None:
    sign_in(page, "counter_officer")
    page.get_by_label(re.compile("Tìm theo tên hoặc mã thủ tục")).fill("ly lich tu phap")
    page.get_by_role("link", name=re.compile("3.000333")).click()
    expect(page.get_by_test_id("chosen-procedure")).to_contain_text("3.000333")
    page.get_by_label(re.compile("Họ và tên người nộp")).fill("Nguyễn Thị Hồng Nhung")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label(re.compile("Tờ khai yêu cầu cấp Phiếu")).check()
    screenshot(page, "counter-intake")
    page.get_by_test_id("receive").click()

    code_heading = page.get_by_test_id("dossier-code")
    expect(code_heading).to_have_text(re.compile(r"^000\.00\.01\.H99-\d{6}-0001$"))
    code = code_heading.inner_text()
    assert Dossier.objects.get().code == code
    slip = page.request.get(page.get_by_test_id("slip-link").get_attribute("href") or "")
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"
    assert slip.body().startswith(b"%PDF")
    screenshot(page, "counter-received")

    page.get_by_role("button", name=re.compile("Đăng xuất")).click()
    page.goto("/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã tiếp nhận")
    expect(page.get_by_test_id("explanation")).to_contain_text("Hẹn trả")
    expect(page.get_by_text("Nguyễn Thị Hồng Nhung")).to_have_count(0)
    page.get_by_label("Mã tra cứu hoặc 4 số cuối điện thoại").fill("5678")
    page.get_by_role("button", name="Xem thông tin").click()
    expect(page.get_by_test_id("steps")).to_contain_text("Tiếp nhận hồ sơ")
    expect(page.get_by_text("Nguyễn Thị Hồng Nhung")).to_have_count(0)
    page.get_by_label("Mã tra cứu hoặc 4 số cuối điện thoại").fill(
        Dossier.objects.get().lookup_code
    )
    page.get_by_role("button", name="Xem thông tin").click()
    expect(page.get_by_test_id("private")).to_contain_text("Nguyễn Thị Hồng Nhung")
    screenshot(page, "lookup-private")


def test_the_qr_link_opens_the_lookup_on_a_phone(browser, live_server, counter_officer) -> None:
    dossier = receive(counter_officer)
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    page = phone.new_page()
    page.goto(f"/tra-cuu/{dossier.code}/")
    expect(page.get_by_test_id("due")).to_have_text("10:00, 12/05/2025")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the lookup page must not scroll sideways on a phone"
    screenshot(page, "lookup-phone")
    phone.close()


def test_the_counter_works_from_the_keyboard(page: Page, counter_officer) -> None:
    sign_in(page, "counter_officer")
    page.keyboard.press("Alt+t")
    page.keyboard.type("dang ky thuong tru")
    result = page.get_by_role("link", name=re.compile("1.004222"))
    expect(result).to_be_visible()
    result.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chosen-procedure")).to_contain_text("1.004222")
