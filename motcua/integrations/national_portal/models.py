"""What the connector keeps beside the dossier: the portal's own facts about a dossier it sent
(fees, VNeID, online payment, which papers were digitised or taken from a national store), and
every message from the portal that was refused, for the administrator."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalDossier(models.Model):
    """The portal's facts about a dossier submitted there, as it sent them."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="national_portal"
    )
    external_code = models.CharField(_("mã hồ sơ trên Cổng"), max_length=64, unique=True)
    vneid_verified = models.BooleanField(_("tài khoản xác thực VNeID"), default=False)
    paid_online = models.CharField(_("thanh toán trực tuyến"), max_length=1, default="0")
    fees = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    # [{"component", "name", "document_id", "digitised", "from_national_store"}]
    files = models.JSONField(_("tệp đã nộp"), default=list, blank=True)
    received_via = models.CharField(_("cách nhận"), max_length=8)  # push / pull
    received_at = models.DateTimeField(_("thời điểm nhận"))

    class Meta:
        verbose_name = _("hồ sơ từ Cổng quốc gia")
        verbose_name_plural = _("hồ sơ từ Cổng quốc gia")

    def __str__(self) -> str:
        return self.external_code


class RefusedMessage(models.Model):
    """A message from the portal that was refused; nothing of it was written elsewhere."""

    received_at = models.DateTimeField(_("thời điểm nhận"), db_index=True)
    received_via = models.CharField(_("cách nhận"), max_length=8)
    code = models.CharField(_("mã lỗi"), max_length=64, db_index=True)
    reason = models.TextField(_("lý do"))
    external_code = models.CharField(_("mã hồ sơ trên Cổng"), max_length=64, blank=True)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True)
    body = models.JSONField(_("nội dung (không kèm tệp)"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("thông điệp bị từ chối")
        verbose_name_plural = _("thông điệp từ Cổng bị từ chối")

    def __str__(self) -> str:
        return f"{self.code} {self.external_code}"
