"""A citizen's online applications on motcua's own portal (docs/integrations/citizen-portal.md).

An `Application` is what the citizen fills in before it is a dossier: the procedure version in
force, the receiving one-stop, how to get the result, and one file per component
(`ApplicationFile`). While it is a draft (bản nháp) the citizen may change it at will; nothing
of it is a dossier, so it has no code, no clock and no place in any report. Submitting it
(`citizens/services.py`) makes the dossier through `dossiers.reception.submit_online` and
copies its files to the dossier's documents; from then on the application is the record of
whose dossier that is (`dossier`), which is how the portal finds "my dossiers"."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core.clock import local, now
from motcua.documents.models import EXTENSIONS, Document, document_storage
from motcua.dossiers.models import Dossier, ReturnChannel


def _new_key() -> str:
    return secrets.token_urlsafe(12)


class Application(models.Model):
    """A citizen's application (hồ sơ trực tuyến của công dân): a draft, then its dossier."""

    key = models.CharField(max_length=32, unique=True, default=_new_key, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("công dân"),
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thủ tục")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi tiếp nhận")
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    return_channel = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=8,
        choices=ReturnChannel.choices,
        default=ReturnChannel.ONLINE,
    )
    postal_address = models.CharField(_("địa chỉ nhận qua bưu chính"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    dossier = models.OneToOneField(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("hồ sơ"),
    )

    class Meta:
        verbose_name = _("hồ sơ trực tuyến của công dân")
        verbose_name_plural = _("hồ sơ trực tuyến của công dân")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.dossier.code if self.dossier is not None else f"draft {self.key}"

    @property
    def is_draft(self) -> bool:
        return self.dossier_id is None


def application_file_path(instance: ApplicationFile, filename: str) -> str:
    """applications/<yyyy>/<mm>/<dd>/<sha256>-<nonce>.<ext>; the sender's name is ignored."""
    day = local(instance.uploaded_at or now()).date()
    extension = EXTENSIONS.get(instance.content_type, "bin")
    return f"applications/{day:%Y/%m/%d}/{instance.sha256}-{secrets.token_hex(4)}.{extension}"


class ApplicationFile(models.Model):
    """One component's file in a draft: uploaded (checked as any document is) or chosen from
    the citizen's earlier documents (`reused_from`, no bytes of its own)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    component_name = models.CharField(_("thành phần hồ sơ"), max_length=1000)
    file = models.FileField(
        upload_to=application_file_path, storage=document_storage, max_length=255, blank=True
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(default=now)
    reused_from = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "component_name"], name="application_one_file_per_component"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.component_name}"
