"""The counter's intake page measures each text as it will be stored: a text that grows when
normalised (NFC, upper-casing of an ID) past its column is a form error on its field, in
Vietnamese (English once switched), never a database error."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from tests.conftest import version_of
from tests.web.test_counter_pages import _form, logged_in

pytestmark = pytest.mark.django_db

QA = "\u0958"  # NFC: two characters


def _post(client: Client, officer, province, **changes):
    version = version_of("3.000333")
    return logged_in(client, officer).post(
        "/quay/tiep-nhan/", _form(version, unit=province.pk, **changes)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_name", QA * 200),
        ("applicant_address", QA * 300),
    ],
)
def test_a_text_that_grows_is_a_form_error_on_its_field(
    client: Client, counter_officer, province, field, value
) -> None:
    response = _post(client, counter_officer, province, **{field: value})
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == [field]
    [message] = form.errors[field]
    assert "sau khi chuẩn hoá" in message
    assert not Dossier.objects.exists()


def test_an_id_number_that_grows_is_refused_by_its_shape(
    client: Client, counter_officer, province
) -> None:
    response = _post(client, counter_officer, province, applicant_id_number="ß" * 20)
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["applicant_id_number"]
    assert "Số định danh không hợp lệ" in form.errors["applicant_id_number"][0]
    assert not Dossier.objects.exists()


def test_the_error_is_shown_on_the_page(client: Client, counter_officer, province) -> None:
    response = _post(client, counter_officer, province, applicant_name=QA * 150)
    page = response.content.decode()
    assert "Quá dài: tối đa 200 ký tự sau khi chuẩn hoá (đang có 300 ký tự)." in page


def test_in_english(client: Client, counter_officer, province) -> None:
    logged_in(client, counter_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = _post(client, counter_officer, province, applicant_name=QA * 150)
    page = response.content.decode()
    assert "Too long: at most 200 characters once normalised (300 now)." in page


def test_at_the_limit_once_normalised_is_received(
    client: Client, counter_officer, province
) -> None:
    response = _post(client, counter_officer, province, applicant_name=QA * 100)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert len(dossier.applicant_name) == 200
