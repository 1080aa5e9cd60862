"""The tracking book page (form 07) in chromium, on a counter PC and on a phone: the officer
picks a period and downloads the book as PDF (to print) or XLSX (for a long book); a book too
long for a PDF is refused with the XLSX offered (tests/web/test_work_pages.py: a 422, which
the `page` fixture counts as a console error). axe-core finds nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def sign_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_officer_downloads_the_book_as_pdf_or_xlsx(
    page: Page, counter_officer, viewport
) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 10, 6, 9))
    page.set_viewport_size(viewport)
    sign_in(page, "counter_officer")
    page.goto("/quay/so-theo-doi/")
    expect(page.get_by_role("heading", name="Sổ theo dõi hồ sơ (mẫu 07)")).to_be_visible()
    page.get_by_label("Từ ngày").fill("2025-10-01")
    page.get_by_label("Đến ngày").fill("2025-10-31")
    expect(page.get_by_role("button", name="Tải sổ (Excel)")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"tracking-book-{viewport['width']}")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải sổ (Excel)").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["B11"].value == dossier.code
