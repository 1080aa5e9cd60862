"""The API's own tables: tokens for other systems, and the idempotency records of POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A token another system (an agency's software, the national portal sync, a province's
    migration) uses to act as `user`. The token is `mc_<prefix>_<secret>`: only the prefix
    (to find the row) and the SHA-256 of the secret are stored, so the token is shown once,
    when it is created, and can never be read back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, help_text=_("Hệ thống nào dùng khoá này."))
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"mc_{self.prefix}_… ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    COMPLETED = "completed", _("Đã xong")


class IdempotencyRecord(models.Model):
    """One POST a caller made under an `Idempotency-Key`: the request's fingerprint (SHA-256 of
    method, path and canonical JSON body) and, once the action ran, the response it got, so a
    retry gets the same response without running the action again. Kept 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    # In progress only inside the transaction that claimed the key and runs the action (see
    # motcua/api/idempotency.py); what other requests see is always completed.
    state = models.CharField(
        max_length=16, choices=IdempotencyState.choices, default=IdempotencyState.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bản ghi Idempotency-Key")
        verbose_name_plural = _("bản ghi Idempotency-Key")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.state}"
