"""Dossiers (hồ sơ) and their append-only event log.

The current status, the clock columns and the due date are cached columns: each can be
recomputed and explained from the events. Only `dossiers/actions.py` writes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Convention, DurationUnit, PauseRule, ProcedureVersion, Unit
from motcua.dossiers.lookup_codes import new_code
from motcua.workflow.states import Status

STATUS_LABELS = {
    Status.SUBMITTED: _("Chờ tiếp nhận"),
    Status.NEEDS_COMPLETION_AT_RECEPTION: _("Hướng dẫn bổ sung"),
    Status.REFUSED_AT_RECEPTION: _("Từ chối tiếp nhận"),
    Status.RECEIVED: _("Mới tiếp nhận"),
    Status.TRANSFERRED: _("Đã chuyển cơ quan giải quyết"),
    Status.ASSIGNED: _("Đang thẩm định"),
    Status.APPRAISED: _("Đã thẩm định, chờ trình"),
    Status.AWAITING_APPROVAL: _("Chờ phê duyệt"),
    Status.APPROVED: _("Đã phê duyệt, chờ chuyển kết quả"),
    Status.AWAITING_SUPPLEMENT: _("Chờ bổ sung"),
    Status.STOPPED: _("Dừng xử lý"),
    Status.RETURNED_NOT_RESOLVED: _("Trả lại hồ sơ"),
    Status.RESOLVED: _("Đã xử lý xong"),
    Status.RETURNED: _("Đã trả kết quả"),
}


class Channel(models.TextChoices):
    """How the dossier was submitted (KenhThucHien: 1 counter, 2 online, 3 postal)."""

    COUNTER = "counter", _("Trực tiếp tại quầy")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Qua bưu chính công ích")


class ReturnChannel(models.TextChoices):
    COUNTER = "counter", _("Tại quầy")
    POSTAL = "postal", _("Qua bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


class Source(models.TextChoices):
    """Where an online dossier came from (docs/domain/lifecycle.md#online-reception); "" for a
    dossier handed in on paper at a counter or by post."""

    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")
    OWN_PORTAL = "own_portal", _("Cổng dịch vụ công của tỉnh")
    COUNTER_ASSISTED = "counter_assisted", _("Nộp trực tuyến với hỗ trợ tại quầy")


class Outcome(models.TextChoices):
    """The decision on a dossier (kết quả giải quyết)."""

    GRANTED = "granted", _("Giải quyết")
    DENIED = "denied", _("Từ chối bằng văn bản")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    # The applicant's secret for the public lookup, printed on Form 01 (dossiers/lookup_codes.py);
    # "" on rows written outside motcua (benchmarks), which then open with it for no one.
    lookup_code = models.CharField(
        _("mã tra cứu"), max_length=16, default=new_code, db_default="", editable=False
    )
    province_code = models.CharField(max_length=64, db_index=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, db_index=True)
    receiving_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("nơi tiếp nhận"),
    )
    agency = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        verbose_name=_("cơ quan giải quyết"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=32,
        db_index=True,
        choices=[(status.value, label) for status, label in STATUS_LABELS.items()],
    )
    five_on_spot = models.BooleanField(_("5 tại chỗ"), default=False)

    applicant_name = models.CharField(_("người nộp"), max_length=200)
    # The name's search key, folded without accents (core/text.py `search_key`: " nguyen van
    # an"): written with the name by `dossiers/actions.py`, read by `dossiers/search.py`.
    # (longer than the name: the key adds a space before its first word)
    applicant_name_folded = models.CharField(max_length=220, blank=True, editable=False)
    applicant_id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)

    components = models.JSONField(_("thành phần hồ sơ đã nhận"), default=list)
    sets_count = models.PositiveSmallIntegerField(_("số bộ"), default=1)
    return_channel = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=8,
        choices=ReturnChannel.choices,
        default=ReturnChannel.COUNTER,
    )
    postal_address = models.CharField(_("địa chỉ nhận qua bưu chính"), max_length=300, blank=True)

    # The legal clock (cached from events; recomputable): norms copied from the version.
    duration_value = models.PositiveIntegerField(_("thời hạn"))
    duration_unit = models.CharField(max_length=16, choices=DurationUnit.choices)
    convention = models.CharField(max_length=8, choices=Convention.choices)
    pause_rule = models.CharField(max_length=8, choices=PauseRule.choices)
    same_day_cutoff = models.TimeField(_("giờ chốt giải quyết trong ngày"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), db_index=True)
    clock_started_at = models.DateTimeField(_("bắt đầu tính thời hạn"))
    due_at = models.DateTimeField(_("ngày hẹn trả"), db_index=True)
    due_at_original = models.DateTimeField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ngày kết thúc xử lý"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    # Working days the clock ran, pauses excluded, recorded when processing ends (Decision 766
    # indicator 2.2 averages it); None while open and for ends recorded before it existed.
    working_days_used = models.DecimalField(
        _("số ngày làm việc đã dùng"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    # Where the work stands (cached from the events; written only by dossiers/actions.py).
    version = models.PositiveIntegerField(
        default=1, help_text=_("Tăng mỗi lần hồ sơ thay đổi; chống hai người cùng xử lý.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
        verbose_name=_("chuyên viên thụ lý"),
    )
    resume_status = models.CharField(max_length=32, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    outcome = models.CharField(
        _("kết quả"),
        max_length=8,
        blank=True,
        choices=Outcome.choices,
    )
    uncollected = models.BooleanField(_("chưa nhận kết quả"), default=False)
    delivered_via = models.CharField(
        _("trả kết quả qua"), max_length=8, blank=True, choices=ReturnChannel.choices
    )

    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Online intake (dossiers/reception.py): the portal it came from and that portal's own code
    # (unique per portal), and when the applicant last (re)submitted it. Before it is received
    # (SUBMITTED, NEEDS_COMPLETION_AT_RECEPTION) the clock columns hold that submission and the
    # appointment it would have if accepted at once; acceptance writes the real ones. Reports
    # never count a dossier in those states (workflow/states.py NOT_RECEIVED).
    source = models.CharField(_("nguồn hồ sơ"), max_length=16, blank=True, choices=Source.choices)
    external_code = models.CharField(_("mã hồ sơ trên cổng"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("ngày nộp trực tuyến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["receiving_unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["agency", "status"], name="dossier_agency_status"),
            models.Index(fields=["receiving_unit", "due_at"], name="dossier_unit_due"),
            models.Index(fields=["agency", "due_at"], name="dossier_agency_due"),
            # reports, per receiving unit (with unit_received): ended in a period, still open
            # (NULL), or spanning it; results posted in a period. Led by the unit, so a
            # province's report reads its own dossiers only, however many other provinces or
            # years the table holds.
            models.Index(
                fields=["receiving_unit", "ended_at", "received_at"], name="dossier_unit_ended"
            ),
            # staff search (dossiers/search.py): a phone or an ID number, exactly; on
            # PostgreSQL also trigram indexes on the code and the folded name (migration 0014)
            models.Index(fields=["applicant_phone"], name="dossier_applicant_phone"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            models.Index(
                fields=["receiving_unit", "delivered_at"],
                name="dossier_unit_postal",
                condition=models.Q(delivered_via="postal"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_code"],
                condition=~models.Q(external_code=""),
                name="dossier_external_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])

    @property
    def is_extended(self) -> bool:
        return self.due_at_original is not None


class EventType(models.TextChoices):
    """The event vocabulary: the names of docs/interchange/dossiers.md first, then the
    finer steps of the agencies' work that motcua records but other systems need not know."""

    RECEIVED = "received", _("Tiếp nhận")
    TRANSFERRED = "transferred", _("Chuyển xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Đã bổ sung")
    EXTENDED = "extended", _("Xin lỗi và hẹn lại")
    RESOLVED = "resolved", _("Đã xử lý xong")
    RETURNED_UNRESOLVED = "returned_unresolved", _("Trả lại hồ sơ")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ / dừng xử lý")
    RESULT_DELIVERED = "result_delivered", _("Đã trả kết quả")
    # motcua's own, finer events
    ASSIGNED = "assigned", _("Phân công thụ lý")
    APPRAISED = "appraised", _("Thẩm định xong")
    SUBMITTED_FOR_APPROVAL = "submitted_for_approval", _("Trình phê duyệt")
    SENT_BACK = "sent_back", _("Trả lại bước trước")
    APPROVED = "approved", _("Phê duyệt, ký")
    STEP_COMPLETED = "step_completed", _("Hoàn thành bước liên thông")
    MARKED_UNCOLLECTED = "marked_uncollected", _("Chưa nhận kết quả")
    DOCUMENT_ADDED = "document_added", _("Thêm tài liệu")
    UNIT_MERGED = "unit_merged", _("Chuyển đơn vị do sáp nhập")
    # a day off or a worked day added to the calendar: old and new due, which day
    CALENDAR_CHANGED = "calendar_changed", _("Thay đổi lịch làm việc")
    # online reception (dossiers/reception.py): before the dossier is received
    SUBMITTED = "submitted", _("Nộp hồ sơ trực tuyến")
    RESUBMITTED = "resubmitted", _("Nộp lại hồ sơ đã bổ sung")
    COMPLETION_REQUESTED = "completion_requested", _("Hướng dẫn bổ sung hồ sơ")
    REFUSED_AT_RECEPTION = "refused_at_reception", _("Từ chối tiếp nhận")


# Events an applicant is told about (notifications).
APPLICANT_EVENTS = frozenset(
    {
        EventType.RECEIVED,
        EventType.SUPPLEMENT_REQUESTED,
        EventType.EXTENDED,
        EventType.RESOLVED,
        EventType.CALENDAR_CHANGED,  # only when the appointment moved: see notifications
        EventType.COMPLETION_REQUESTED,
        EventType.REFUSED_AT_RECEPTION,
    }
)
# Events that set the appointment, each recording `due_at` and its explanation (vi, en): the
# latest one is the dossier's current due (`clock.current_deadline`).
DUE_EVENTS = frozenset(
    {
        EventType.RECEIVED,
        EventType.SUPPLEMENT_RECEIVED,
        EventType.EXTENDED,
        EventType.CALENDAR_CHANGED,
    }
)


class AppendOnlyError(RuntimeError):
    pass


class DossierEvent(models.Model):
    """One thing that happened to a dossier: who, when, why. Rows are never changed or removed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    type = models.CharField(max_length=32, choices=EventType.choices)
    at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Each event seals the one before it (per dossier): `motcua audit verify` recomputes them.
    # `hash` is an HMAC-SHA256 under the audit key `key_id` (not in the database), or, for the
    # events written before the keyed chain (key_id ""), a plain SHA-256 (dossiers/audit.py).
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="")
    # The event's place in the log of all dossiers, 1, 2, 3… without gaps: a removed event or
    # a removed dossier leaves a hole that `motcua audit verify` reports. None before the
    # keyed chain.
    serial = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="event_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("dossier events are append-only")


class DossierCodeCounter(models.Model):
    """The last sequence number issued per receiving unit and day (gap-free dossier codes)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last_value}"


class StepKind(models.TextChoices):
    RECEPTION = "reception", _("Tiếp nhận, chuyển hồ sơ")
    APPRAISAL = "appraisal", _("Thẩm định")
    INTER_AGENCY = "inter_agency", _("Liên thông")
    APPROVAL = "approval", _("Phê duyệt, ký")
    RETURN = "return", _("Chuyển kết quả về một cửa")


class DossierStep(models.Model):
    """One step of the dossier's process as it ran: which unit held it, from when, until when,
    and by when it should have been done (its share of the legal time). A late step is
    attributed to its unit. Rows are only added and completed, never rewritten: they are the
    process control slip (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="steps")
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossier_steps")
    role = models.CharField(max_length=32)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(null=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["dossier_id", "opened_at", "id"]
        indexes = [
            models.Index(fields=["unit", "completed_at"], name="step_unit_completed"),
            # who is consulted on what now (accounts.access.visible_to): the few open
            # inter-agency steps of a unit, not its many reception and appraisal steps
            models.Index(
                fields=["unit", "dossier"],
                name="step_open_inter_agency",
                condition=models.Q(kind="inter_agency", completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.key}"


class SupplementPause(models.Model):
    """One wait for the applicant's supplement (chờ bổ sung): from the request to the papers'
    arrival (open while waiting). Reports ask "was this dossier waiting for a supplement at
    the end of the period?" of these rows, for any past period, by index."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "started_at"]
        indexes = [
            models.Index(fields=["started_at", "ended_at"], name="pause_span"),
            # the pauses running at a moment: not ended (NULL) or ended after it (paused_q)
            models.Index(fields=["ended_at", "started_at"], name="pause_running"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.started_at:%Y-%m-%d}"


class MovedField(models.TextChoices):
    RECEIVING_UNIT = "receiving_unit", _("nơi tiếp nhận")
    AGENCY = "agency", _("cơ quan giải quyết")


class DossierMove(models.Model):
    """One change of a dossier's receiving unit or deciding agency made by a unit merge
    (`unit_merged` event): from which unit, to which, when. Reports ask "which unit held this
    dossier at the end of that period?" of these rows (`dossiers/moves.py`), so a past period
    keeps counting the dossier under the unit that did the work. Rows are only added."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="moves")
    field = models.CharField(max_length=16, choices=MovedField.choices)
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["dossier_id", "at", "id"]
        indexes = [models.Index(fields=["field", "at"], name="dossier_move_field_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.field} {self.from_unit_id}→{self.to_unit_id}"


class DossierChainHead(models.Model):
    """Where one dossier's event chain ends: the last sequence number and its seal, written in
    the transaction that appends the event and sealed with the audit key. Kept apart from the
    events (and keyed by the code, not a foreign key) so that removing a dossier's last
    events, or the whole dossier, leaves a head that no longer matches."""

    dossier_code = models.CharField(max_length=64, unique=True)
    last_sequence = models.PositiveIntegerField()
    last_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.dossier_code}#{self.last_sequence}"


class EventLogHead(models.Model):
    """The head of the log of all dossiers' events (one row): the last serial number given
    and the seal of that event, plus what the log held when the keyed chain began (events
    sealed before it are accepted only up to there). Sealed with the audit key."""

    last_serial = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    legacy_events = models.PositiveBigIntegerField(default=0)
    legacy_last_id = models.PositiveBigIntegerField(default=0)
    cut_over_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"log head #{self.last_serial}"
