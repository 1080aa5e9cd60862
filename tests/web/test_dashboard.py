"""The reports dashboard: the staff page (/quay/bao-cao/) shows the March 2025 history's known
figures (tests/reports/history.py), every number leads to a list of exactly that many dossiers,
each person sees only their units, bad input is refused in Vietnamese; the public page
(/thong-ke/) shows the same aggregates without a single dossier."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import date
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from motcua.accounts.models import Role, User
from motcua.backoffice import dashboard as staff
from motcua.backoffice import dashboard_page as board
from motcua.catalog.models import Unit
from motcua.reports.figures import FIGURES, LABELS, Figures, ReportSpec, compute
from motcua.reports.numbers import percent_text
from tests.conftest import make_user
from tests.reports.history import History, build_march, build_ratings, people
from tests.web.test_english import in_english

pytestmark = pytest.mark.django_db

DASHBOARD = "/quay/bao-cao/"
LIST = "/quay/bao-cao/ho-so/"
PUBLIC = "/thong-ke/"
MARCH = {"nam": "2025", "thang": "3"}


@pytest.fixture
def march(counter_officer, commune_officer, agency_leader) -> History:
    history = build_march(people(counter_officer, commune_officer, agency_leader))
    build_ratings()
    return history


@pytest.fixture
def director(catalogue) -> User:
    return make_user("director", "AH", Role.CENTRE_DIRECTOR)


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figures_on(page: str) -> dict[str, int]:
    """The number shown for each figure of the page, by key."""
    found = re.findall(r'data-figure="([\w.]+)".*?data-value="(\d+)"', page, re.S)
    return {key: int(value) for key, value in found}


def listed(client: Client, url: str) -> tuple[int, int]:
    """(the count in the list's heading, the rows on its page)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    count = re.search(r'data-testid="dossier-count">([\d.]+)<', page)
    assert count, url
    return int(count.group(1).replace(".", "")), page.count('data-testid="dossier-row"')


def labels_on(page: str) -> dict[str, str]:
    """The label shown for each figure of the page, by key (without the screen-reader prefix)."""
    found = re.findall(
        r'data-figure="([\w.]+)">\s*<span class="figure-label">'
        r'(?:<span class="visually-hidden">[^<]*</span>)?([^<]*)</span>',
        page,
    )
    return {key: html.unescape(label) for key, label in found}


def vietnamese_labels() -> set[str]:
    with translation.override("vi"):
        return {str(label) for label in LABELS.values()}


def drill_links(page: str) -> list[tuple[str, int]]:
    """Every link of the page to a list of dossiers, with the number it shows."""
    links = []
    found = re.findall(
        r'<a[^>]*href="(/quay/bao-cao/ho-so/[^"]*chi-so=[^"]*)"[^>]*>(.*?)</a>', page, re.S
    )
    for href, inner in found:
        value = re.search(r'data-value="(\d+)"', inner)
        text = value.group(1) if value else re.sub(r"<[^>]+>", "", inner).strip().replace(".", "")
        if text.isdigit():
            links.append((html.unescape(href), int(text)))
    return links


def chart_data(page: str) -> dict:
    island = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert island
    return json.loads(island.group(1))


def march_spec(unit: str = "AH", **options) -> ReportSpec:
    return ReportSpec(Unit.objects.get(code=unit), date(2025, 3, 1), date(2025, 3, 31), **options)


# --- the figures -----------------------------------------------------------------------------


def test_the_march_dashboard_shows_exactly_the_known_figures(march, director) -> None:
    response = as_user(director).get(DASHBOARD, MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    shown = figures_on(page)
    assert set(shown) == set(FIGURES)
    assert shown["received.total"] == 17
    assert shown["carried_over"] == 5 and shown["to_process"] == 22
    assert shown["resolved.late"] == 3
    assert shown["pending.awaiting_supplement"] == 2
    assert shown["results_by_post"] == 2
    assert shown == {key: compute(march_spec())[key] for key in FIGURES}
    assert 'data-testid="balanced"' in page and "Cân đối" in page
    assert 'data-testid="unbalanced"' not in page
    assert "Tháng 3/2025 (01/03/2025 – 31/03/2025)" in page
    # shares name their denominator; each rounded on its own (F1, X2: same day, on time)
    for share in (
        "50,00 % số đã giải quyết",
        "28,57 % số đã giải quyết",
        "21,43 % số đã giải quyết",
        "76,47 % số mới tiếp nhận",
        "40,00 % số đang giải quyết",
        "22,73 % tổng số phải giải quyết",
    ):
        assert share in page, share
    # the ratings of March
    assert re.search(r'data-testid="ratings-total">5<', page)


def test_each_figure_explains_its_formula_accessibly(march, director) -> None:
    page = as_user(director).get(DASHBOARD, MARCH).content.decode()
    assert page.count('<details class="formula">') == len(FIGURES)
    assert "Cách tính: Đã giải quyết — Quá hạn" in page  # the summary's words for screen readers
    assert "kết thúc vào một ngày sau ngày hẹn trả" in page
    assert "Bằng Trực tiếp + Trực tuyến + Qua bưu chính công ích." in page
    timestamp = as_user(director).get(DASHBOARD, MARCH | {"cach-tinh": "timestamp"})
    assert "kết thúc sau giờ, phút hẹn trả" in timestamp.content.decode()


def test_every_figure_and_table_number_lists_as_many_dossiers(march, director) -> None:
    client = as_user(director)
    page = client.get(DASHBOARD, MARCH).content.decode()
    links = drill_links(page)
    keys = {re.search(r"chi-so=([\w.]+)", href).group(1) for href, _ in links}  # type: ignore[union-attr]
    assert set(FIGURES) <= keys
    agency_links = [link for link in links if "nhom=" in link[0]]
    assert len(agency_links) == 4 * 4  # four agencies, four columns
    for href, number in links:
        assert listed(client, href) == (number, number), href


@pytest.mark.parametrize("key", FIGURES)
def test_each_drilldown_counts_its_figure(march, director, key) -> None:
    expected = compute(march_spec())[key]
    query = MARCH | {"don-vi": "AH", "chi-so": key}
    assert listed(as_user(director), f"{LIST}?{urlencode(query)}") == (expected, expected)


def indicator_terms(page: str) -> dict[str, list[tuple[str, str, str]]]:
    """For each indicator row of the page: (key, link, number shown) of every term."""
    rows = re.findall(r'<tr data-indicator="([\d.]+)">(.*?)</tr>', page, re.S)
    return {
        id: [
            (key, html.unescape(href), text)
            for href, key, text in re.findall(
                r'<a href="([^"]*)" data-term="([\w.]+)"[^>]*>([^<]*)</a>', row
            )
        ]
        for id, row in rows
    }


def test_every_indicator_term_lists_what_it_counts(march, director) -> None:
    """Each numerator and denominator of the 766 indicators is a link; its list holds as
    many dossiers (or ratings) as the number says, and 2.2's days add up to its numerator."""
    client = as_user(director)
    terms = indicator_terms(client.get(DASHBOARD, MARCH).content.decode())
    assert set(terms) == {"2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4"}
    assert terms["3.6"] == [] and len(terms["5.4"]) == 4
    assert [text for _key, _href, text in terms["5.4"]] == ["3", "1", "14", "5"]
    for id, links in terms.items():
        for key, href, text in links:
            page = client.get(href)
            assert page.status_code == 200, href
            content = page.content.decode()
            if key == "indicator.timed" and "," in text:  # the numerator: a sum of days
                assert (
                    f'data-testid="working-days-total">Tổng số ngày làm việc đã dùng: {text}<'
                    in content
                )
                continue
            kind = "rating" if "/danh-gia/" in href else "dossier"
            count = re.search(rf'data-testid="{kind}-count">([\d.]+)<', content)
            assert count and count.group(1) == text, (id, key)
            rows = content.count(f'data-testid="{kind}-row"')
            assert rows == int(text.replace(".", "")), (id, key)


def test_the_dissatisfied_ratings_are_listed(march, director, commune_officer) -> None:
    query = MARCH | {"chi-so": "indicator.disliked"}
    page = as_user(director).get("/quay/bao-cao/danh-gia/", query).content.decode()
    assert page.count('data-testid="rating-row"') == 1
    assert "Trung tâm Phục vụ hành chính công" in page.split('data-testid="rating-row"')[1]
    refused = as_user(commune_officer).get("/quay/bao-cao/danh-gia/", query | {"don-vi": "AH"})
    assert refused.status_code == 403 and 'data-testid="rating-row"' not in refused.content.decode()
    figure = as_user(director).get("/quay/bao-cao/danh-gia/", MARCH | {"chi-so": "resolved.total"})
    assert figure.status_code == 422
    rated = as_user(director).get(LIST, MARCH | {"chi-so": "indicator.rated"})
    assert rated.status_code == 422


def test_the_list_shows_the_dossiers_and_links_to_their_desks(march, director) -> None:
    query = MARCH | {"chi-so": "resolved.late"}
    page = as_user(director).get(LIST, query).content.decode()
    for name in ("X3", "R3", "R4"):
        code = march.d[name].code
        assert f'href="/quay/ho-so/{code}/"' in page
    assert "hẹn lại" in page  # R4: the original due is what it is judged by
    assert "Đã giải quyết — Quá hạn" in page and "Về báo cáo" in page
    assert "#f-resolved-late" in page  # back to the figure


def test_the_list_is_paginated_with_the_query_kept(march, director, monkeypatch) -> None:
    monkeypatch.setattr(staff, "PAGE_SIZE", 5)
    client = as_user(director)
    query = MARCH | {"chi-so": "received.total"}
    page = client.get(LIST, query).content.decode()
    assert page.count('data-testid="dossier-row"') == 5 and "1 / 4" in page
    assert "chi-so=received.total&amp;trang=2" in page
    last = client.get(LIST, query | {"trang": "4"}).content.decode()
    assert last.count('data-testid="dossier-row"') == 2


def test_options_change_the_figures(march, director) -> None:
    client = as_user(director)
    alone = figures_on(client.get(DASHBOARD, MARCH | {"cap-duoi": "0"}).content.decode())
    assert alone["received.total"] == 15 and alone["carried_over"] == 4
    stamp = figures_on(client.get(DASHBOARD, MARCH | {"cach-tinh": "timestamp"}).content.decode())
    assert stamp["resolved.late"] == 5 and stamp["resolved.on_time"] == 2  # F1, X2
    query = MARCH | {"cach-tinh": "timestamp", "chi-so": "resolved.late"}
    assert listed(client, f"{LIST}?{urlencode(query)}") == (5, 5)
    quarter = client.get(DASHBOARD, {"ky": "quy", "nam": "2025", "quy": "1"}).content.decode()
    assert "Quý 1/2025 (01/01/2025 – 31/03/2025)" in quarter and "Cân đối" in quarter
    day15 = client.get(DASHBOARD, MARCH | {"quy-uoc": "day15"}).content.decode()
    assert "Tháng 3/2025 (15/02/2025 – 14/03/2025)" in day15
    typed = {"ky": "tu-chon", "tu": "01/03/2025", "den": "31/03/2025"}
    free = figures_on(client.get(DASHBOARD, typed).content.decode())
    assert free == figures_on(client.get(DASHBOARD, MARCH).content.decode())


def test_the_charts_hold_twelve_months_ending_with_the_period(march, director) -> None:
    page = as_user(director).get(DASHBOARD, MARCH).content.decode()
    data = chart_data(page)
    trend, timeliness, channels = data["charts"]
    assert trend["x"][0] == "04/2024" and trend["x"][-1] == "03/2025" and len(trend["x"]) == 12
    values = {s["name"]: s["values"] for s in trend["series"]}
    assert values["Mới tiếp nhận"][-2:] == [5, 17]  # February: C1 C2 C3 X3 B0
    assert values["Giải quyết quá hạn"][-1] == 3
    assert values["Đang giải quyết cuối tháng"][-1] == 5
    assert [s["values"][-1] for s in timeliness["series"]] == [7, 4, 3]
    assert [s["values"][-1] for s in channels["series"]] == [13, 3, 1]
    assert timeliness["kind"] == channels["kind"] == "stacked"
    # the text alternative: a caption with the numbers and a table per chart
    assert "Tháng 03/2025: trước hạn 7, đúng hạn 4, quá hạn 3." in page
    assert page.count('<details class="chart-table">') == 3
    assert page.count('<th scope="row">03/2025</th>') == 3


def test_the_agency_table_highlights_late_and_overdue(march, director) -> None:
    page = as_user(director).get(DASHBOARD, MARCH).content.decode()
    rows = re.findall(r'<tr class="([^"]*)" data-agency="([\w-]+)"', page)
    assert rows == [
        ("is-overdue", "AH-CAT-PV06"),  # R3 R4 resolved late, C3 overdue
        ("", "AH-SGDDT"),
        ("is-overdue", "AH-X01-CA"),  # X3 resolved late
        ("", "AH-X01-UBND"),
    ]


def test_an_unbalanced_report_says_what_is_off(march, director, monkeypatch) -> None:
    real = board.build_report

    def tampered(spec, by=None, **options):
        report = real(spec, by, **options)
        counts = dict(report.figures.counts) | {"to_process": 23, "ended_unclassified": 1}
        return dataclasses.replace(report, figures=Figures(counts))

    monkeypatch.setattr(board, "build_report", tampered)
    page = as_user(director).get(DASHBOARD, MARCH).content.decode()
    assert 'data-testid="unbalanced"' in page and "Không cân đối" in page
    assert (
        "Tổng số hồ sơ phải giải quyết là 23 nhưng Đã giải quyết + Trả lại, rút hồ sơ + "
        "Đang giải quyết = 22 (chênh lệch +1)."
    ) in page
    assert "chi-so=ended_unclassified" in page
    assert 'data-testid="balanced"' not in page


# --- in English -----------------------------------------------------------------------------


def test_the_dashboard_shows_its_figures_in_english(march, director, monkeypatch) -> None:
    client = in_english(as_user(director))
    page = client.get(DASHBOARD, MARCH).content.decode()
    labels = labels_on(page)
    assert set(labels) == set(FIGURES)
    assert labels["carried_over"] == "Carried over from the previous period"
    assert labels["received.total"] == "Newly received in the period"
    assert labels["to_process"] == "Total dossiers to process"
    assert labels["returned.total"] == "Returned or withdrawn"
    assert labels["pending.within_time"] == "Within the time limit"
    assert labels["results_by_post"] == "Results delivered by post"
    assert labels["five_on_spot.resolved.total"] == "Resolved under the five-on-the-spot model"
    # "Quá hạn": a resolved dossier was late, a pending one is overdue
    assert labels["resolved.late"] == labels["online_service.resolved.late"] == "Late"
    assert labels["five_on_spot.resolved.late"] == "Late"
    assert labels["pending.overdue"] == "Overdue"
    for vietnamese in vietnamese_labels():
        assert vietnamese not in page, vietnamese
    # the formulas' summaries for screen readers, the chart legend, the agency table's badges
    assert "How it is calculated: Resolved — Late" in page
    assert "How it is calculated: Pending — Overdue" in page
    _trend, timeliness, _channels = chart_data(page)["charts"]
    assert [s["name"] for s in timeliness["series"]] == ["Early", "On time", "Late"]
    badges = re.findall(r'<span class="badge badge-overdue">([^<]*)</span>', page)
    assert sorted(set(badges)) == ["Late", "Overdue"]

    real = board.build_report

    def tampered(spec, by=None, **options):
        report = real(spec, by, **options)
        counts = dict(report.figures.counts) | {"to_process": 23}
        return dataclasses.replace(report, figures=Figures(counts))

    monkeypatch.setattr(board, "build_report", tampered)
    unbalanced = client.get(DASHBOARD, MARCH).content.decode()
    assert "Not balanced" in unbalanced
    assert (
        "Total dossiers to process is 23 but Resolved + Returned or withdrawn + Pending = 22 "
        "(difference +1)."
    ) in unbalanced
    assert "Tổng số hồ sơ phải giải quyết" not in unbalanced


def test_the_drilldown_heading_counts_dossiers_in_english(march, director) -> None:
    client = in_english(as_user(director))
    late = client.get(LIST, MARCH | {"chi-so": "resolved.late"}).content.decode()
    assert '<h1>Resolved — Late: <span data-testid="dossier-count">3</span> dossiers</h1>' in late
    postal = client.get(LIST, MARCH | {"chi-so": "received.postal"}).content.decode()
    assert (
        "<h1>Newly received in the period — By public postal service: "
        '<span data-testid="dossier-count">1</span> dossier</h1>'
    ) in postal
    overdue = client.get(LIST, MARCH | {"chi-so": "pending.overdue"}).content.decode()
    assert "<h1>Pending — Overdue: " in overdue
    for page in (late, postal, overdue):
        assert " hồ sơ</h1>" not in page and "Quá hạn" not in page
    # and in Vietnamese, the same heading
    vietnamese = as_user(director).get(LIST, MARCH | {"chi-so": "resolved.late"})
    assert (
        '<h1>Đã giải quyết — Quá hạn: <span data-testid="dossier-count">3</span> hồ sơ</h1>'
    ) in vietnamese.content.decode()


def test_the_public_page_is_cached_per_language(march, client: Client) -> None:
    english = in_english(Client()).get(PUBLIC, MARCH).content.decode()
    assert labels_on(english)["carried_over"] == "Carried over from the previous period"
    assert labels_on(english)["resolved.late"] == "Late"
    for vietnamese in vietnamese_labels():
        assert vietnamese not in english, vietnamese
    page = client.get(PUBLIC, MARCH).content.decode()
    assert labels_on(page)["carried_over"] == "Từ kỳ trước chuyển sang"
    assert labels_on(page)["resolved.late"] == "Quá hạn"


# --- who sees what ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client: Client) -> None:
    for url in (DASHBOARD, f"{LIST}?chi-so=received.total"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_a_commune_officer_sees_only_the_commune(march, commune_officer) -> None:
    client = as_user(commune_officer)
    page = client.get(DASHBOARD, MARCH).content.decode()
    assert re.findall(r'<option value="([\w-]+)"[^>]*>[^<]*Trung tâm', page) == ["AH-X01"]
    shown = figures_on(page)
    assert shown["received.total"] == 2 and shown["resolved.total"] == 3
    refused = client.get(DASHBOARD, MARCH | {"don-vi": "AH"})
    assert refused.status_code == 403
    assert "Bạn không có quyền xem báo cáo của" in refused.content.decode()
    assert 'data-figure="' not in refused.content.decode()
    for key in ("received.total", "resolved.late"):
        drill = client.get(LIST, MARCH | {"don-vi": "AH", "chi-so": key})
        assert drill.status_code == 403
        assert march.d["R3"].code not in drill.content.decode()
    own = MARCH | {"don-vi": "AH-X01", "chi-so": "resolved.total"}
    assert listed(client, f"{LIST}?{urlencode(own)}") == (3, 3)


def test_the_director_may_open_a_commune_and_an_agency_leader_only_their_agency(
    march, director, agency_leader
) -> None:
    commune = as_user(director).get(DASHBOARD, MARCH | {"don-vi": "AH-X01"})
    assert commune.status_code == 200
    options = re.findall(r'<option value="([\w-]+)"', commune.content.decode())
    assert options[:3] == ["AH", "AH-P02", "AH-X01"]
    assert "AH-CAT-PV06" not in options  # an agency receives nothing itself
    Unit.objects.filter(code="AH-P02").update(is_active=False)  # merged away: history stays
    page = as_user(director).get(DASHBOARD, MARCH).content.decode()
    assert "phường Bắc An (ngừng hoạt động)</option>" in page
    leader = as_user(agency_leader).get(DASHBOARD, MARCH).content.decode()
    units = re.findall(r'<select id="dash-unit" name="don-vi">(.*?)</select>', leader, re.S)[0]
    assert re.findall(r'value="([\w-]+)"', units) == ["AH-CAT-PV06"]


def test_someone_without_a_membership_is_refused(outsider) -> None:
    response = as_user(outsider).get(DASHBOARD)
    assert response.status_code == 403
    assert "chưa được phân công" in response.content.decode()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"ky": "tu-chon", "tu": "2025-04-01", "den": "2025-03-01"},
            "ngày bắt đầu 01/04/2025 sau ngày kết thúc 01/03/2025",
        ),
        ({"don-vi": "KHONG-CO"} | MARCH, "Không có đơn vị «KHONG-CO»"),
        ({"ky": "tu-chon", "tu": "2025-02-30", "den": "2025-03-31"}, "không hợp lệ: «2025-02-30»"),
        ({"ky": "tu-chon", "tu": "31/02/2025", "den": "2025-03-31"}, "không hợp lệ: «31/02/2025»"),
        ({"ky": "tu-chon", "tu": "hôm qua", "den": "2025-03-31"}, "Ngày bắt đầu (Từ ngày) không"),
        ({"ky": "tu-chon", "den": "2025-03-31"}, "Hãy nhập ngày bắt đầu (Từ ngày)."),
        ({"thang": "13", "nam": "2025"}, "Tháng phải là số từ 1 đến 12, không phải «13»."),
        ({"nam": "hai nghìn"}, "Năm phải là số từ 2000 đến 2100, không phải «hai nghìn»."),
        ({"ky": "tuan"}, "Không có loại kỳ «tuan»."),
        ({"cach-tinh": "gio"}, "Không có cách phân loại trước hạn / đúng hạn / quá hạn «gio»."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(march, director, query, message) -> None:
    response = as_user(director).get(DASHBOARD, query)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'role="alert"' in page and html.escape(message) in page
    assert 'data-figure="' not in page
    assert '<form method="get"' in page  # the form stays, to correct the choice
    drill = as_user(director).get(LIST, query | {"chi-so": "received.total"})
    assert drill.status_code == 422 and html.escape(message) in drill.content.decode()


def test_an_unknown_figure_or_agency_in_a_list_is_refused(march, director) -> None:
    client = as_user(director)
    unknown = client.get(LIST, MARCH | {"chi-so": "resolved.soon"})
    assert unknown.status_code == 422
    assert "Không có chỉ tiêu «resolved.soon»." in unknown.content.decode()
    group = client.get(LIST, MARCH | {"chi-so": "resolved.total", "nhom": "KHONG-CO"})
    assert group.status_code == 422
    assert "Không có cơ quan giải quyết «KHONG-CO»." in group.content.decode()


def test_the_dashboard_alone_may_use_inline_styles(march, director) -> None:
    client = as_user(director)
    policy = client.get(DASHBOARD, MARCH)["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline';" in policy
    assert "script-src 'self';" in policy and policy.count("unsafe-inline") == 1
    strict = client.get(LIST, MARCH | {"chi-so": "received.total"})["Content-Security-Policy"]
    assert "unsafe-inline" not in strict
    assert "unsafe-inline" not in client.get("/quay/viec-can-lam/")["Content-Security-Policy"]


# --- shares ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (9, 14, "64,29 %"),
        (1, 3, "33,33 %"),
        (2, 3, "66,67 %"),
        (1, 160, "0,63 %"),  # 0,625: half up, not to even
        (3, 8, "37,50 %"),
        (5, 5, "100,00 %"),
        (0, 7, "0,00 %"),
        (0, 0, "—"),
        (123456, 100, "123.456,00 %"),
    ],
)
def test_a_share_is_rounded_half_up_to_two_decimals(part, whole, text) -> None:
    assert percent_text(part, whole) == text


# --- the public page ------------------------------------------------------------------------


def test_the_public_page_shows_the_figures_without_any_dossier(march, client: Client) -> None:
    response = client.get(PUBLIC, MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    shown = figures_on(page)
    assert shown["received.total"] == 17 and shown["resolved.late"] == 3
    assert shown["pending.awaiting_supplement"] == 2 and "Cân đối" in page
    assert page.count('<details class="formula">') == len(FIGURES)  # with the formulas
    assert chart_data(page)["charts"][0]["x"][-1] == "03/2025"
    assert 'data-testid="agency-table"' in page
    for dossier in march.d.values():
        assert dossier.code not in page
    assert "Nguyễn Văn An" not in page  # the applicants' name in the history
    assert "chi-so=" not in page and "/quay/" not in page and LIST not in page
    assert "Phòng Hồ sơ nghiệp vụ (PV06)" in page  # agencies are named, with their counts
    options = re.findall(r'<option value="([\w-]+)"', page.split('name="don-vi"')[1])
    assert options[:3] == ["AH", "AH-P02", "AH-X01"]
    assert not [code for code in options if code.startswith(("AH-CAT", "AH-S"))]
    assert "cach-tinh" not in page.split("</form>")[0]  # a month picker only


def test_the_public_page_is_cacheable_and_read_only(march, client: Client) -> None:
    response = client.get(PUBLIC, MARCH | {"don-vi": "AH-X01"})
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert figures_on(response.content.decode())["received.total"] == 2
    with CaptureQueriesContext(connection) as queries:
        again = client.get(PUBLIC, MARCH | {"don-vi": "AH-X01"})
    assert figures_on(again.content.decode()) == figures_on(response.content.decode())
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert client.post(PUBLIC, MARCH).status_code == 405
    assert client.head(PUBLIC, MARCH).status_code == 200


def test_the_public_page_refuses_what_it_does_not_publish(march, client: Client) -> None:
    agency = client.get(PUBLIC, MARCH | {"don-vi": "AH-CAT-PV06"})
    assert agency.status_code == 422
    assert "Không có đơn vị «AH-CAT-PV06» trong danh sách" in agency.content.decode()
    month = client.get(PUBLIC, {"nam": "2025", "thang": "0"})
    assert month.status_code == 422
    assert "Tháng phải là số từ 1 đến 12" in month.content.decode()
    assert "no-store" in month["Cache-Control"]


@override_settings(LOOKUP_MAX_REQUESTS=2)
def test_the_public_page_is_rate_limited(march, client: Client) -> None:
    assert client.get(PUBLIC, MARCH).status_code == 200
    assert client.get(PUBLIC, MARCH).status_code == 200
    limited = client.get(PUBLIC, MARCH)
    assert limited.status_code == 429 and limited["Retry-After"]
