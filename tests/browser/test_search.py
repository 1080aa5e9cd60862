"""Searching, in chromium, on a phone and at a counter PC: a citizen finds a procedure in the
public catalogue by words typed without accents and in any order, and opens its sheet; an
officer finds dossiers by the applicant's name without accents and by part of the code, and
never another unit's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from motcua.accounts.models import Role
from motcua.dossiers.actions import Applicant
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import make_user, vn
from tests.dossiers.test_receive_dossier import RESIDENCE, receive

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


def test_a_citizen_finds_a_procedure_without_accents_in_any_order(
    page: Page, catalogue, viewport: str
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Thủ tục hành chính").click()
    expect(page.get_by_role("heading", name="Thủ tục hành chính", exact=True)).to_be_visible()
    page.get_by_label("Tìm thủ tục").fill("dat bien dong dang ky")
    page.get_by_role("button", name="Tìm", exact=True).click()
    result = page.get_by_role("link", name=re.compile("^Đăng ký biến động quyền sử dụng đất"))
    expect(result).to_be_visible()
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"catalogue-search-{viewport}")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký biến động")
    expect(page.get_by_role("row", name=re.compile("Bưu chính"))).to_contain_text("4 ngày")
    expect(page.get_by_role("heading", name="Giấy tờ cần nộp")).to_be_visible()
    expect(page.get_by_role("button", name="In trang này")).to_be_visible()
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"catalogue-sheet-{viewport}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="In trang này")).to_be_hidden()
    screenshot(page, f"catalogue-sheet-print-{viewport}")


def test_an_officer_finds_dossiers_by_name_and_code_part_only_their_own(
    page: Page, commune_officer, viewport: str
) -> None:
    name = Applicant(name="Nguyễn Thị Ánh Đào", phone="0912 345 678")
    own = receive(commune_officer, "AH-X01", RESIDENCE, applicant=name)
    other = receive(
        make_user("bac_an_counter", "AH-P02", Role.COUNTER_OFFICER),
        "AH-P02",
        RESIDENCE,
        applicant=name,
        received_at=vn(2025, 4, 25, 9, 0),
    )
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("commune_officer")
    page.get_by_label("Mật khẩu").fill("pw-commune_officer")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Tìm hồ sơ").click()
    box = page.get_by_label(re.compile("^Mã hồ sơ, tên người nộp"))

    box.fill("dao anh nguyen")
    page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.get_by_test_id("dossier-results")
    expect(results).to_contain_text(own.code)
    expect(results).to_contain_text("Nguyễn Thị Ánh Đào")
    expect(results).not_to_contain_text(other.code)
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    screenshot(page, f"staff-search-name-{viewport}")

    box = page.get_by_label(re.compile("^Mã hồ sơ, tên người nộp"))
    box.fill(own.code[-11:])  # "250424-0001": the day and number, any unit
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(results.get_by_role("link")).to_have_text([own.code])
    assert axe_violations(page) == []
    screenshot(page, f"staff-search-code-{viewport}")
    results.get_by_role("link", name=own.code).click()
    expect(page.get_by_test_id("dossier-code")).to_have_text(own.code)
