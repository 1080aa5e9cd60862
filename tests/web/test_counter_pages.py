"""The counter's pages: who may use them, the accent-insensitive search, intake, the slip."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from tests.conftest import version_of
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_login(client: Client, catalogue) -> None:
    for url in (
        "/quay/",
        "/quay/tiep-nhan/",
        "/quay/thu-tuc/?q=dang",
        "/quay/ho-so/X-250424-0001/",
        "/quay/ho-so/X-250424-0001/phieu-hen.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_only_counter_officers_reach_the_intake_page(client: Client, specialist) -> None:
    assert logged_in(client, specialist).get("/quay/tiep-nhan/").status_code == 403


@pytest.mark.parametrize("query", ["dang ky thuong tru", "ĐĂNG KÝ THƯỜNG TRÚ", "1.004222"])
def test_search_ignores_accents_and_case(client: Client, counter_officer, query) -> None:
    page = logged_in(client, counter_officer).get("/quay/thu-tuc/", {"q": query}).content.decode()
    assert "1.004222" in page and "Đăng ký thường trú" in page


def test_choosing_a_procedure_lists_its_components(client: Client, counter_officer) -> None:
    version = version_of("1.004222")
    page = (
        logged_in(client, counter_officer)
        .get("/quay/tiep-nhan/", {"version": version.pk}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in page  # an htmx fragment
    for name in version.component_names():
        assert f'value="{name}"' in page


def _form(version, **changes):
    data = {
        "unit": "",
        "version": version.pk,
        "applicant_name": "Trần Thị Bình",
        "applicant_phone": "0987654321",
        "channel": "counter",
        "components": version.component_names()[:2],
        "sets_count": 1,
        "return_channel": "counter",
    }
    data.update(changes)
    return data


def test_a_complete_intake_redirects_to_the_dossier(
    client: Client, counter_officer, province
) -> None:
    version = version_of("3.000333")
    response = logged_in(client, counter_officer).post(
        "/quay/tiep-nhan/", _form(version, unit=province.pk)
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quay/ho-so/{dossier.code}/"
    page = client.get(response["Location"]).content.decode()
    assert dossier.code in page and "Trần Thị Bình" in page and "phieu-hen.pdf" in page


def test_an_incomplete_form_says_what_is_missing_and_writes_nothing(
    client: Client, counter_officer, province
) -> None:
    version = version_of("3.000333")
    response = logged_in(client, counter_officer).post(
        "/quay/tiep-nhan/", _form(version, unit=province.pk, applicant_name="", components=[])
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required" not in page  # Vietnamese messages
    assert "Cần nhập họ tên người nộp hồ sơ" in page
    assert not Dossier.objects.exists()


def test_a_domain_refusal_is_shown_in_vietnamese(client: Client, counter_officer, province) -> None:
    version = version_of("3.000333")
    response = logged_in(client, counter_officer).post(
        "/quay/tiep-nhan/", _form(version, unit=province.pk, components=[])
    )
    assert response.status_code == 422
    assert "Chưa đánh dấu thành phần hồ sơ nào đã nhận." in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_slip_is_a_pdf_for_entitled_staff_only(
    client: Client, counter_officer, commune_officer
) -> None:
    dossier = receive(counter_officer)
    response = logged_in(client, counter_officer).get(f"/quay/ho-so/{dossier.code}/phieu-hen.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other = Client()
    other.force_login(commune_officer)
    # a dossier they may not see does not exist for them (accounts.access)
    assert other.get(f"/quay/ho-so/{dossier.code}/phieu-hen.pdf").status_code == 404
    assert other.get(f"/quay/ho-so/{dossier.code}/").status_code == 404
