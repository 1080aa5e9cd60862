"""Citizens sign in through the province's identity provider (OpenID Connect, VNeID-style;
docs/integrations/citizen-portal.md): mozilla-django-oidc's code flow with PKCE and a nonce,
the account made or refreshed by `accounts.citizens.sign_in_citizen` from the claims.

A callback that does not match what this browser started (an unknown state, a token whose
nonce is not the one sent, claims that do not make an account) is refused with a page that
says so (400), never a server error, and signs no one in."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from motcua.accounts.citizens import portal_enabled, sign_in_citizen
from motcua.accounts.models import User
from motcua.core.errors import ValidationFailed

logger = logging.getLogger(__name__)


enabled = portal_enabled


class CitizenBackend(OIDCAuthenticationBackend):
    """Authenticates the provider's callback only (never a staff login form): the account is
    the citizen account of the claims' subject, never a staff account."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # read when used: the settings may be empty (portal off), which the library refuses
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not enabled() or "nonce" not in kwargs:
            return None
        for name in (
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_RP_SIGN_ALGO",
        ):
            setattr(self, name, getattr(settings, name))
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user info is not about the signed-in subject")
        names = settings.CITIZEN_CLAIMS
        try:
            return sign_in_citizen(
                subject=str(payload["sub"]),
                name=str(claims.get(names["name"]) or ""),
                id_number=str(claims.get(names["id_number"]) or ""),
                level=str(claims.get(names["level"]) or ""),
                verified_levels=settings.CITIZEN_VERIFIED_LEVELS,
            )
        except ValidationFailed as error:
            raise SuspiciousOperation(error.code) from error


class SignInView(OIDCAuthenticationRequestView):
    """Starts the sign-in: to the provider, with state, nonce and the PKCE challenge kept in
    this browser's session."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        request.session["oidc_login_next"] = reverse("portal:citizen_home")
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code and the state."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as error:
            logger.warning("citizen sign-in refused: %s", error)
            return refused(request)
        except requests.RequestException as error:  # the provider did not answer, or refused
            logger.warning("identity provider unavailable: %s", error)
            return refused(request, unavailable=True)
        return response

    def login_failure(self) -> HttpResponse:
        return refused(self.request)

    def login_success(self) -> HttpResponse:
        if self.request.user.is_authenticated and self.request.user != self.user:
            auth.logout(self.request)  # a staff session never turns into a citizen's
        return super().login_success()


def refused(request: HttpRequest, *, unavailable: bool = False) -> HttpResponse:
    """The page of a refused sign-in (400), or of a provider that did not answer (503)."""
    if request.user.is_authenticated:
        auth.logout(request)
    context = {"unavailable": unavailable}
    status = 503 if unavailable else 400
    return render(request, "portal/citizen/signin_refused.html", context, status=status)
