"""The outbox: one row per event and channel, written in the transaction of the event, sent
afterwards by a background task (`tasks.send_notification`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Notification(models.Model):
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("hồ sơ")
    )
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("sự kiện"),
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("lần gửi gần nhất"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    # Set while a task is sending it, so a second run of the task does not send it again.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"], name="notification_once_per_event_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=NotificationChannel.values),
                name="notification_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values),
                name="notification_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"
