"""Citizens' accounts: made or refreshed when a citizen signs in through the identity provider
(docs/integrations/citizen-portal.md#what-is-stored).

The account is found by the provider's subject only, never by a name or an e-mail, so that a
citizen can never sign in as a member of staff nor as another citizen."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction

from motcua.accounts.models import CitizenAccount, User
from motcua.core import identity
from motcua.core.clock import now
from motcua.core.errors import ValidationFailed
from motcua.core.text import clean_text, fitted


def portal_enabled() -> bool:
    """The citizen portal is on when this site is a client of an identity provider: the
    client id and the provider's endpoints are configured (MOTCUA_OIDC_*)."""
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_OP_USER_ENDPOINT
    )


def sign_in_citizen(
    *,
    subject: str,
    name: str,
    id_number: str = "",
    level: str = "",
    verified_levels: Iterable[str] = (),
    at: datetime | None = None,
) -> User:
    """The citizen's account for the provider's `subject`, made at the first sign-in and
    refreshed from the claims at each one (`name`, `id_number`, `level`); `verified` when
    `level` is one of `verified_levels`. Refused (`invalid_claims`) without a subject or a
    name, or with an identification number of the wrong shape."""
    subject = clean_text(subject)[:255]
    try:
        name = fitted(name, max_length=200, field="name")
        number = identity.normalize_id_number(clean_text(str(id_number)))
    except ValidationFailed as error:
        raise ValidationFailed(error.message, code="invalid_claims") from error
    if not subject or not name:
        raise ValidationFailed(
            "Nhà cung cấp định danh không gửi đủ thông tin.", code="invalid_claims"
        )
    level = clean_text(str(level))[:32]
    moment = at or now()
    with transaction.atomic():
        account = (
            CitizenAccount.objects.select_for_update()
            .select_related("user")
            .filter(subject=subject)
            .first()
        )
        if account is None:
            account = CitizenAccount(
                user=_new_user(subject), subject=subject, first_signed_in_at=moment
            )
        account.id_number = number
        account.identity_level = level
        account.verified = level in set(verified_levels)
        account.last_signed_in_at = moment
        account.save()
        user = account.user
        if user.full_name != name:
            user.full_name = name
            user.save(update_fields=["full_name"])
    return user


def _new_user(subject: str) -> User:
    """A user with no password, no staff flag and no membership, named after a digest of the
    subject (the subject itself may be long or personal)."""
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    user = User(username=f"congdan-{digest}", is_active=True, is_staff=False)
    user.set_unusable_password()
    user.save()
    return user
