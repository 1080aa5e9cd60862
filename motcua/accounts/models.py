"""People who use motcua and what they may do where.

A user may belong to several organisation units, with one role in each (a counter officer of
a commune centre may also be a specialist of a department). Roles are not tied to
civil-servant status: postal and contracted staff act as counter officers too (Decree 118)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTER_OFFICER = "counter_officer", _("Cán bộ một cửa")  # cán bộ tiếp nhận và trả kết quả
    SPECIALIST = "specialist", _("Chuyên viên thụ lý")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    CENTRE_DIRECTOR = "centre_director", _("Lãnh đạo Trung tâm")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")
    # Imports of history act as this role: it may record every step, never at the counter.
    SYSTEM = "system", _("Hệ thống (nhập dữ liệu lịch sử)")


class UserManager(DjangoUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """Sign-in finds the user by the normalised name, whatever form was typed."""
        return self.get(username=User.normalize_username(username or ""))


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)

    objects = UserManager()  # type: ignore[misc]

    @classmethod
    def normalize_username(cls, username: Any) -> Any:
        """The one form of a login name (tên đăng nhập): NFKC, case-folded, trimmed, so that
        "ｃounter" (full-width) and "Counter" are the same person for the user lookup, for new
        accounts and for the login throttle alike."""
        if not isinstance(username, str):
            return username
        folded = unicodedata.normalize("NFKC", username).casefold()
        return unicodedata.normalize("NFKC", folded).strip()

    def __str__(self) -> str:
        return self.full_name or self.username

    def memberships_with(self, role: Role) -> models.QuerySet[Membership]:
        return self.memberships.filter(role=role, is_active=True).select_related("unit")

    def has_role_at(self, role: Role, unit_id: int) -> bool:
        return self.memberships.filter(role=role, unit_id=unit_id, is_active=True).exists()


class Membership(models.Model):
    """A user's role in one organisation unit (thành viên của đơn vị)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit.code}"


class CitizenAccount(models.Model):
    """A citizen's own account (tài khoản công dân) on the citizen portal, signed in through the
    province's identity provider (VNeID-style OpenID Connect; docs/integrations/citizen-portal.md).

    It is a User with no membership, no password and no staff flag: it sees only the dossiers it
    submitted (`accounts/access.py`). `subject` is the provider's stable identifier of the
    person (`sub`), the only thing the account is found by; the name and the identity number
    are copied from the provider's claims at each sign-in. `verified` says the provider vouched
    for the person's identity at the configured level (e.g. VNeID level 2)."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="citizen")
    subject = models.CharField(_("định danh tại nhà cung cấp"), max_length=255, unique=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=20, blank=True)
    identity_level = models.CharField(_("mức định danh"), max_length=32, blank=True)
    verified = models.BooleanField(_("đã xác thực danh tính"), default=False)
    first_signed_in_at = models.DateTimeField(_("đăng nhập lần đầu"))
    last_signed_in_at = models.DateTimeField(_("đăng nhập gần nhất"))

    class Meta:
        verbose_name = _("tài khoản công dân")
        verbose_name_plural = _("tài khoản công dân")

    def __str__(self) -> str:
        return str(self.user)
