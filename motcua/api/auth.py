"""Who is calling: another system with an API token, or one of our pages with the staff
member's session. Either way the call acts as that user, and the domain's own permission
checks (roles and units) apply exactly as on the web.

Tokens look like `mc_<prefix>_<secret>`. Only the prefix and the SHA-256 of the secret are
stored; the secret is compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.api.models import ApiToken
from motcua.core.clock import now
from motcua.core.errors import MotcuaError, NotFound, PermissionRefused

TAG = "mc"
# Writing `last_used_at` on every call would make every read a write; once a minute is enough
# to tell a token in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Unauthenticated(MotcuaError):
    code = "unauthenticated"
    http_status = 401


class CsrfRefused(PermissionRefused):
    code = "csrf_failed"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the token text, which is shown once."""
    for _ in range(5):
        prefix, secret = secrets.token_hex(4), secrets.token_hex(24)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, name=name, prefix=prefix, key_hash=hash_secret(secret)
                )
        except IntegrityError:  # a prefix already taken (1 in 4 billion): draw again
            continue
        return token, f"{TAG}_{prefix}_{secret}"
    raise RuntimeError("could not draw a free token prefix")


def revoke_token(prefix: str) -> ApiToken:
    """Revoke the token with this prefix (also accepts the whole token); idempotent."""
    if prefix.startswith(f"{TAG}_"):
        prefix = prefix.split("_")[1]
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None:
        raise NotFound(f"Không có khoá API {prefix}.", code="unknown_token")
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(text: str) -> User | None:
    """The active user a valid, unrevoked token acts as; None for anything else."""
    parts = text.strip().split("_")
    if len(parts) != 3 or parts[0] != TAG or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1][:16]).first()
    # Compare even when the prefix is unknown, so timing does not tell prefixes apart.
    expected = token.key_hash if token is not None else "0" * 64
    if not hmac.compare_digest(expected, hash_secret(parts[2])) or token is None:
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    _note_use(token)
    return token.user


def _note_use(token: ApiToken) -> None:
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)


class ApiTokenAuth(HttpBearer):
    """Other systems: `Authorization: Bearer mc_<prefix>_<secret>`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if user is None:
            # A token was presented and is wrong: say so, rather than fall back to a session.
            raise Unauthenticated("Khoá API không hợp lệ hoặc đã bị thu hồi.", code="invalid_token")
        return user


class StaffSessionAuth(SessionAuth):
    """Our own pages: the signed-in staff member's session. A request that changes something
    must carry the CSRF token (header `X-CSRFToken`), as a form post would."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # anonymous: nothing to protect, the caller gets 401
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfRefused("Thiếu hoặc sai mã CSRF.")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """The signed-in user, unless theirs is a citizen's account: the staff API is not
        theirs, their session counts as none (401)."""
        if not access.may_use_back_office(request.user):
            return None
        return super().authenticate(request, key)


STAFF = [ApiTokenAuth(), StaffSessionAuth()]


def caller(request: HttpRequest) -> User:
    """The user an authenticated request acts as."""
    return cast(User, cast(Any, request).auth)
