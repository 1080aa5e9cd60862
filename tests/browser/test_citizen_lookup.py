"""What a citizen reads on the public lookup at each state of their dossier, on a phone and
at a desktop (issue 10 item 1): what to do and when, in plain words, no staff jargon, a code
that never breaks, and no accessibility violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot
from tests.lookup.states import STATES, at_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}

# what the citizen must read: the state, and what happens next
EXPECTED = {
    "received": ("Đã tiếp nhận", "Hẹn trả kết quả: 09:00 thứ Hai 19/05/2025"),
    "in_progress": ("Đang giải quyết", "Hẹn trả kết quả: 09:00 thứ Hai 19/05/2025"),
    "supplement": ("Chờ ông/bà bổ sung giấy tờ", "Ông/bà cần bổ sung giấy tờ"),
    "extended": ("Đang giải quyết", "Ngày hẹn trả đã dời đến 09:00 thứ Hai 26/05/2025"),
    "result_ready": ("Đã có kết quả", "Đã có kết quả: mời ông/bà đến nhận"),
    "delivered": ("Đã trả kết quả", "Đã trả kết quả lúc 08:00 thứ Sáu 09/05/2025"),
}
DETAILS = {
    "received": "mang theo giấy hẹn và căn cước",
    "in_progress": "Ông/bà chưa cần làm gì",
    "supplement": "tạm dừng từ 14:00 thứ Tư 07/05/2025",
    "extended": "xin lỗi",
    "result_ready": "mang theo giấy hẹn và căn cước",
    "delivered": "số hiệu bưu gửi EL123456789VN",
}


def opened(browser: Browser, live_server, size: tuple[int, int]) -> Page:  # type: ignore[no-untyped-def]
    width, height = size
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        is_mobile=width < 500,
        has_touch=width < 500,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_citizen_knows_what_happens_next_at_each_state(
    browser, live_server, counter_officer, agency_leader, specialist, viewport
) -> None:  # type: ignore[no-untyped-def]
    page = opened(browser, live_server, VIEWPORTS[viewport])
    for state in STATES:
        dossier = at_state(state, counter_officer, agency_leader, specialist)
        status, title = EXPECTED[state]
        # the QR of the slip: the lookup code opens the full view
        page.goto(f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}")
        expect(page.get_by_test_id("status")).to_contain_text(status)
        next_step = page.get_by_test_id("next-step")
        expect(next_step.get_by_role("heading")).to_have_text(title)
        expect(next_step).to_contain_text(DETAILS[state])
        expect(page.get_by_test_id("private")).to_contain_text("Nguyễn Văn An")
        for jargon in ("Phân công thụ lý", "Thẩm định xong", "Trình phê duyệt", "thụ lý"):
            expect(page.get_by_text(jargon)).to_have_count(0)
        code = page.get_by_test_id("dossier-code")
        box = code.bounding_box()
        line = page.evaluate(
            "el => parseFloat(getComputedStyle(el).lineHeight)", code.element_handle()
        )
        assert box is not None and box["height"] < 1.5 * line, "the code broke over two lines"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport][0], f"{state}: the page scrolls sideways"
        assert axe_violations(page) == [], state
        screenshot(page, f"citizen-{state}-{viewport}")
    page.context.close()


def test_without_the_lookup_code_the_steps_show_but_nothing_personal(
    browser, live_server, counter_officer, agency_leader, specialist
) -> None:  # type: ignore[no-untyped-def]
    page = opened(browser, live_server, VIEWPORTS["phone"])
    dossier = at_state("supplement", counter_officer, agency_leader, specialist)
    page.goto(f"/tra-cuu/{dossier.code}/")
    expect(page.get_by_test_id("next-step")).to_contain_text("tạm dừng từ 14:00")
    expect(page.get_by_test_id("supplement-items")).to_have_count(0)
    page.get_by_label("Mã tra cứu hoặc 4 số cuối điện thoại").fill("5678")
    page.get_by_role("button", name="Xem thông tin").click()
    expect(page.get_by_test_id("steps")).to_contain_text("Đề nghị ông/bà bổ sung giấy tờ")
    expect(page.get_by_text("Nguyễn Văn An")).to_have_count(0)
    expect(page.get_by_text("Tờ khai có chữ ký")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "citizen-digits-phone")
    page.get_by_label("Mã tra cứu hoặc 4 số cuối điện thoại").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Xem thông tin").click()
    expect(page.get_by_role("alert")).to_have_text("Mã tra cứu không đúng.")
    assert axe_violations(page) == []
    page.context.close()
