"""The transactional outbox: one row per dossier event and destination that wants it, written in
the transaction that appends the event, delivered afterwards (motcua/outbox/services.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ chuyển")
    DELIVERED = "delivered", _("Đã chuyển")
    # Failed OUTBOX_MAX_ATTEMPTS times: waits for an administrator to replay it, and so do the
    # later messages of the same dossier to the same destination (their order is kept).
    DEAD = "dead", _("Hỏng, chờ chuyển lại")


class OutboxMessage(models.Model):
    destination = models.CharField(_("nơi nhận"), max_length=40)
    # No database constraint to the event log, which only the audit may judge (a removed
    # dossier is found by `motcua audit verify`, not refused here).
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("sự kiện"),
    )
    event_type = models.CharField(_("loại sự kiện"), max_length=40)
    # 1, 2, 3… for each dossier and destination: delivered in that order, and the receiver can
    # see a gap.
    sequence = models.PositiveIntegerField(_("số thứ tự"))
    # The same on every attempt and replay: the receiver de-duplicates by it.
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=100, unique=True)
    payload = models.JSONField(_("nội dung"))
    # 0: the event's own message; 1, 2…: a later message sending the status after the same
    # event again, at a reconciliation (`national_portal.status.resend`), under its own key.
    resend = models.PositiveSmallIntegerField(_("lần gửi lại"), default=0)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần chuyển"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    last_attempt_at = models.DateTimeField(_("lần chuyển gần nhất"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("chuyển lại lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đã chuyển lúc"), null=True, blank=True)
    # Its task found an earlier message of its stream undelivered and ended: the delivery of
    # that one queues it again (`tasks.queue_next`).
    waiting = models.BooleanField(_("chờ thư trước"), default=False)
    # Held by one delivering run (`claimed_by` = its task worker) until `locked_until`.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("thư đi")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "dossier", "sequence"], name="outbox_sequence_per_stream"
            ),
            models.UniqueConstraint(
                fields=["event", "destination", "resend"], name="outbox_once_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values), name="outbox_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "destination"], name="outbox_status_idx"),
            models.Index(fields=["claimed_by"], name="outbox_claimed_by_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.destination} #{self.sequence} {self.event_type} ({self.status})"


def idempotency_key(event_id: int, destination: str) -> str:
    """The message's name for the receiver: the same for every attempt and replay."""
    return f"motcua-event-{event_id}-{destination}"
