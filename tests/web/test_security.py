"""Safe by default: headers, DEBUG off, login throttling."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_debug_is_off_outside_the_demo() -> None:
    assert settings.DEBUG is False


def test_pages_send_a_content_security_policy(client: Client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_login_is_throttled_after_repeated_failures(client: Client, counter_officer) -> None:
    for _ in range(settings.LOGIN_MAX_ATTEMPTS):
        response = client.post("/dang-nhap/", {"username": "counter_officer", "password": "x"})
        assert response.status_code == 200
    right = client.post(
        "/dang-nhap/", {"username": "counter_officer", "password": "pw-counter_officer"}
    )
    assert right.status_code == 429
    assert "sai quá nhiều lần" in right.content.decode()


def test_a_correct_login_reaches_the_counter(client: Client, counter_officer) -> None:
    response = client.post(
        "/dang-nhap/", {"username": "counter_officer", "password": "pw-counter_officer"}
    )
    assert response.status_code == 302 and response["Location"] == "/quay/"


def test_the_admin_signs_in_through_the_throttled_page(client: Client) -> None:
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_csrf_is_enforced(counter_officer) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(counter_officer)
    assert strict.post("/quay/tiep-nhan/", {}).status_code == 403


@pytest.mark.parametrize(
    "address",
    [
        "/tra-cuu/%00/",
        "/quay/ho-so/%00/",
        "/quay/tim-ho-so/?q=%00",
        "/thu-tuc/?q=ab%00c",
        "/thu-tuc/?%00=1",
        "/api/v1/dossiers/%00",
    ],
)
def test_a_nul_in_the_address_names_nothing(client: Client, counter_officer, address: str) -> None:
    """PostgreSQL refuses NUL in a text parameter: the address is answered as not found before
    a view queries with it, a styled page (or the API's JSON error), never a server error."""
    client.force_login(counter_officer)
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    if address.startswith("/api/"):
        assert response.json()["code"]
    else:
        assert "<html" in response.content.decode().lower()


def test_an_ordinary_query_passes_the_nul_guard(client: Client) -> None:
    assert client.get("/thu-tuc/?q=dang+ky").status_code == 200
