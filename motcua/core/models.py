"""What the core keeps: throttle state (when no Redis is configured) and the change log of
the reference data (nhật ký thay đổi): who changed the catalogue, the calendar, the
units, the users or their roles, when, through what, and from what to what.

Written only by `core/changes.py`, never changed or removed (the database refuses both,
core/append_only.py). Dossiers have their own, sealed, event log (dossiers/audit.py)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import now


class ChangeKind(models.TextChoices):
    CREATED = "created", _("Thêm")
    CHANGED = "changed", _("Sửa")
    DELETED = "deleted", _("Xoá")


class AppendOnlyRecordError(RuntimeError):
    pass


class AuditRecord(models.Model):
    """One change of one row. `before` and `after` hold the changed fields only (all of them
    on creation or removal), as JSON; secrets such as password hashes are never copied."""

    at = models.DateTimeField(_("thời điểm"), default=now, db_index=True)
    # Not foreign keys: a record outlives the user and the row it names, and is never changed.
    actor_id = models.PositiveBigIntegerField(_("mã người thực hiện"), null=True, blank=True)
    actor_name = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    via = models.CharField(_("qua"), max_length=300, blank=True)
    kind = models.CharField(_("thao tác"), max_length=8, choices=ChangeKind.choices)
    model = models.CharField(_("loại dữ liệu"), max_length=100)
    object_id = models.CharField(_("mã bản ghi"), max_length=64)
    object_repr = models.CharField(_("bản ghi"), max_length=300)
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_record_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.model} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyRecordError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyRecordError("audit records are append-only")


class ThrottleState(models.Model):
    """One throttled subject (a login name from an address, a dossier's second factor, a
    lookup client), by its hashed key. Rows are never culled while they matter: only rows past
    `expires_at` are purged. See docs/decisions/0006-throttles.md.

    - A lock counts `count` attempts until `expires_at`.
    - A sliding window keeps the instants (`stamps`, seconds since the epoch) of the requests
      it let through during the last window."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(db_index=True, help_text="seconds since the epoch")
    stamps = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
