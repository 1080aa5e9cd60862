from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from motcua.accounts.models import User
from tests.citizens.provider import Provider, running_provider, sign_in_at_provider

CALLBACK = "http://testserver/cong-dan/dang-nhap/xac-thuc/"


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider([CALLBACK]) as running:
        yield running


def start_sign_in(client: Client) -> str:
    """The site sends the browser to the provider: the authorisation URL."""
    response = client.get("/cong-dan/dang-nhap/vneid/")
    assert response.status_code == 302
    return str(response["Location"])


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def signed_in(client: Client, login: str) -> User:
    """Sign `login` in through the provider's pages; the site's session holds them."""
    back = sign_in_at_provider(start_sign_in(client), login, until=CALLBACK)
    response = client.get(callback_path(back))
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == "/cong-dan/"
    return User.objects.get(pk=client.session["_auth_user_id"])
