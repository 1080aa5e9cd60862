"""The outbox: one row per event and channel, written in the transaction of the event, sent
afterwards by a background task (`tasks.send_notification`); and the task workers that send
them, each proving it is alive (`TaskWorker`)."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
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
    # The sender died (or lost the server's answer) after handing the message over: it may
    # have arrived. Not sent again on its own, so that nobody gets it twice; an officer may
    # resend it, and the stable Message-ID / reference makes a duplicate recognisable.
    UNKNOWN = "unknown", _("Chưa rõ đã gửi được chưa")


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
    # Set while a task is sending it, so a second run of the task does not send it again;
    # `claimed_by` names the task worker (`TaskWorker.worker_id`) whose run holds it, so that
    # the claim of a dead worker is released at once instead of when `locked_until` lapses.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    # When the sending run started handing the message to the SMTP server or the SMS
    # provider; set until the answer is recorded. A claim released with this set means the
    # outcome is unknown (status `unknown`), never a second send.
    handed_over_at = models.DateTimeField(null=True, blank=True, editable=False)

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

    @property
    def reference(self) -> str:
        """This notification's own name, the same on every attempt: the SMS provider's client
        reference, and the left part of the e-mail's Message-ID."""
        return f"motcua-{self.pk}-{self.created_at:%Y%m%d%H%M%S}"

    @property
    def message_id(self) -> str:
        """The e-mail's Message-ID, the same on every attempt, so that the rare duplicate (an
        officer resends a message whose first sending may have arrived) is recognisable."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "motcua.invalid"
        return f"<{self.reference}@{domain}>"


class TaskWorker(models.Model):
    """A running `motcua db_worker` process. It beats (`seen_at`) every
    `settings.TASK_WORKER_HEARTBEAT` seconds and names the task it is running; a worker silent
    for `settings.TASK_WORKER_TIMEOUT` seconds is dead, and its task and notification claims
    are released (`motcua.notifications.worker.reclaim_from_dead_workers`)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    # The django-tasks result (DBTaskResult.id) it is running, if any.
    task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("tiến trình gửi nền")
        verbose_name_plural = _("tiến trình gửi nền")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
