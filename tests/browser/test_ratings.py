"""End to end in chromium: a citizen served at counter 1 rates the visit on the tablet facing
the counter, and a citizen rates a dossier from the QR of its receipt (the lookup code in the
URL) on a phone. Each page is checked with axe and photographed at 1366x768 and 390x844."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from motcua.core.clock import now
from motcua.feedback.models import Rating
from tests.browser.conftest import axe_violations, screenshot
from tests.feedback.conftest import builtin_scales, serve, tablet  # noqa: F401 — fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_rating_on_the_counter_tablet_then_by_the_receipts_qr(
    page: Page,
    browser: Browser,
    live_server,
    hall,
    tablet,  # noqa: F811
    counter_officer,
    builtin_scales,  # noqa: F811
) -> None:
    moment = now() - timedelta(minutes=1)
    ticket, dossier = serve(
        hall,
        counter_officer,
        drawn=moment - timedelta(minutes=30),
        called=moment - timedelta(minutes=20),
        finished=moment,
    )
    assert dossier is not None

    page.set_viewport_size(DESKTOP)
    page.goto(f"/sanh/AH/danh-gia/{tablet.token}/")
    expect(page.get_by_text(f"Lượt phục vụ số {ticket.label}")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "rating-tablet")
    page.set_viewport_size(PHONE)
    assert axe_violations(page) == []
    screenshot(page, "rating-tablet-phone")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("group", name="Mức độ hài lòng chung").get_by_label("Rất hài lòng").check()
    page.get_by_role("group", name="Thái độ của cán bộ").get_by_label(
        "Rất lịch sự, thân thiện"
    ).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "rating-tablet-thanks")
    page.goto("about:blank")  # the thank-you page reloads itself for the next visit
    rating = Rating.objects.get()
    assert (rating.source, rating.ticket_id, rating.officer_id) == (
        "tablet",
        ticket.pk,
        counter_officer.pk,
    )

    phone = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport=PHONE, bypass_csp=True
    ).new_page()
    phone.goto(f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}")
    phone.get_by_role("button", name="Đánh giá dịch vụ này").click()
    expect(phone.get_by_text(f"Hồ sơ {dossier.code}")).to_be_visible()
    criterion = phone.get_by_role("group", name="Số lần phải liên hệ nơi tiếp nhận")
    criterion.get_by_label("Tốt (2 điểm)").check()
    phone.get_by_role("group", name="Mức độ hài lòng chung").get_by_label(
        "Hài lòng", exact=True
    ).check()
    assert axe_violations(phone) == []
    assert questions_fit(phone), "each question must wrap inside its box on a phone"
    screenshot(phone, "rating-qr-phone")
    phone.set_viewport_size(DESKTOP)
    assert axe_violations(phone) == []
    screenshot(phone, "rating-qr")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    by_qr = Rating.objects.get(source="qr")
    assert by_qr.dossier_id == dossier.pk
    assert by_qr.answers == {"one_stop.c3_contacts": "2", "overall": "satisfied"}


def questions_fit(page: Page) -> bool:
    """No sideways scroll, and every question (legend) lies inside its box's border: on a
    phone a long question wraps inside the box rather than hanging over its top edge."""
    return bool(
        page.evaluate(
            """() => document.documentElement.scrollWidth <= window.innerWidth &&
              [...document.querySelectorAll('fieldset.rating-question')].every(box => {
                const outer = box.getBoundingClientRect();
                const border = parseFloat(getComputedStyle(box).borderTopWidth);
                const legend = box.querySelector('legend').getBoundingClientRect();
                return legend.top >= outer.top + border && legend.left >= outer.left &&
                  legend.right <= outer.right;
              })"""
        )
    )
