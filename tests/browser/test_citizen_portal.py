"""The citizen portal end to end in Chromium, on a phone and at a desktop (issue 11 item 4):
a citizen signs in through a real OpenID Connect provider on loopback (its own login and
consent pages), fills in and saves a draft, submits it; the counter accepts it; the agency
asks for a supplement, which the citizen sends online; the agency approves with a signed
result, which the citizen downloads from their account, and the signature validates."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, EventType, Source
from motcua.workflow.states import Status
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_citizen_lookup import VIEWPORTS, opened
from tests.citizens.provider import running_provider
from tests.documents.test_documents import media, pdf_bytes
from tests.eresults.test_e_results import e_result_version, pki, signing, validated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["e_result_version", "media", "pki", "signing"]  # fixtures


def checked(page: Page, name: str, viewport: str) -> None:
    """No accessibility violation, no sideways scrolling, and a screenshot to look at."""
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport][0], f"{name} scrolls sideways"
    screenshot(page, f"citizen-{name}-{viewport}")


def sign_in(page: Page, viewport: str) -> None:
    page.goto("/cong-dan/dang-nhap/xac-thuc/?code=forged&state=forged")  # a forged callback
    expect(page.get_by_role("heading", level=1)).to_have_text("Không đăng nhập được")
    checked(page, "signin-refused", viewport)
    page.goto("/cong-dan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập công dân")
    checked(page, "signin", viewport)
    # by keyboard: the link takes the focus and Enter follows it
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử").focus()
    page.keyboard.press("Enter")
    # the provider's own pages
    page.locator("input[name=login]").fill("an")
    page.locator("input[name=password]").fill("mat-khau")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")


def fill_draft(page: Page, viewport: str, tmp_path: Path) -> None:
    page.get_by_role("link", name="Nộp hồ sơ mới").click()
    page.get_by_label("Tìm thủ tục (gõ không dấu cũng được)").fill("ly lich tu phap")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_test_id("online-procedures")).to_contain_text("3.000333")
    checked(page, "procedures", viewport)
    page.get_by_role("link", name="Cấp Phiếu lý lịch tư pháp").first.click()
    checked(page, "start", viewport)
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    liar = tmp_path / "to-khai.pdf"
    liar.write_bytes(b"GIF89a not a pdf")  # lies about its type: refused
    page.locator("#file-0").set_input_files(str(liar))
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_test_id("draft-error")).to_contain_text("Chỉ nhận tệp PDF")
    for index, text in enumerate(("To khai", "Can cuoc")):
        paper = tmp_path / f"giay-{index}.pdf"
        paper.write_bytes(pdf_bytes(text))
        page.locator(f"#file-{index}").set_input_files(str(paper))
    page.get_by_role("button", name="Lưu nháp").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("component-file")).to_have_count(2)
    checked(page, "draft", viewport)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_citizen_applies_supplements_and_downloads_the_signed_result(
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
    callback = f"{live_server.url}/cong-dan/dang-nhap/xac-thuc/"
    with running_provider([callback]):
        page = opened(browser, live_server, VIEWPORTS[viewport])
        sign_in(page, viewport)
        checked(page, "home-empty", viewport)
        fill_draft(page, viewport, tmp_path)

        page.get_by_role("button", name="Nộp hồ sơ").click()
        expect(page.get_by_test_id("status")).to_have_text(
            "Trạng thái: Đã gửi trực tuyến, chờ tiếp nhận"
        )
        dossier = Dossier.objects.get()
        assert (dossier.status, dossier.source) == (Status.SUBMITTED, Source.OWN_PORTAL)
        checked(page, "submitted", viewport)

        # the counter accepts it through the action table; the agency asks for a supplement
        dossier = actions.perform("accept", dossier=dossier, by=counter_officer)
        dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer)
        dossier = actions.assign_dossier(dossier=dossier, by=agency_leader, specialist=specialist)
        dossier = actions.request_supplement(
            dossier=dossier, by=specialist, reason="Bản sao mờ", items=["Bản sao căn cước rõ nét"]
        )
        page.reload()
        expect(page.get_by_test_id("status")).to_contain_text("Chờ ông/bà bổ sung giấy tờ")
        checked(page, "supplement", viewport)
        sharp = tmp_path / "cccd-ro.pdf"
        sharp.write_bytes(pdf_bytes("CCCD ro net"))
        page.get_by_label("Bản sao căn cước rõ nét").set_input_files(str(sharp))
        page.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
        expect(page.get_by_test_id("supplement-sent")).to_be_visible()
        dossier.refresh_from_db()
        assert dossier.status == Status.ASSIGNED and dossier.paused_at is None
        assert dossier.events.filter(type=EventType.SUPPLEMENT_RECEIVED).count() == 1

        # approved with a signed result, which reaches the one-stop
        dossier = actions.appraise_dossier(dossier=dossier, by=specialist, opinion="Đủ")
        dossier = actions.submit_for_approval(dossier=dossier, by=specialist)
        result = tmp_path / "ket-qua.pdf"
        result.write_bytes(pdf_bytes("Phieu LLTP so 9"))
        with result.open("rb") as handle:
            from django.core.files import File

            dossier = actions.approve_dossier(
                dossier=dossier,
                by=agency_leader,
                result_number="9/PV06",
                result_file=File(handle, name="ket-qua.pdf"),
            )
        actions.return_result(dossier=dossier, by=agency_leader)
        page.reload()
        expect(page.get_by_test_id("status")).to_contain_text("Đã có kết quả")
        checked(page, "result", viewport)
        with page.expect_download() as waiting:
            page.get_by_test_id("download-result").click()
        saved = tmp_path / "tai-ve.pdf"
        waiting.value.save_as(saved)
        status = validated(saved.read_bytes(), signing)
        assert status.intact and status.valid and status.trusted
        assert dossier.events.filter(type=EventType.RESULT_DELIVERED).count() == 1

        page.goto("/cong-dan/")
        expect(page.get_by_test_id("state")).to_have_text("Đã trả kết quả")
        checked(page, "home", viewport)
        page.context.close()
