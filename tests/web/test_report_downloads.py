"""Form II.06a from the dashboard (/quay/bao-cao/tai-ve.xlsx|pdf): the same unit, period and
rule as the page, only for those who may see that unit's report."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.models import Role, User
from tests.conftest import make_user
from tests.reports.history import History, build_march, build_ratings, people

pytestmark = pytest.mark.django_db

MARCH = {"don-vi": "AH", "nam": "2025", "thang": "3"}


@pytest.fixture
def march(counter_officer, commune_officer, agency_leader) -> History:
    history = build_march(people(counter_officer, commune_officer, agency_leader))
    build_ratings()
    return history


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_director_downloads_the_form_as_xlsx_and_pdf(march: History) -> None:
    client = as_user(make_user("director", "AH", Role.CENTRE_DIRECTOR))
    response = client.get("/quay/bao-cao/tai-ve.xlsx", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-AH-20250301-20250331.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content))["II.06a"]
    assert sheet["A5"].value == "Kỳ báo cáo: từ ngày 01/03/2025 đến ngày 31/03/2025"
    assert sheet["B15"].value == "Tổng cộng"  # four agencies, then the total
    pdf = client.get("/quay/bao-cao/tai-ve.pdf", MARCH)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_downloads_follow_the_dashboards_rules(march: History) -> None:
    commune = as_user(make_user("xa", "AH-X01", Role.COUNTER_OFFICER))
    refused = commune.get("/quay/bao-cao/tai-ve.xlsx", MARCH)
    assert refused.status_code == 403
    assert "không có quyền" in refused.content.decode()
    assert commune.get("/quay/bao-cao/tai-ve.csv", MARCH).status_code == 404
    bad = commune.get("/quay/bao-cao/tai-ve.xlsx", MARCH | {"don-vi": "AH-X01", "thang": "13"})
    assert bad.status_code == 422
    anonymous = Client().get("/quay/bao-cao/tai-ve.xlsx", MARCH)
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


def test_the_dashboard_shows_the_766_indicators_and_the_download_links(march: History) -> None:
    client = as_user(make_user("director", "AH", Role.CENTRE_DIRECTOR))
    page = client.get("/quay/bao-cao/", MARCH).content.decode()
    assert "Chỉ số theo Quyết định 766/QĐ-TTg" in page
    row = page.split('data-indicator="2.1"', 1)[1].split("</tr>", 1)[0]
    assert "78,95 %" in row and ">15<" in row and ">19<" in row  # value, numerator, denominator
    assert "Công thức" in row and "÷" in row
    assert 'data-indicator="3.6"' in page and "Chưa tính được" in page
    links = page.split('data-testid="downloads"', 1)[1].split("</p>", 1)[0]
    assert "/quay/bao-cao/tai-ve.xlsx?" in links and "/quay/bao-cao/tai-ve.pdf?" in links
    assert "don-vi=AH" in links and "thang=3" in links


def test_the_indicators_in_english_and_the_form_stays_vietnamese(march: History) -> None:
    client = as_user(make_user("director", "AH", Role.CENTRE_DIRECTOR))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/quay/bao-cao/", MARCH).content.decode()
    assert "Indicators of Decision 766/QĐ-TTg" in page
    assert "Share of dossiers handled early or on time" in page
    assert "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn" not in page
    sheet = load_workbook(BytesIO(client.get("/quay/bao-cao/tai-ve.xlsx", MARCH).content))
    assert sheet["Chỉ số 766"]["B4"].value == "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"


def test_an_agency_leader_sees_what_the_agency_decides(march: History, agency_leader) -> None:
    client = as_user(agency_leader)  # AH-CAT-PV06: receives nothing at a counter of its own
    query = MARCH | {"don-vi": "AH-CAT-PV06"}
    page = client.get("/quay/bao-cao/", query).content.decode()
    assert "do đơn vị này giải quyết" in page.split('data-testid="scope-kind"', 1)[1][:200]
    assert re.search(r'data-figure="received.total".*?data-value="14"', page, re.S)
    listed = client.get("/quay/bao-cao/ho-so/", query | {"chi-so": "received.total"})
    assert listed.status_code == 200
    assert '<span data-testid="dossier-count">14' in listed.content.decode()
    sheet = load_workbook(BytesIO(client.get("/quay/bao-cao/tai-ve.xlsx", query).content))
    assert "hồ sơ do đơn vị giải quyết" in sheet["II.06a"]["A6"].value
    centre = as_user(make_user("director", "AH", Role.CENTRE_DIRECTOR))
    scope = centre.get("/quay/bao-cao/", MARCH).content.decode()
    assert "Hồ sơ tiếp nhận tại đơn vị này." in scope


@pytest.mark.parametrize(
    ("unit", "public"),
    [("AH", True), ("AH-X01", True), ("AH-CAT-PV06", False), ("AH-X01-CA", False)],
)
def test_every_interface_reports_the_same_dossiers_for_a_unit(
    march: History, capsys, unit: str, public: bool
) -> None:
    """The command, the dashboard, its II.06a download and the public page choose one scope
    for a unit (received by a centre, decided by an agency) and so print the same figures."""
    call_command("report", "--unit", unit, "--period", "2025-03")
    printed = json.loads(capsys.readouterr().out)
    client = as_user(make_user("admin", None, None))
    User.objects.filter(username="admin").update(is_superuser=True)
    query = MARCH | {"don-vi": unit}
    page = client.get("/quay/bao-cao/", query).content.decode()
    shown = dict(re.findall(r'data-figure="([\w.]+)".*?data-value="(\d+)"', page, re.S))
    assert int(shown["received.total"]) == printed["received"]["total"]
    assert int(shown["carried_over"]) == printed["carried_over"]
    assert int(shown["resolved.late"]) == printed["resolved"]["late"]
    scope = page.split('data-testid="scope-kind"', 1)[1][:200]
    assert ("do đơn vị này giải quyết" in scope) == (printed["scope"] == "decided")
    sheet = load_workbook(BytesIO(client.get("/quay/bao-cao/tai-ve.xlsx", query).content))
    form = sheet["II.06a"]
    total = next(r for r in range(11, 30) if form[f"B{r}"].value == "Tổng cộng")
    lines = range(11, total)
    assert sum(form[f"D{r}"].value for r in lines) == printed["received"]["online"]
    assert sum(form[f"F{r}"].value for r in lines) == printed["carried_over"]
    if public:
        published = Client().get("/thong-ke/", query).content.decode()
        assert re.findall(r'data-figure="([\w.]+)".*?data-value="(\d+)"', published, re.S) == (
            re.findall(r'data-figure="([\w.]+)".*?data-value="(\d+)"', page, re.S)
        )
