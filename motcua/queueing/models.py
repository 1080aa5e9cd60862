"""The hall (sảnh) of a receiving point: service groups, numbered tickets, counters, the
kiosks and call screens, and the append-only log of every ticket's changes.

A *site* is a receiving unit (a centre or a branch) with a `Hall`. Every write goes through
`queueing/services.py`; the rules are in docs/domain/hall.md."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(18)


class PriorityKind(models.TextChoices):
    """Who may draw a priority ticket (đối tượng ưu tiên), as a site enables them."""

    ELDERLY = "elderly", _("Người cao tuổi")
    DISABLED = "disabled", _("Người khuyết tật")
    PREGNANT = "pregnant", _("Phụ nữ mang thai")
    SMALL_CHILD = "small_child", _("Người bế con nhỏ")
    VETERAN = "veteran", _("Người có công với cách mạng")


class Hall(models.Model):
    """The queue settings of one site (a receiving unit)."""

    unit = models.OneToOneField(
        "catalog.Unit", on_delete=models.PROTECT, related_name="hall", verbose_name=_("đơn vị")
    )
    priority_kinds = models.JSONField(
        _("đối tượng ưu tiên"),
        default=list,
        blank=True,
        help_text=_("Mã các đối tượng ưu tiên mà kiosk cho chọn (elderly, disabled, …)."),
    )
    priority_head_start = models.PositiveIntegerField(
        _("số phút ưu tiên"),
        default=15,
        help_text=_("Vé ưu tiên được xếp như thể đã lấy số sớm hơn chừng ấy phút."),
    )
    appointments_per_slot = models.PositiveIntegerField(
        _("số lịch hẹn mỗi khung giờ"), default=4, help_text=_("Mỗi nhóm, mỗi khung 30 phút.")
    )
    service_minutes = models.PositiveIntegerField(
        _("số phút phục vụ ước tính"),
        default=5,
        help_text=_("Dùng để ước tính thời gian chờ khi trong ngày chưa có lượt phục vụ nào."),
    )

    class Meta:
        verbose_name = _("sảnh tiếp dân")
        verbose_name_plural = _("sảnh tiếp dân")

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def head_start(self) -> timedelta:
        return timedelta(minutes=self.priority_head_start)

    def priority_choices(self) -> list[tuple[str, str]]:
        labels = dict(PriorityKind.choices)
        return [(kind, str(labels[kind])) for kind in self.priority_kinds if kind in labels]


class ServiceGroup(models.Model):
    """A queue of the hall (nhóm dịch vụ): its tickets are numbered from 1 each day."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("mã"), max_length=8, help_text=_("Chữ in trên vé: A, B, …"))
    name = models.CharField(_("tên"), max_length=200)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("nhóm dịch vụ")
        verbose_name_plural = _("nhóm dịch vụ")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="service_group_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DeviceKind(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk lấy số")
    DISPLAY = "display", _("Màn hình gọi số")


class Device(models.Model):
    """A kiosk or a call screen of the hall, opened by the secret token in its URL."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("loại"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("tên"), max_length=100)
    token = models.CharField(_("mã truy cập"), max_length=64, unique=True, default=new_token)
    groups = models.ManyToManyField(
        ServiceGroup,
        blank=True,
        verbose_name=_("nhóm dịch vụ"),
        help_text=_("Kiosk: các nhóm cho lấy số; màn hình: các nhóm hiển thị. Trống là tất cả."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("thiết bị sảnh")
        verbose_name_plural = _("thiết bị sảnh")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class CounterStatus(models.TextChoices):
    CLOSED = "closed", _("Đóng")
    OPEN = "open", _("Đang phục vụ")
    PAUSED = "paused", _("Tạm dừng")


class Counter(models.Model):
    """A counter (quầy) of the hall; an officer opens it for some service groups."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="counters")
    number = models.CharField(_("số quầy"), max_length=8)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=CounterStatus.choices, default=CounterStatus.CLOSED
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ"),
    )
    serving = models.ManyToManyField(ServiceGroup, blank=True, verbose_name=_("đang phục vụ"))
    pause_reason = models.CharField(_("lý do tạm dừng"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("thay đổi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="counter_number_unique")
        ]

    def __str__(self) -> str:
        return f"Quầy {self.number}"


class GroupDay(models.Model):
    """The last number issued in a group on a day: the row the issuing transaction locks."""

    group = models.ForeignKey(ServiceGroup, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="group_day_unique")]

    def __str__(self) -> str:
        return f"{self.group.code} {self.day}: {self.last_number}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đã gọi")
    DONE = "done", _("Đã phục vụ")
    NO_SHOW = "no_show", _("Vắng mặt")


class Outcome(models.TextChoices):
    """What a served visit led to (`motcua.visits/1`)."""

    TO_DOSSIER = "to_dossier", _("Tiếp nhận hồ sơ")
    GUIDANCE_ONLY = "guidance_only", _("Hướng dẫn")
    COLLECT_RESULT = "collect_result", _("Nhận kết quả")
    NO_SHOW = "no_show", _("Vắng mặt")


class Ticket(models.Model):
    """A numbered ticket (số thứ tự) drawn in the hall.

    `rank_at` orders the waiting line: the issue time, made earlier by the hall's head start
    for a priority ticket, or the slot of a checked-in appointment
    (docs/domain/hall.md#who-is-called-next). `applicant_*` come from an appointment and stay
    hidden from staff until the ticket is called (`queueing/services.py`, `identity_for`)."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="tickets")
    # The group whose line it waits in now: its drawing group until a transfer.
    queue = models.ForeignKey(
        ServiceGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("hàng chờ")
    )
    day = models.DateField(_("ngày"))
    number = models.PositiveIntegerField(_("số"))
    priority = models.CharField(
        _("ưu tiên"), max_length=16, choices=PriorityKind.choices, blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(_("lấy số lúc"))
    rank_at = models.DateTimeField(_("thứ tự xếp"))
    request_key = models.CharField(max_length=64)
    # The identifier a ticket brought from another queue system had (`motcua.visits/1` id).
    source_id = models.CharField(max_length=200, blank=True)
    public_key = models.CharField(max_length=64, unique=True, default=new_token)
    kiosk = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    for_counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chuyển đến quầy"),
    )
    counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("quầy"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(_("gọi lần đầu lúc"), null=True, blank=True)
    last_called_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices, blank=True)
    procedure_code = models.CharField(_("thủ tục"), max_length=64, blank=True)
    applicant_name = models.CharField(max_length=200, blank=True)
    applicant_id_number = models.CharField(max_length=20, blank=True)
    dossiers = models.ManyToManyField("dossiers.Dossier", through="TicketDossier", blank=True)

    class Meta:
        verbose_name = _("vé xếp hàng")
        verbose_name_plural = _("vé xếp hàng")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "day", "number"], name="ticket_number_per_group_day"
            ),
            models.UniqueConstraint(fields=["hall", "request_key"], name="ticket_request_once"),
        ]
        indexes = [
            models.Index(fields=["queue", "day", "status", "rank_at"], name="ticket_waiting_line")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The printed number: the group's code and three digits ("B057")."""
        return f"{self.group.code}{self.number:03d}"


class TicketDossier(models.Model):
    """A dossier received from a ticket (`received`) or handed over to it (`delivered`)."""

    RECEIVED = "received"
    DELIVERED = "delivered"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="links")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "dossier"], name="ticket_dossier_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.dossier} ({self.kind})"


class TicketEventType(models.TextChoices):
    ISSUED = "issued", _("Lấy số")
    CHECKED_IN = "checked_in", _("Đến theo lịch hẹn")
    CALLED = "called", _("Gọi số")
    RECALLED = "recalled", _("Gọi lại")
    NO_SHOW = "no_show", _("Vắng mặt")
    TRANSFERRED = "transferred", _("Chuyển")
    DOSSIER_RECEIVED = "dossier_received", _("Tiếp nhận hồ sơ")
    FINISHED = "finished", _("Kết thúc")


class TicketEvent(models.Model):
    """One change of a ticket (append-only; the database refuses updates and deletes): who,
    when, at which counter, why, and the details. The call screens read the calls from here;
    an event's id is the SSE event id."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=24, choices=TicketEventType.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["hall", "type", "id"], name="ticket_event_calls")]

    def __str__(self) -> str:
        return f"{self.type} {self.at:%Y-%m-%d %H:%M}"


class CounterEvent(models.Model):
    """One change of a counter (opened, paused, resumed, closed), append-only."""

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=16)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A time slot booked online (đặt lịch hẹn); checked in at the kiosk by its code or the
    applicant's ID number, it becomes a ticket ranked at its slot."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("khung giờ"))
    code = models.CharField(_("mã lịch hẹn"), max_length=12, unique=True)
    applicant_name = models.CharField(_("họ và tên"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh"), max_length=20)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    booked_at = models.DateTimeField()
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="appointment"
    )

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        indexes = [models.Index(fields=["hall", "applicant_id_number", "starts_at"])]

    def __str__(self) -> str:
        return self.code
