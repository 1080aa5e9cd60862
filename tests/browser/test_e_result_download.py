"""The citizen downloads the signed electronic result from the public lookup with the lookup
code (issue 11 part 5), on a phone and at a desktop, and nobody else gets it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from motcua.dossiers import actions
from motcua.dossiers.models import EventType
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_citizen_lookup import VIEWPORTS, opened
from tests.conftest import vn
from tests.documents.test_documents import media, pdf_bytes
from tests.eresults.test_e_results import (
    approve,
    awaiting_approval,
    e_result_version,
    pki,
    signing,
    validated,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["e_result_version", "media", "pki", "signing"]  # fixtures


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_citizen_downloads_the_signed_result_with_the_lookup_code(
    browser: Browser,
    live_server,
    media,
    signing,
    e_result_version,
    counter_officer,
    agency_leader,
    specialist,
    viewport,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    dossier = approve(dossier, agency_leader, pdf_bytes("Giay phep so 125"))
    dossier = actions.return_result(dossier=dossier, by=agency_leader, at=vn(2025, 5, 8, 10))
    page = opened(browser, live_server, VIEWPORTS[viewport])

    page.goto(f"/tra-cuu/{dossier.code}/")
    expect(page.get_by_test_id("download-result")).to_have_count(0)  # not without the code
    page.get_by_label("Mã tra cứu hoặc 4 số cuối điện thoại").fill(dossier.lookup_code.lower())
    page.get_by_role("button", name="Xem thông tin").click()
    button = page.get_by_role("button", name="Tải kết quả (PDF có chữ ký số)")
    expect(button).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport][0], "the page scrolls sideways"
    assert axe_violations(page) == []
    screenshot(page, f"e-result-{viewport}")

    with page.expect_download() as waiting:
        button.click()
    saved = tmp_path / "ket-qua.pdf"
    waiting.value.save_as(saved)
    assert waiting.value.suggested_filename.endswith(".pdf")
    status = validated(saved.read_bytes(), signing)
    assert status.intact and status.valid and status.trusted
    with page.expect_download():
        button.click()  # a second download: the delivery stays recorded once
    assert dossier.events.filter(type=EventType.RESULT_DELIVERED).count() == 1

    # the phone's digits are not enough: a styled refusal, no file
    refused = page.request.post(
        f"/tra-cuu/{dossier.code}/ket-qua/", form={"khoa": dossier.applicant_phone[-4:]}
    )
    assert refused.status == 403
    page.goto(f"/tra-cuu/{dossier.code}/ket-qua/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cần mã tra cứu để tải kết quả")
    assert axe_violations(page) == []
    screenshot(page, f"e-result-refused-{viewport}")
    page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_leader_attaches_the_result_on_the_desk(
    browser: Browser,
    live_server,
    media,
    signing,
    e_result_version,
    counter_officer,
    agency_leader,
    specialist,
    viewport,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    page = opened(browser, live_server, VIEWPORTS[viewport])
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("agency_leader")
    page.get_by_label("Mật khẩu").fill("pw-agency_leader")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/quay/ho-so/{dossier.code}/")
    box = page.locator("details[data-action='approve']")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    chooser = box.get_by_label("Tệp kết quả (PDF, hệ thống ký số)")
    expect(chooser).to_have_attribute("required", "")
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport][0], "the desk scrolls sideways"
    fake = tmp_path / "ket-qua.pdf"
    fake.write_bytes(b"GIF89a not a pdf")  # lies about its type: refused, nothing written
    chooser.set_input_files(str(fake))
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-error")).to_contain_text("Chỉ nhận tệp PDF")
    box = page.locator("details[data-action='approve']")
    real = tmp_path / "quyet-dinh.pdf"
    real.write_bytes(pdf_bytes("Quyet dinh 125"))
    box.get_by_label("Tệp kết quả (PDF, hệ thống ký số)").set_input_files(str(real))
    box.get_by_label("Số văn bản kết quả").fill("125/PV06")
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-error")).to_have_count(0)
    expect(page.get_by_text("Kết quả giải quyết số 125/PV06")).to_be_visible()
    screenshot(page, f"e-result-desk-{viewport}")
    page.context.close()
