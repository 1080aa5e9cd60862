"""Citizens' ratings (đánh giá mức độ hài lòng): one completed rating form each, with its
answers on named scales. The scales are data: `overall` and `attitude` are built in (the
interchange format's), and a site may add its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Unit
from motcua.queueing.models import new_token


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
    criteria = models.JSONField(
        _("các tiêu chí"),
        default=list,
        blank=True,
        help_text=_(
            "Thang nhiều tiêu chí: danh sách [mã, tiêu chí]; mỗi tiêu chí được trả lời bằng "
            "các mức trên. Trống là thang một câu hỏi."
        ),
    )
    positive = models.JSONField(
        _("các mức tích cực"),
        default=list,
        blank=True,
        help_text=_("Mã các mức được tính là hài lòng (tích cực) trong thống kê."),
    )
    on_tablet = models.BooleanField(
        _("hỏi trên máy tại quầy"),
        default=True,
        help_text=_("Bỏ chọn để chỉ hỏi qua mã QR, trực tuyến và phiếu giấy."),
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

    def questions(self) -> list[tuple[str, str]]:
        """(answer key, question in the reader's language): the scale's own code for a
        one-question scale, `<scale>.<criterion>` for each criterion of a multi-criterion one
        (the keys of `Rating.answers`)."""
        if not self.criteria:
            return [(self.code, self.label())]
        return [(f"{self.code}.{item[0]}", gettext(str(item[1]))) for item in self.criteria]

    def positive_codes(self) -> list[str]:
        return [str(code) for code in self.positive]


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
    # the nine criteria of the one-stop evaluation (feedback/migrations/0005)
    gettext_noop("Đánh giá giải quyết thủ tục hành chính (9 tiêu chí)"),
    gettext_noop("Tốt (2 điểm)"),
    gettext_noop("Đạt (1 điểm)"),
    gettext_noop("Chưa đạt (0 điểm)"),
    gettext_noop("Tổng thời gian giải quyết so với thời hạn theo quy định"),
    gettext_noop("Thời gian thực hiện của từng cơ quan tham gia giải quyết"),
    gettext_noop("Số lần phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ"),
    gettext_noop("Số cơ quan, tổ chức phải liên hệ để hoàn thiện hồ sơ"),
    gettext_noop("Việc tiếp nhận, giải quyết, trả kết quả qua Bộ phận Một cửa"),
    gettext_noop("Thái độ của cán bộ, công chức, viên chức"),
    gettext_noop("Việc công khai thủ tục hành chính"),
    gettext_noop("Việc tiếp nhận và giải trình phản ánh, kiến nghị"),
    gettext_noop("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"),
)


class RatingSource(models.TextChoices):
    """How a rating reached motcua (docs/domain/ratings.md)."""

    TABLET = "tablet", _("Máy tính bảng tại quầy")
    QR = "qr", _("Mã QR")
    ONLINE = "online", _("Trực tuyến sau khi trả kết quả")
    PAPER = "paper", _("Phiếu giấy (cán bộ nhập)")
    IMPORT = "import", _("Nhập từ hệ thống khác")


# the interchange `channel` written for each source (motcua.ratings/1)
CHANNEL_OF_SOURCE = {
    RatingSource.TABLET: RatingChannel.KIOSK,
    RatingSource.QR: RatingChannel.ONLINE,
    RatingSource.ONLINE: RatingChannel.ONLINE,
    RatingSource.PAPER: RatingChannel.PAPER,
}


class RatingDevice(models.Model):
    """A tablet facing a counter, opened by the secret token in its URL: after each visit it
    offers the citizen just served the rating form of that visit."""

    counter = models.ForeignKey(
        "queueing.Counter",
        on_delete=models.CASCADE,
        related_name="rating_devices",
        verbose_name=_("quầy"),
    )
    name = models.CharField(_("tên"), max_length=100)
    token = models.CharField(_("mã truy cập"), max_length=64, unique=True, default=new_token)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("máy đánh giá tại quầy")
        verbose_name_plural = _("máy đánh giá tại quầy")

    def __str__(self) -> str:
        return self.name


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
    # How it came (feedback/services.py writes every collected one), whom it rates, who wrote it.
    source = models.CharField(
        _("nguồn"), max_length=8, choices=RatingSource.choices, default=RatingSource.IMPORT
    )
    ticket = models.ForeignKey(
        "queueing.Ticket",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("vé"),
    )
    counter = models.ForeignKey(
        "queueing.Counter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("quầy"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ được đánh giá"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    device = models.ForeignKey(
        RatingDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("sửa lần cuối lúc"), null=True, blank=True)
    changes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "at"], name="rating_unit_at")]
        constraints = [
            # one citizen's rating per dossier by QR or online (changeable for a while)
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(source__in=["qr", "online"]),
                name="rating_one_per_dossier",
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ticket__isnull=False),
                name="rating_one_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.at:%Y-%m-%d %H:%M}"
