"""Citizens sign in through a real OpenID Connect provider on loopback (oidc-provider with its
own login and consent pages): the code flow with PKCE and a nonce, the account made from the
claims, marked verified at level 2; a forged callback is refused with a page, never a server
error, and signs no one in; a citizen's account has no staff access at all."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from motcua.accounts import access
from motcua.accounts.models import CitizenAccount, User
from tests.citizens.conftest import (
    CALLBACK,
    callback_path,
    signed_in,
    start_sign_in,
    state_of,
)
from tests.citizens.provider import sign_in_at_provider

pytestmark = pytest.mark.django_db


def test_the_request_carries_state_nonce_and_a_pkce_challenge(provider) -> None:
    query = parse_qs(urlsplit(start_sign_in(Client())).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == [CALLBACK]


def test_a_level_2_citizen_signs_in_and_is_marked_verified(provider) -> None:
    client = Client()
    user = signed_in(client, "an")
    account = CitizenAccount.objects.get(user=user)
    assert (user.full_name, account.subject, account.id_number) == (
        "Nguyễn Văn An",
        "an",
        "001090000123",
    )
    assert account.verified and account.identity_level == "2"
    assert not user.is_staff and not user.has_usable_password()
    assert not user.memberships.exists()
    page = client.get("/cong-dan/")
    assert page.status_code == 200
    assert "Đã xác thực danh tính" in page.content.decode()


def test_a_level_1_citizen_is_not_verified_and_signing_in_again_keeps_one_account(
    provider,
) -> None:
    first = signed_in(Client(), "binh")
    again = signed_in(Client(), "binh")
    assert first == again
    assert CitizenAccount.objects.filter(subject="binh").count() == 1
    assert not CitizenAccount.objects.get(subject="binh").verified


def test_a_forged_state_is_refused_with_a_page_and_signs_no_one_in(provider) -> None:
    client = Client()
    authorize = start_sign_in(client)
    back = sign_in_at_provider(authorize, "an", until=CALLBACK)
    forged = back.replace(f"state={state_of(authorize)}", "state=forged-state")
    response = client.get(callback_path(forged))
    assert response.status_code == 400
    assert "Không đăng nhập được" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not CitizenAccount.objects.exists()


def test_a_callback_nobody_started_is_refused(provider) -> None:
    client = Client()
    response = client.get("/cong-dan/dang-nhap/xac-thuc/?code=abc&state=xyz")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_token_whose_nonce_is_not_ours_is_refused(provider) -> None:
    client = Client()
    authorize = start_sign_in(client)
    back = sign_in_at_provider(authorize, "an", until=CALLBACK)
    session = client.session
    states = session["oidc_states"]
    states[state_of(authorize)]["nonce"] = "not-the-nonce-that-was-sent"
    session["oidc_states"] = states
    session.save()
    response = client.get(callback_path(back))
    assert response.status_code == 400
    assert "Không đăng nhập được" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not CitizenAccount.objects.exists()


def test_a_citizen_has_no_staff_access(provider, catalogue) -> None:
    client = Client()
    user = signed_in(client, "an")
    assert access.pages_for(user) == frozenset()
    assert not access.may_use_back_office(user)
    for url in ("/quay/", "/quay/viec-can-lam/", "/quay/tim-ho-so/", "/quay/thu-tuc/"):
        response = client.get(url)
        assert response.status_code == 403, url
    assert client.get("/api/v1/dossiers").status_code == 401  # their session is not the API's
    assert client.get("/quan-tri/").status_code == 403


def test_staff_are_refused_on_the_citizen_portal(counter_officer) -> None:
    client = Client()
    client.force_login(counter_officer)
    assert client.get("/cong-dan/").status_code == 403


def test_a_staff_member_cannot_become_a_citizen_by_a_claim(provider, counter_officer) -> None:
    """The account is found by the provider's subject, never by a name or e-mail."""
    user = signed_in(Client(), "an")
    assert user != counter_officer
    assert User.objects.filter(citizen__isnull=False).count() == 1


def test_an_error_from_the_provider_is_refused_with_a_page(provider) -> None:
    client = Client()
    state = state_of(start_sign_in(client))
    response = client.get(f"/cong-dan/dang-nhap/xac-thuc/?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_provider_that_does_not_answer_gives_a_page_not_a_server_error(settings) -> None:
    """The tests' default provider address (port 9 of loopback) has no one listening."""
    client = Client()
    state = state_of(start_sign_in(client))
    response = client.get(f"/cong-dan/dang-nhap/xac-thuc/?code=abc&state={state}")
    assert response.status_code == 503
    assert "Nhà cung cấp định danh không trả lời." in response.content.decode()
    assert "_auth_user_id" not in client.session
