"""The reports dashboard in chromium: a centre director picks March 2025, sees the figures and
the charts plotly.js drew under the page's Content-Security-Policy, opens a figure's formula
from the keyboard and follows a figure to its dossiers; the public page fits a phone. The
`page` fixture fails the test on any console error or 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from motcua.accounts.models import Role
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import make_user
from tests.reports.history import History, build_march, build_ratings, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def march(counter_officer, commune_officer, agency_leader) -> History:
    history = build_march(people(counter_officer, commune_officer, agency_leader))
    build_ratings()
    return history


def sign_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()


def expect_charts_drawn(page: Page) -> None:
    for chart in ("chart-trend", "chart-timeliness", "chart-channels"):
        area = page.get_by_test_id(chart)
        expect(area).to_have_class(re.compile(r"\bjs-plotly-plot\b"))
        expect(area.locator("svg.main-svg").first).to_be_visible()
    # bars and lines were drawn, not just empty axes
    expect(page.locator("#chart-timeliness .barlayer .point").first).to_be_attached()
    expect(page.locator("#chart-trend .scatterlayer .trace").first).to_be_attached()


def no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_a_director_reads_march_and_follows_a_figure_to_its_dossiers(
    page: Page, march: History
) -> None:
    make_user("director", "AH", Role.CENTRE_DIRECTOR)
    sign_in(page, "director")
    page.get_by_role("link", name="Báo cáo").click()
    expect(page.get_by_role("heading", name="Báo cáo, thống kê hồ sơ")).to_be_visible()

    # Only the fields of the chosen kind of period are shown.
    expect(page.get_by_label("Tháng", exact=True)).to_be_visible()
    expect(page.get_by_label("Từ ngày")).to_be_hidden()
    page.get_by_label("Loại kỳ").select_option("tu-chon")
    expect(page.get_by_label("Từ ngày")).to_be_visible()
    expect(page.get_by_label("Tháng", exact=True)).to_be_hidden()
    page.get_by_label("Loại kỳ").select_option("thang")

    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Tháng", exact=True).select_option("3")
    page.get_by_test_id("show-report").click()
    expect(page.get_by_test_id("period-label")).to_have_text(
        "Tháng 3/2025 (01/03/2025 – 31/03/2025)"
    )
    assert "nam=2025" in page.url and "thang=3" in page.url  # bookmarkable
    expect(page.get_by_test_id("figure-received.total").locator(".figure-number")).to_have_text(
        "17"
    )
    expect(page.get_by_test_id("figure-resolved.late").locator(".figure-number")).to_have_text("3")
    expect(
        page.get_by_test_id("figure-pending.awaiting_supplement").locator(".figure-number")
    ).to_have_text("2")
    expect(page.get_by_test_id("balanced")).to_contain_text("Cân đối")
    expect(page.locator("#f-resolved-late")).to_contain_text("21,43 % số đã giải quyết")
    expect_charts_drawn(page)

    # The formula opens from the keyboard.
    formula = page.locator("#f-resolved-late details.formula")
    expect(formula.locator("p")).to_be_hidden()
    formula.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(formula.locator("p")).to_be_visible()
    expect(formula.locator("p")).to_contain_text("sau ngày hẹn trả")
    screenshot(page, "dashboard-march")
    assert axe_violations(page) == []

    page.get_by_test_id("figure-resolved.late").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã giải quyết — Quá hạn")
    expect(page.get_by_test_id("dossier-count")).to_have_text("3")
    rows = page.get_by_test_id("dossier-row")
    expect(rows).to_have_count(3)
    for name in ("X3", "R3", "R4"):
        expect(page.get_by_test_id("dossier-list")).to_contain_text(march.d[name].code)
    screenshot(page, "dashboard-drilldown")
    assert axe_violations(page) == []

    # From the list to a dossier's desk, and back to the report.
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("dossier-code")).to_have_text(march.d["X3"].code)
    page.go_back()
    page.get_by_role("link", name="Về báo cáo").click()
    expect(page.get_by_test_id("period-label")).to_contain_text("Tháng 3/2025")

    # The table by agency: late and overdue highlighted, each number a list.
    table = page.get_by_test_id("agency-table")
    expect(table.locator("tr.is-overdue")).to_have_count(2)
    table.locator("tr[data-agency='AH-CAT-PV06'] td").nth(3).get_by_role("link").click()
    expect(page.get_by_test_id("dossier-count")).to_have_text("1")  # C3
    expect(page.get_by_test_id("dossier-list")).to_contain_text(march.d["C3"].code)


def test_the_public_page_fits_a_phone(page: Page, march: History) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/thong-ke/?nam=2025&thang=3")
    expect(
        page.get_by_role("heading", name="Thống kê giải quyết thủ tục hành chính")
    ).to_be_visible()
    expect(page.get_by_test_id("figure-received.total")).to_contain_text("17")
    expect(page.locator("a[href*='chi-so=']")).to_have_count(0)
    expect_charts_drawn(page)
    assert no_horizontal_scroll(page)
    page.locator("#f-pending-overdue summary").click()
    expect(page.locator("#f-pending-overdue details p")).to_be_visible()
    page.locator("details.chart-table summary").first.click()
    assert no_horizontal_scroll(page)
    screenshot(page, "dashboard-public-phone")
    assert axe_violations(page) == []

    # Another month from the picker.
    page.get_by_label("Đơn vị", exact=True).select_option("AH-X01")
    page.get_by_label("Tháng", exact=True).select_option("4")
    page.get_by_test_id("show-report").click()
    expect(page.get_by_test_id("period-label")).to_contain_text("Tháng 4/2025")
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("xã Đông Hòa")
    expect_charts_drawn(page)
    assert no_horizontal_scroll(page)
