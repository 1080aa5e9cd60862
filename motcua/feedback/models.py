"""Citizens' ratings (đánh giá mức độ hài lòng): one completed rating form each, with its
answers on named scales. The scales are data: `overall` and `attitude` are built in (the
interchange format's), and a site may add its own."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Unit


class RatingChannel(models.TextChoices):
    KIOSK = "kiosk", _("Máy đánh giá tại quầy")
    PAPER = "paper", _("Phiếu giấy")
    ONLINE = "online", _("Trực tuyến")
    SMS = "sms", _("Tin nhắn")


class RatingScale(models.Model):
    """A question and its allowed answers, e.g. overall: very_satisfied … dissatisfied."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("câu hỏi"), max_length=300)
    values = models.JSONField(
        _("các mức trả lời"), help_text=_('Danh sách [mã, nhãn], ví dụ [["satisfied", "Hài lòng"]]')
    )

    class Meta:
        verbose_name = _("thang đánh giá")
        verbose_name_plural = _("thang đánh giá")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def value_codes(self) -> list[str]:
        return [str(value[0]) for value in self.values]

    def label(self) -> str:
        """The question in the reader's language (the built-in ones are translated)."""
        return gettext(self.name)

    def answer_labels(self) -> dict[str, str]:
        """Answer code → its words in the reader's language: what every page, list and
        workbook shows, never the code ("very_satisfied")."""
        return {str(value[0]): gettext(str(value[1])) for value in self.values}

    def answer_label(self, value: object) -> str:
        return self.answer_labels().get(str(value), str(value))


# The built-in scales' words (feedback/migrations/0002), listed here so they are translated.
BUILT_IN_WORDS = (
    gettext_noop("Mức độ hài lòng chung"),
    gettext_noop("Rất hài lòng"),
    gettext_noop("Hài lòng"),
    gettext_noop("Bình thường"),
    gettext_noop("Không hài lòng"),
    gettext_noop("Thái độ của cán bộ"),
    gettext_noop("Rất lịch sự, thân thiện"),
    gettext_noop("Thiếu thân thiện"),
)


class Rating(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ratings")
    province_code = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    channel = models.CharField(_("kênh"), max_length=8, choices=RatingChannel.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    answers = models.JSONField(_("câu trả lời"), default=dict)
    # The same form imported twice is recognised by this key: a hash of the source system's
    # `id` when the line has one, else of its content and its occurrence in the file
    # (integrations/ratings.py).
    source_key = models.CharField(max_length=64, unique=True)
    # The source system's identifier of the form (motcua.ratings/1 `id`), written back on export.
    source_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "at"], name="rating_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.at:%Y-%m-%d %H:%M}"
