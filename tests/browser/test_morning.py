"""A morning at the provincial centre (AH), end to end in chromium, on the real clock.

A citizen books an appointment online; at the kiosk one citizen draws a ticket, an elderly
citizen draws a priority one and the citizen with the appointment checks in by ID number.
Two officers, each in a browser of their own, open counters 1 and 2 and call; the call screen
in the hall is read from the page as it updates live. Counter 1 receives a dossier from its
ticket, counter 2 gives guidance only, then calls the appointment (whose name it only sees
once called) and marks it absent. The citizen served at counter 1 rates the visit on the
tablet facing it and rates the dossier by the QR of the receipt (the lookup code in the URL).
Finally the director reads the day on the dashboard, and `motcua report` prints the same day:
every figure is the count of what the test did, and the waits are the ones the tickets
recorded. Each page is checked with axe."""

from __future__ import annotations

import json
import re
import statistics
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from motcua.accounts.models import Role
from motcua.calendars.models import DayOverride
from motcua.calendars.services import calendar_for
from motcua.core.clock import local, now
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.portal import hall as hall_pages
from motcua.queueing.models import Appointment, Hall, Outcome, Ticket
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import make_user
from tests.feedback.conftest import builtin_scales, tablet  # noqa: F401 — fixtures
from tests.queueing.conftest import second_officer  # noqa: F401 — fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KIOSK = {"width": 1080, "height": 1920}
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
GUIDANCE_PROCEDURE = "1.004222"


def new_page(browser: Browser, live_server, viewport) -> Page:
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        bypass_csp=True,
        viewport=viewport,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f"pw-{username}")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()


def open_counter(page: Page, hall: Hall, number: str) -> None:
    page.get_by_role("link", name="Quầy phục vụ").click()
    page.get_by_label("Quầy", exact=True).select_option(str(hall.counters.get(number=number).pk))
    page.get_by_role("button", name="Mở quầy").click()
    expect(page.get_by_role("button", name="Gọi số tiếp theo")).to_be_visible()


def call_next(page: Page, number: str) -> None:
    page.get_by_role("button", name="Gọi số tiếp theo").click()
    expect(page.get_by_test_id("current-number")).to_have_text(number)


def draw(page: Page, group: str, expected: str, *, priority: str = "") -> None:
    if priority:
        page.get_by_label(priority).check()
    page.get_by_role("button", name=re.compile(group)).click()
    expect(page.locator("#result-number")).to_have_text(expected)
    page.get_by_role("button", name="Xong").click()
    expect(page.get_by_role("heading", name="Lấy số thứ tự")).to_be_visible()


@pytest.fixture
def bookable_today(hall: Hall) -> date:
    """Today takes appointments at the centre whatever the day the suite runs: the centre's
    sessions span the day (the last slot starts at 23:00, so the story holds until 22:45,
    when an on-time appointment would rank first), and a weekend or holiday is made a
    working day (ngày làm bù), as an administrator would."""
    hall.unit.sessions = "00:00-23:59"
    hall.unit.save(update_fields=["sessions"])
    today = local(now()).date()
    if not calendar_for(hall.unit).is_working_day(today):
        DayOverride.objects.create(day=today, kind="swapped_working_day", reason="làm bù")
    return today


def test_a_morning_at_the_centre(
    page: Page,
    browser: Browser,
    live_server,
    hall,
    kiosk,
    screen,
    tablet,  # noqa: F811
    builtin_scales,  # noqa: F811
    counter_officer,
    second_officer,  # noqa: F811
    bookable_today,
    monkeypatch,
    capsys,
) -> None:
    monkeypatch.setattr(hall_pages, "STREAM_SECONDS", 4)  # the screen reconnects while we work
    today = bookable_today

    # 1. Overnight, a citizen books today's last slot on a phone. Checked in early, the
    # appointment waits behind the walk-ins until its slot comes near.
    phone = new_page(browser, live_server, PHONE)
    phone.goto("/sanh/AH/dat-lich/")
    last_today = phone.locator("#slot option").evaluate_all(
        f"options => options.map(o => o.value).filter(v => v.startsWith('{today}')).pop()"
    )
    phone.get_by_label(re.compile("Khung giờ")).select_option(last_today)
    phone.get_by_label("Họ và tên").fill("Phạm Văn Cường")
    phone.get_by_label("Số CCCD").fill("001099012345")
    phone.get_by_role("button", name="Đặt lịch", exact=True).click()
    appointment = Appointment.objects.get()
    expect(phone.get_by_test_id("booked")).to_contain_text(appointment.code)
    assert local(appointment.starts_at).date() == today
    assert axe_violations(phone) == []

    # 2. The hall's screen is on before anyone comes.
    display = new_page(browser, live_server, DESKTOP)
    display.goto(f"/sanh/AH/man-hinh/{screen.token}/")
    expect(display.get_by_text("Chưa có quầy nào mở.")).to_be_visible()

    # 3. Three citizens at the kiosk.
    page.set_viewport_size(KIOSK)
    page.goto(f"/sanh/AH/kiosk/{kiosk.token}/?in=0")
    assert axe_violations(page) == []
    draw(page, "Hộ tịch", "A001")
    draw(page, "Đất đai", "B001", priority="Người cao tuổi")
    page.get_by_label(re.compile("Nhập mã lịch hẹn hoặc số CCCD")).fill("001 099 012 345")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#result-number")).to_have_text("A002")
    assert axe_violations(page) == []
    screenshot(page, "morning-kiosk-appointment")
    page.get_by_role("button", name="Xong").click()
    appointment.refresh_from_db()
    assert appointment.ticket is not None and appointment.ticket.label == "A002"

    # 4. Two officers open counters 1 and 2. The elderly citizen is called first, though she
    # came second; the screen shows each call as it happens.
    first = new_page(browser, live_server, DESKTOP)
    sign_in(first, "counter_officer")
    open_counter(first, hall, "1")
    second = new_page(browser, live_server, DESKTOP)
    sign_in(second, "second_officer")
    open_counter(second, hall, "2")
    expect(second.get_by_text("Phạm Văn Cường")).to_have_count(0)  # hidden while waiting

    call_next(first, "B001")
    expect(display.locator("#display-banner")).to_have_text("Mời số B001 đến quầy số 1")
    call_next(second, "A001")
    expect(display.locator("#display-banner")).to_have_text("Mời số A001 đến quầy số 2")
    expect(display.locator("#display-calls")).to_contain_text("B001")
    expect(display.locator("#display-calls")).to_contain_text("A001")
    counters = display.locator("#display-counters")
    expect(counters.locator("tr", has_text="B001").locator("td").first).to_have_text("1")
    expect(counters.locator("tr", has_text="A001").locator("td").first).to_have_text("2")
    assert axe_violations(display) == []
    screenshot(display, "morning-display")

    # 5. Counter 1 receives a dossier from its ticket and ends the visit.
    first.locator("#main").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(first.get_by_role("heading", name="Tiếp nhận hồ sơ", exact=True)).to_be_visible()
    first.get_by_label(re.compile("Tìm theo tên hoặc mã thủ tục")).fill("ly lich tu phap")
    first.get_by_role("link", name=re.compile("3.000333")).click()
    expect(first.get_by_test_id("chosen-procedure")).to_contain_text("3.000333")
    first.get_by_label(re.compile("Họ và tên người nộp")).fill("Lê Thị Hoa")
    first.get_by_label("Số điện thoại").fill("0912 345 678")
    first.get_by_label(re.compile("Tờ khai yêu cầu cấp Phiếu")).check()
    first.get_by_test_id("receive").click()
    expect(first.get_by_test_id("dossier-code")).to_be_visible()
    dossier = Dossier.objects.get()
    first.goto("/quay/quay-so/")
    expect(first.get_by_text(f"Hồ sơ đã tiếp nhận: {dossier.code}")).to_be_visible()
    assert axe_violations(first) == []
    screenshot(first, "morning-counter-1")
    first.get_by_role("button", name="Kết thúc lượt tiếp nhận").click()
    expect(first.get_by_role("button", name="Gọi số tiếp theo")).to_be_visible()
    served = Ticket.objects.get(hall=hall, number=1, group__code="B")
    assert served.outcome == Outcome.TO_DOSSIER
    assert list(served.links.values_list("dossier__code", flat=True)) == [dossier.code]

    # 6. Counter 2 only explains a procedure, then calls the appointment and sees who it is.
    second.get_by_label("Chỉ hướng dẫn — mã thủ tục").fill(GUIDANCE_PROCEDURE)
    second.get_by_role("button", name="Ghi nhận hướng dẫn").click()
    expect(second.get_by_text("Đã ghi nhận lượt hướng dẫn số A001.")).to_be_visible()
    call_next(second, "A002")
    expect(second.get_by_text("Phạm Văn Cường")).to_be_visible()
    expect(display.locator("#display-banner")).to_have_text("Mời số A002 đến quầy số 2")
    second.get_by_role("button", name="Vắng mặt").click()
    expect(second.get_by_text("Số A002 vắng mặt.")).to_be_visible()
    assert axe_violations(second) == []

    # 7. The citizen of counter 1 rates the visit on its tablet, then the dossier by its QR.
    rating_tablet = new_page(browser, live_server, DESKTOP)
    rating_tablet.goto(f"/sanh/AH/danh-gia/{tablet.token}/")
    expect(rating_tablet.get_by_text("Lượt phục vụ số B001")).to_be_visible()
    assert axe_violations(rating_tablet) == []
    rating_tablet.get_by_role("group", name="Mức độ hài lòng chung").get_by_label(
        "Rất hài lòng"
    ).check()
    rating_tablet.get_by_role("button", name="Gửi đánh giá").click()
    expect(rating_tablet.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    rating_tablet.goto("about:blank")  # the thank-you page reloads itself for the next visit

    phone.goto(f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}")
    phone.get_by_role("button", name="Đánh giá dịch vụ này").click()
    expect(phone.get_by_text(f"Hồ sơ {dossier.code}")).to_be_visible()
    phone.get_by_role("group", name="Mức độ hài lòng chung").get_by_label(
        "Hài lòng", exact=True
    ).check()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    by_source = {r.source: r for r in Rating.objects.all()}
    assert set(by_source) == {"tablet", "qr"}
    assert (by_source["tablet"].ticket_id, by_source["tablet"].officer_id) == (
        served.pk,
        counter_officer.pk,
    )
    assert by_source["qr"].dossier_id == dossier.pk

    # 8. The day in figures: three tickets, two served (one dossier, one guidance), one absent,
    # waits as the two served tickets recorded them, two ratings.
    served_tickets = Ticket.objects.filter(
        hall=hall, outcome__in=[Outcome.TO_DOSSIER, Outcome.GUIDANCE_ONLY]
    )
    waits = sorted((t.called_at - t.issued_at).total_seconds() / 60 for t in served_tickets)
    assert len(waits) == 2

    capsys.readouterr()
    call_command("report", "--unit", "AH", "--from", str(today), "--to", str(today))
    report = json.loads(capsys.readouterr().out)
    visits = report["visits"]
    assert {k: visits[k] for k in ("tickets", "served", "no_show", "guidance_only")} == {
        "tickets": 3,
        "served": 2,
        "no_show": 1,
        "guidance_only": 1,
    }
    assert visits["to_dossier"] == 1 and visits["collect_result"] == 0
    assert visits["waiting_minutes"]["count"] == 2
    assert float(visits["waiting_minutes"]["median"]) == pytest.approx(
        statistics.median(waits), abs=0.051
    )
    assert sorted((c["counter"], c["served"]) for c in visits["by_counter"]) == [
        ("1", 1),
        ("2", 1),
    ]
    assert report["ratings"]["total"] == 2
    assert report["ratings"]["overall"]["very_satisfied"] == 1
    assert report["ratings"]["overall"]["satisfied"] == 1

    make_user("director", "AH", Role.CENTRE_DIRECTOR)
    board = new_page(browser, live_server, DESKTOP)
    sign_in(board, "director")
    day = today.strftime("%d/%m/%Y")
    board.goto(f"/quay/bao-cao/?don-vi=AH&ky=tu-chon&tu={day}&den={day}")
    section = board.get_by_test_id("visits")
    expect(section).to_be_visible()
    expect(board.get_by_test_id("visits-served")).to_have_text("2")
    expect(section.locator("li", has_text="Vé đã cấp")).to_contain_text("3")
    expect(section.locator("li", has_text="Vắng mặt khi được gọi")).to_contain_text("1")
    expect(section.locator("li", has_text="Lượt chỉ hướng dẫn")).to_contain_text("1")
    median = visits["waiting_minutes"]["median"]
    expect(section.locator("li", has_text="Thời gian chờ")).to_contain_text(median)
    assert axe_violations(board) == []
    screenshot(board, "morning-dashboard")

    for opened in (phone, display, first, second, rating_tablet, board):
        opened.context.close()
