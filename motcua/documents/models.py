"""Documents (tài liệu) attached to a dossier: scanned components and the agencies' results.

A document is written once, by `documents/services.py`, and never changed. Its file lives in the
storage backend (filesystem or S3-compatible object storage) under a name motcua chooses from
the dossier's province, the day and the content's SHA-256; the sender's file name is kept only
to be shown."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import local, now
from motcua.core.text import fold_accents
from motcua.dossiers.models import Dossier


class DocumentKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    RESULT = "result", _("Kết quả giải quyết")
    OTHER = "other", _("Tài liệu khác")


# Which extension motcua gives a stored file, by its detected content type.
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def document_storage() -> Storage:
    """The storage backend, looked up when used rather than when this module is imported.

    `default_storage` is a lazy proxy for `storages["default"]` that Django resets whenever
    STORAGES changes (override_settings in tests), so the file field always writes where the
    settings say, and the migration records this function instead of a concrete backend."""
    return default_storage


def document_path(instance: Document, filename: str) -> str:
    """documents/<province>/<yyyy>/<mm>/<dd>/<sha256>-<nonce>.<ext>; `filename` is ignored.

    The short random nonce makes every stored name unique even when the same bytes are stored
    twice at once (a double click, or another dossier on the same day), so removing the file of
    a failed upload can never remove another document's file, whatever the backend's
    overwrite setting."""
    province = _UNSAFE.sub("_", instance.dossier.province_code) or "_"
    day = local(instance.uploaded_at or now()).date()
    extension = EXTENSIONS.get(instance.content_type, "bin")
    name = f"{instance.sha256}-{secrets.token_hex(4)}.{extension}"
    return f"documents/{province}/{day:%Y/%m/%d}/{name}"


class Document(models.Model):
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents", verbose_name=_("hồ sơ")
    )
    kind = models.CharField(_("loại"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("tên tài liệu"), max_length=300)
    component_name = models.CharField(
        _("thành phần hồ sơ"),
        max_length=1000,
        blank=True,
        help_text=_("Thành phần hồ sơ trong danh mục của thủ tục mà tệp này là bản quét."),
    )
    file = models.FileField(
        _("tệp"), upload_to=document_path, storage=document_storage, max_length=255
    )
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    content_type = models.CharField(_("định dạng"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))
    # The applicant's own earlier file chosen again on the citizen portal instead of a new
    # upload (the citizen's e-data store, kho dữ liệu điện tử): reports count the reuse.
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reuses",
        verbose_name=_("dùng lại từ tài liệu"),
    )

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["dossier_id", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sha256"], name="document_dossier_sha256")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        """A name to offer when downloading: the sender's name with the true extension."""
        stem = self.original_name.rpartition(".")[0] or self.original_name
        stem = stem or self.title or "tai-lieu"
        return f"{stem}.{self.extension}"

    @property
    def ascii_download_name(self) -> str:
        """The download name as a plain ASCII slug ("Tờ khai.pdf" → "to-khai.pdf"), for
        clients that ignore the UTF-8 name: nothing a header or a file system could misread."""
        stem = self.download_name.rpartition(".")[0]
        slug = _NOT_SLUG.sub("-", fold_accents(stem)).strip("-")[:80].rstrip("-")
        return f"{slug or f'tai-lieu-{self.pk}'}.{self.extension}"

    @property
    def extension(self) -> str:
        """The extension of the detected type (never the sender's)."""
        return EXTENSIONS.get(self.content_type, "bin")
