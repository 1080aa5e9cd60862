"""Bad input to the API never gets a 500: texts are measured as they will be stored (a text
that grows when normalised is refused with 422 and its field named), e-mail addresses are
checked as on the intake page, and every error under /api/ is the API's JSON error, including
the ones Django answers itself (413, 400, 404, 500)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from tests.api.test_dossier_api import BASE, as_system, intake, post

pytestmark = pytest.mark.django_db

QA = "\u0958"  # DEVANAGARI LETTER QA: NFC decomposes it into two characters
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def assert_api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code, body
    return body


def test_the_example_text_really_grows() -> None:
    assert len(unicodedata.normalize("NFC", QA * 200)) == 400
    assert len(("ß" * 20).upper()) == 40


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        ({"name": QA * 200}, "name"),
        ({"name": "An", "id_number": "ß" * 20}, "id_number"),
        ({"name": "An", "address": QA * 300}, "address"),
        ({"name": "An", "email": "a@" + "\u0130" * 200 + ".vn"}, "email"),
    ],
)
def test_a_text_that_grows_when_normalised_is_refused_with_its_field(
    counter_officer, applicant, field
) -> None:
    response = post(as_system(counter_officer), BASE, intake(applicant=applicant))
    body = assert_api_error(response, 422, "text_too_long")
    [error] = body["detail"]["errors"]
    assert error["loc"][-2:] == ["applicant", field]
    assert error["type"] == "text_too_long"
    assert not Dossier.objects.exists()


def test_a_postal_address_that_grows_is_refused(counter_officer) -> None:
    body = intake(return_channel="postal", postal_address=QA * 300)
    response = post(as_system(counter_officer), BASE, body)
    error = assert_api_error(response, 422, "text_too_long")["detail"]["errors"][0]
    assert error["loc"][-1] == "postal_address"


def test_an_action_text_that_grows_is_refused(counter_officer) -> None:
    client = as_system(counter_officer)
    created = post(client, BASE, intake())
    assert created.status_code == 201
    code = created.json()["code"]
    response = post(client, f"{BASE}/{code}/transfer", {"note": QA * 2000})
    assert_api_error(response, 422, "text_too_long")


def test_texts_at_the_limit_once_normalised_are_received(counter_officer) -> None:
    body = intake(applicant={"name": QA * 100, "id_number": "b1234567"})
    response = post(as_system(counter_officer), BASE, body)
    assert response.status_code == 201, response.content
    assert len(response.json()["applicant"]["name"]) == 200
    assert response.json()["applicant"]["id_number"] == "B1234567"


@pytest.mark.parametrize("email", ["not an email", "a@b", "an@@example.vn", "a b@example.vn"])
def test_an_email_address_is_checked_as_on_the_page(counter_officer, email) -> None:
    response = post(
        as_system(counter_officer), BASE, intake(applicant={"name": "An", "email": email})
    )
    body = assert_api_error(response, 422, "invalid_email")
    assert body["detail"]["errors"][0]["loc"][-2:] == ["applicant", "email"]
    assert not Dossier.objects.exists()


def test_a_good_email_address_is_kept_lower_case(counter_officer) -> None:
    body = intake(applicant={"name": "An", "email": " An.Nguyen@Example.VN "})
    response = post(as_system(counter_officer), BASE, body)
    assert response.status_code == 201, response.content
    assert response.json()["applicant"]["email"] == "an.nguyen@example.vn"


def test_a_body_over_djangos_memory_limit_is_a_json_413(counter_officer, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = as_system(counter_officer)
    big = intake(applicant={"name": "An", "address": "x" * 2000})
    response = post(client, BASE, big)
    body = assert_api_error(response, 413, "body_too_large")
    assert body["detail"]["max_bytes"] == 1024


def test_a_body_over_the_request_limit_is_a_json_413(counter_officer, settings) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = post(as_system(counter_officer), BASE, {"padding": "x" * 4000})
    assert_api_error(response, 413, "body_too_large")


def test_a_server_error_under_the_api_is_json(counter_officer) -> None:
    client = as_system(counter_officer, raise_request_exception=False)
    with mock.patch("motcua.api.queries.search", side_effect=RuntimeError("boom")):
        response = client.get(BASE)
    body = assert_api_error(response, 500, "server_error")
    assert "boom" not in json.dumps(body)


def test_a_server_error_elsewhere_stays_html(counter_officer) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(counter_officer)
    with mock.patch("motcua.backoffice.views.access.counter_units", side_effect=RuntimeError):
        response = client.get("/quay/tiep-nhan/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v2/nothing", 404, "no_such_endpoint"),
        ("get", "/api/", 404, "no_such_endpoint"),
        ("post", "/api/v1/lookup/ABC", 405, "method_not_allowed"),
        ("put", BASE, 405, "method_not_allowed"),
        ("delete", "/api/v1/dossiers/X-1", 405, "method_not_allowed"),
    ],
)
def test_unknown_routes_and_methods_are_json(counter_officer, method, path, status, code) -> None:
    response = getattr(as_system(counter_officer), method)(path)
    assert_api_error(response, status, code)


def test_too_many_form_fields_is_a_json_400(counter_officer, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = as_system(counter_officer)
    form = "&".join(f"f{n}=1" for n in range(20))
    response = client.post(
        BASE,
        data=form,
        content_type="application/x-www-form-urlencoded",
        headers={"Idempotency-Key": "form-fields"},
    )
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"].startswith("application/json")


def test_a_missing_page_elsewhere_stays_html() -> None:
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- the OpenAPI document states the constraints the server applies -----------------------


def _schemas() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]


def test_the_document_states_lengths_formats_and_ranges() -> None:
    schemas = _schemas()
    applicant = schemas["ApplicantIn"]["properties"]
    assert applicant["name"]["minLength"] == 1 and applicant["name"]["maxLength"] == 200
    assert {"type": "string", "format": "email", "maxLength": 254} in applicant["email"]["anyOf"]
    receive = schemas["ReceiveIn"]["properties"]
    assert (receive["sets_count"]["minimum"], receive["sets_count"]["maximum"]) == (1, 50)
    assert receive["received_at"]["anyOf"][0]["format"] == "date-time"
    assert "normalised" in schemas["ApplicantIn"]["description"]


@pytest.mark.parametrize("sets_count", [0, 51])
def test_what_the_document_refuses_the_server_refuses(counter_officer, sets_count) -> None:
    response = post(as_system(counter_officer), BASE, intake(sets_count=sets_count))
    assert_api_error(response, 422, "invalid_sets_count")
