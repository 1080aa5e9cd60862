"""The report's visits and ratings sections on a built day of tickets, with figures computed by
hand: waits of 10, 25 and 2 minutes, service of 10, 4 and 28 minutes, one no-show."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

import pytest

from motcua.feedback.services import record_rating
from motcua.queueing import services as hall_services
from motcua.reports.figures import ReportSpec
from motcua.reports.report import build_report
from motcua.reports.visits import percentile
from tests.conftest import vn
from tests.feedback.conftest import serve
from tests.queueing.conftest import counter, group
from tests.queueing.test_tickets import key

DAY = date(2026, 12, 1)


def at(hour: int, minute: int):
    return vn(2026, 12, 1, hour, minute)


@pytest.fixture
def day(hall, counter_officer, second_officer, tablet, province):
    """Four tickets at the provincial centre on 1 December 2026 and three ratings."""
    t1, _d1 = serve(hall, counter_officer, drawn=at(8, 0), called=at(8, 10), finished=at(8, 20))
    t2, _none = serve(
        hall, counter_officer, drawn=at(8, 5), called=at(8, 30), finished=at(8, 34), intake=False
    )
    t3, _d3 = serve(
        hall,
        second_officer,
        code="B",
        number="2",
        drawn=at(9, 0),
        called=at(9, 2),
        finished=at(9, 30),
    )
    absent = hall_services.issue_ticket(
        hall=hall, group=group(hall, "A"), request_key=key(), at=at(9, 10)
    )
    desk = counter(hall, "1")
    assert hall_services.call_next(counter=desk, by=counter_officer, at=at(9, 40)) == absent
    hall_services.mark_absent(ticket=absent, by=counter_officer, at=at(9, 45))
    # t2 and the no-show came after t1 at counter 1: t1 is rated by its ticket's QR
    record_rating(
        source="qr",
        ticket_key=t1.public_key,
        answers={"overall": "very_satisfied", "attitude": "very_polite"},
        at=at(10, 0),
    )
    record_rating(
        source="qr",
        ticket_key=t3.public_key,
        answers={"overall": "dissatisfied", "attitude": "unfriendly"},
        at=at(10, 5),
    )
    record_rating(
        source="paper",
        by=counter_officer,
        unit=province,
        answers={"overall": "satisfied", "one_stop.c3_contacts": "2", "one_stop.c6_attitude": "0"},
        at=at(16, 0),
    )
    return t1, t2, t3, absent


def report(province, **options) -> dict:
    return build_report(ReportSpec(province, DAY, DAY), **options).as_dict()


def test_visits_per_day_hour_group_and_counter_with_median_and_p90(day, province) -> None:
    visits = report(province)["visits"]
    assert (visits["tickets"], visits["served"], visits["no_show"]) == (4, 3, 1)
    assert (visits["to_dossier"], visits["guidance_only"], visits["collect_result"]) == (2, 1, 0)
    # waits 2, 10, 25: median 10; p90 at rank 1.8 → 10 + 0.8 × 15 = 22
    assert visits["waiting_minutes"] == {"count": 3, "median": "10.0", "p90": "22.0"}
    # service 4, 10, 28: median 10; p90 → 10 + 0.8 × 18 = 24.4
    assert visits["service_minutes"] == {"count": 3, "median": "10.0", "p90": "24.4"}
    assert visits["by_day"] == [{"day": "2026-12-01", "served": 3}]
    assert visits["by_hour"] == [{"hour": 8, "served": 2}, {"hour": 9, "served": 1}]
    groups = {row["group"]: row for row in visits["by_group"]}
    assert groups["A"]["served"] == 2 and groups["B"]["served"] == 1
    # group A waited 10 and 25: the median of two is their mean
    assert groups["A"]["waiting_minutes"]["median"] == "17.5"
    counters = {row["counter"]: row["served"] for row in visits["by_counter"]}
    assert counters == {"1": 2, "2": 1}


def test_another_day_counts_nothing(day, province) -> None:
    other = build_report(ReportSpec(province, DAY + timedelta(days=1), DAY + timedelta(days=1)))
    found = other.as_dict()["visits"]
    assert found["tickets"] == 0 and found["waiting_minutes"]["median"] is None


def test_ratings_per_criterion_unit_and_officer(day, province, counter_officer, second_officer):
    data = report(province, officers=True)
    assert data["ratings"]["total"] == 3
    assert data["ratings"]["one_stop.c3_contacts"] == {"2": 1, "1": 0, "0": 0}
    positive = data["ratings_positive"]
    assert positive["overall"] == {"answered": 3, "positive": 2, "share": "66.67"}
    assert positive["attitude"] == {"answered": 2, "positive": 1, "share": "50.00"}
    assert positive["one_stop.c3_contacts"]["share"] == "100.00"
    assert positive["one_stop.c6_attitude"] == {"answered": 1, "positive": 0, "share": "0.00"}
    assert positive["one_stop.c9_online"] == {"answered": 0, "positive": 0, "share": None}
    (unit,) = data["ratings_by_unit"]
    assert (unit["key"], unit["total"]) == ("AH", 3)
    officers = {row["key"]: row for row in data["ratings_by_officer"]}
    assert set(officers) == {counter_officer.username, second_officer.username}
    assert officers[counter_officer.username]["questions"]["overall"]["share"] == "100.00"
    assert officers[second_officer.username]["questions"]["attitude"]["share"] == "0.00"
    assert "ratings_by_officer" not in report(province)  # for directors only


def test_collected_ratings_count_in_indicator_5_4(day, province) -> None:
    """The dislikes of 5.4 are read from the collected ratings: one of the three chose the
    lowest overall answer and the lowest attitude."""
    from motcua.reports.indicators import compute_indicators

    found = {i.id: i for i in compute_indicators(build_report(ReportSpec(province, DAY, DAY)))}
    _late, disliked = found["5.4"].ratios
    assert (disliked.numerator.value, disliked.denominator.value) == (1, 3)


@pytest.mark.parametrize("size", [1, 2, 5, 10, 11, 37])
def test_percentiles_match_the_inclusive_quantiles(size: int) -> None:
    values = [random.Random(size * 7 + i).uniform(0, 90) for i in range(size)]
    if size == 1:
        assert percentile(values, 0.5) == percentile(values, 0.9) == values[0]
        return
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    assert percentile(values, 0.9) == pytest.approx(cuts[8])
    assert percentile(values, 0.5) == pytest.approx(statistics.median(values))


def test_percentiles_by_hand() -> None:
    assert percentile([], 0.5) is None
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_the_dashboard_shows_visits_and_positives_with_their_lists(
    client, day, province, counter_officer
) -> None:
    from motcua.accounts.models import Role
    from tests.conftest import make_user

    query = "don-vi=AH&cap-duoi=1&ky=tu-chon&tu=2026-12-01&den=2026-12-01"
    client.force_login(counter_officer)
    page = client.get(f"/quay/bao-cao/?{query}").content.decode()
    assert 'data-testid="visits-served">3<' in page
    assert 'data-testid="officers"' not in page  # not a director
    served = client.get(f"/quay/bao-cao/luot-phuc-vu/?{query}&chi-so=visits.served")
    assert served.content.decode().count('data-testid="visit-row"') == 3
    absent = client.get(f"/quay/bao-cao/luot-phuc-vu/?{query}&chi-so=visits.no_show")
    assert absent.content.decode().count('data-testid="visit-row"') == 1
    liked = client.get(f"/quay/bao-cao/danh-gia/?{query}&chi-so=positive:overall")
    assert liked.content.decode().count('data-testid="rating-row"') == 2
    director = make_user("director", "AH", Role.CENTRE_DIRECTOR)
    client.force_login(director)
    page = client.get(f"/quay/bao-cao/?{query}").content.decode()
    assert 'data-testid="officers"' in page


def test_the_workbook_has_the_visits_and_the_positives(day, province) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from motcua.reports.xlsx import render_xlsx

    book = load_workbook(
        BytesIO(render_xlsx(build_report(ReportSpec(province, DAY, DAY), officers=True)))
    )
    visits = book["Lượt phục vụ"]
    cells = {
        visits.cell(row=r, column=1).value: visits.cell(row=r, column=2).value for r in range(5, 15)
    }
    assert cells["Lượt đã phục vụ"] == 3 and cells["Thời gian chờ, phân vị 90 (phút)"] == "22.0"
    positive = book["Tỷ lệ hài lòng"]
    rows = [[c.value for c in row] for row in positive.iter_rows(min_row=5)]
    assert rows[0][:4] == ["Toàn đơn vị", "Mức độ hài lòng chung", 3, 2]


def test_the_pdf_form_has_the_visits_appendix(day, province) -> None:
    """Form II.06a printed: after the indicators, the hall's visits in the workbook's tables."""
    from io import BytesIO

    from pypdf import PdfReader

    from motcua.reports.pdf import render_pdf

    pdf = render_pdf(build_report(ReportSpec(province, DAY, DAY), "agency"))
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    (appendix,) = [text for text in pages if "LƯỢT PHỤC VỤ TẠI SẢNH" in text.upper()]
    lines = [" ".join(line.split()) for line in appendix.splitlines()]
    for expected in (
        "Số vé đã cấp 4",
        "Lượt đã phục vụ 3",
        "Vắng mặt 1",
        "Chỉ hướng dẫn 1",
        "Thời gian chờ, trung vị (phút) 10.0",
        "Thời gian chờ, phân vị 90 (phút) 22.0",
        "Thời gian phục vụ, phân vị 90 (phút) 24.4",
        "2026-12-01 3",
        "AH quầy 1 2",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
