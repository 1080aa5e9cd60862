"""The whole life of a dossier in chromium, each person in their own browser: received at the
counter, transferred, assigned, a supplement pause, an inter-agency answer from the tax office,
an apology with a new appointment, approval, the result back at the one-stop, and delivery by
post."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from motcua.accounts.models import Role
from motcua.core.clock import local
from motcua.dossiers.models import Dossier
from tests.browser.conftest import screenshot
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def person(browser: Browser, live_server, username: str) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    return page


def open_dossier(page: Page, code: str) -> None:
    page.goto("/quay/viec-can-lam/")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_test_id("dossier-code")).to_have_text(code)


def act(page: Page, action: str, **fields: str) -> None:
    box = page.locator(f"details[data-action='{action}']")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for label, value in fields.items():
        box.get_by_label(re.compile(label)).fill(value)
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-error")).to_have_count(0)


def test_a_dossier_travels_its_whole_life(browser, live_server, counter_officer) -> None:  # type: ignore[no-untyped-def]
    make_user("land_leader", "AH-VPDKDD", Role.AGENCY_LEADER)
    make_user("land_specialist", "AH-VPDKDD", Role.SPECIALIST)
    make_user("tax_specialist", "AH-THUE", Role.SPECIALIST)

    counter = person(browser, live_server, "counter_officer")
    counter.goto("/quay/tiep-nhan/")
    counter.get_by_label(re.compile("Tìm theo tên")).fill("dang ky bien dong")
    counter.get_by_role("link", name=re.compile("1.013831")).click()
    counter.get_by_label(re.compile("Họ và tên người nộp")).fill("Lê Thị Thu")
    counter.get_by_label("Số điện thoại").fill("0987 111 222")
    counter.locator("input[name=components]").first.check()
    counter.get_by_label("Qua bưu chính công ích").last.check()
    counter.get_by_label(re.compile("Địa chỉ nhận kết quả")).fill("Số 9 Lê Lợi, phường Bắc An")
    counter.get_by_test_id("receive").click()
    code = counter.get_by_test_id("dossier-code").inner_text()
    act(counter, "transfer")
    expect(counter.get_by_test_id("status")).to_have_text("Đã chuyển cơ quan giải quyết")

    leader = person(browser, live_server, "land_leader")
    open_dossier(leader, code)
    box = leader.locator("details[data-action='assign']")
    box.get_by_label("Chuyên viên thụ lý").select_option(label="Land Specialist")
    box.locator("button[type=submit]").click()
    expect(leader.get_by_test_id("status")).to_have_text("Đang thẩm định")

    specialist = person(browser, live_server, "land_specialist")
    open_dossier(specialist, code)
    act(
        specialist,
        "request_supplement",
        **{
            "Lý do yêu cầu bổ sung": "Thiếu hợp đồng",
            "Giấy tờ cần bổ sung": "Hợp đồng chuyển nhượng",
        },
    )
    expect(specialist.get_by_test_id("status")).to_have_text("Chờ bổ sung")
    expect(specialist.get_by_test_id("paper-02")).to_be_visible()

    open_dossier(counter, code)
    act(counter, "receive_supplement")
    expect(counter.get_by_test_id("status")).to_have_text("Đang thẩm định")

    tax = person(browser, live_server, "tax_specialist")
    open_dossier(tax, code)
    act(tax, "complete_step", **{"Ý kiến của cơ quan phối hợp": "Nghĩa vụ tài chính: 2.000.000 đ"})

    open_dossier(specialist, code)
    act(specialist, "appraise", **{"Ý kiến thẩm định": "Đủ điều kiện"})
    act(specialist, "submit_for_approval")
    expect(specialist.get_by_test_id("status")).to_have_text("Chờ phê duyệt")

    dossier = Dossier.objects.get(code=code)
    new_due = local(dossier.due_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    open_dossier(leader, code)
    box = leader.locator("details[data-action='apologise_and_extend']")
    box.locator("summary").click()
    box.get_by_label("Ngày hẹn trả mới").fill(new_due)
    print(box.inner_html())
    box.get_by_label("Lý do chậm giải quyết").fill("Chờ kết quả đo đạc lại")
    box.locator("button[type=submit]").click()
    expect(leader.get_by_test_id("paper-04")).to_be_visible()
    act(leader, "approve")
    act(leader, "return_result")
    expect(leader.get_by_test_id("status")).to_have_text("Đã xử lý xong")

    open_dossier(counter, code)
    box = counter.locator("details[data-action='deliver']")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.get_by_label("Qua bưu chính công ích").check()
    box.get_by_label("Số hiệu bưu gửi").fill("EMS000111222VN")
    box.locator("button[type=submit]").click()
    expect(counter.get_by_test_id("status")).to_have_text("Đã trả kết quả")
    expect(counter.get_by_test_id("timeline")).to_contain_text("Xin lỗi và hẹn lại")
    screenshot(counter, "desk-delivered")

    dossier.refresh_from_db()
    assert dossier.status == "RETURNED" and dossier.delivered_via == "postal"
    assert dossier.due_at_original is not None
    assert dossier.steps.get(key="tax").completed_at is not None
    types = list(dossier.events.order_by("sequence").values_list("type", flat=True))
    assert types[:2] == ["received", "transferred"]
    assert {
        "supplement_requested",
        "supplement_received",
        "step_completed",
        "extended",
        "approved",
        "resolved",
        "result_delivered",
    } <= set(types)
    control = counter.request.get(f"/quay/ho-so/{code}/mau-06.pdf")
    assert control.status == 200 and control.body().startswith(b"%PDF")


def test_the_agencies_page_shows_what_they_hold(page: Page, counter_officer) -> None:  # type: ignore[no-untyped-def]
    from motcua.dossiers import actions
    from tests.conftest import vn
    from tests.dossiers.test_receive_dossier import receive

    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("counter_officer")
    page.get_by_label("Mật khẩu").fill("pw-counter_officer")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/quay/co-quan/")
    table = page.get_by_test_id("agency-debts")
    expect(table).to_contain_text("PV06")
    expect(table.locator("tr.is-overdue")).to_have_count(1)
    screenshot(page, "agencies")
