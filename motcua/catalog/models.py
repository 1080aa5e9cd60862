"""The organisation tree and the procedure catalogue: the norms every dossier is held to.

Norms live here (duration, unit, counting convention, pause rule); facts live in the dossier.
A procedure changes by gaining a new version; a dossier pins the version it was received
under, so later catalogue edits never rewrite old deadlines."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from motcua.catalog.fees import FeeDue, fee_for
from motcua.core.errors import ValidationFailed
from motcua.core.text import fold_accents, search_key

UNIT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
IDENTITY_CODE_PATTERN = re.compile(r"^[A-Z0-9]+(\.[A-Z0-9]+)*$")
UNIT_CODE = RegexValidator(UNIT_CODE_PATTERN, _("Mã đơn vị chỉ gồm chữ, số, . _ -"))
IDENTITY_CODE = RegexValidator(
    IDENTITY_CODE_PATTERN,
    _("Mã định danh gồm các nhóm chữ in hoa/số cách nhau bởi dấu chấm (QĐ 20/2020/QĐ-TTg)"),
)


class UnitKind(models.TextChoices):
    PROVINCE_CENTER = "province_center", _("Trung tâm PVHCC tỉnh")
    DISTRICT_ONESTOP = "district_onestop", _("Bộ phận một cửa cấp huyện (trước 7/2025)")
    COMMUNE_CENTER = "commune_center", _("Trung tâm PVHCC cấp xã")
    BRANCH = "branch", _("Chi nhánh")
    AGENCY = "agency", _("Cơ quan chuyên môn")
    OTHER = "other", _("Khác")


RECEIVING_KINDS = (
    UnitKind.PROVINCE_CENTER,
    UnitKind.DISTRICT_ONESTOP,
    UnitKind.COMMUNE_CENTER,
    UnitKind.BRANCH,
)


class Unit(models.Model):
    """An organisation unit (đơn vị): a centre, a branch, an agency… in a tree of any depth.

    `path` is the materialised chain of codes from the root ("AH/AH-X01/"), so "this unit and
    everything under it" is one indexed prefix filter. The root's code is the province key
    every dossier carries. `save()` keeps the whole subtree's paths right when a unit gets
    another parent, whoever saves it (admin, import, code); `catalog/units.py` moves and
    merges units with their checks and records (docs/domain/units.md#succession-links)."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[UNIT_CODE])
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    identity_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=35,
        blank=True,
        validators=[IDENTITY_CODE],
        help_text=_("Dùng làm phần đầu của mã hồ sơ; để trống thì suy ra từ mã đơn vị."),
    )
    sessions = models.CharField(
        _("buổi làm việc"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ 07:00-11:30,13:30-17:00; để trống thì theo đơn vị cấp trên."),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    province_code = models.CharField(max_length=64, editable=False, db_index=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # Sáp nhập (the 2025 reform merged communes): the unit that took over this one's open work.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_units",
        verbose_name=_("đã sáp nhập vào"),
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and when the path changes (another parent, another code) rewrite every
        descendant's path and province in the same transaction. A parent inside the unit's
        own subtree (a cycle) or an inactive parent (an orphan) is refused first."""
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "path", "province_code"}
        before = Unit.objects.filter(pk=self.pk).values("path", "parent_id").first()
        if before is None or before["parent_id"] != self.parent_id:
            self.check_parent(self.parent, old_path=before["path"] if before else None)
        parent_path = self.parent.path if self.parent else ""
        self.path = f"{parent_path}{self.code}/"
        self.province_code = self.path.split("/", 1)[0]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before is not None and before["path"] != self.path:
                _rewrite_subtree(before["path"], self.path)

    def clean(self) -> None:
        """The admin form's check of the parent: the same refusals as `save()`, on the field."""
        super().clean()
        before = Unit.objects.filter(pk=self.pk).values_list("path", "parent_id").first()
        if before is not None and before[1] == self.parent_id:
            return
        try:
            self.check_parent(self.parent, old_path=before[0] if before else None)
        except ValidationFailed as refusal:
            raise DjangoValidationError({"parent": refusal.message}) from None

    def check_parent(self, parent: Unit | None, *, old_path: str | None = None) -> None:
        """Refuse (ValidationFailed, nothing written) a parent that would make a cycle or an
        orphan: the unit itself, one of its descendants, or an inactive unit."""
        if parent is None:
            return
        own = old_path if old_path is not None else self.path
        if parent.pk is not None and parent.pk == self.pk:
            raise ValidationFailed(
                f"Đơn vị {self.code} không thể là đơn vị cấp trên của chính nó.",
                code="unit_cycle",
                unit=self.code,
            )
        if own and parent.path.startswith(own):
            raise ValidationFailed(
                f"Không thể chuyển {self.code} vào {parent.code}: {parent.code} là đơn vị "
                f"cấp dưới của {self.code}.",
                code="unit_cycle",
                unit=self.code,
                parent=parent.code,
            )
        if self.is_active and not parent.is_active:
            raise ValidationFailed(
                f"Không thể đặt {self.code} dưới {parent.code}: {parent.code} đã ngừng hoạt động.",
                code="unit_parent_inactive",
                unit=self.code,
                parent=parent.code,
            )

    def is_within(self, other: Unit) -> bool:
        """True if this unit is `other` or lies under it."""
        return self.path.startswith(other.path)

    @property
    def is_receiving_point(self) -> bool:
        return self.kind in RECEIVING_KINDS

    @property
    def dossier_prefix(self) -> str:
        """The agency identity part of dossier codes (docs/domain/codes.md#identity-code)."""
        if self.identity_code:
            return self.identity_code
        return ".".join(part for part in _split_code(self.code.upper()) if part)

    def ancestors(self) -> list[Unit]:
        codes = self.path.rstrip("/").split("/")[:-1]
        by_code = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]

    def letterhead(self) -> Letterhead:
        """Who heads this unit's papers (Decree 30/2020, appendix I: governing body above the
        issuing body) and the place in their date line, from the unit tree.

        - a unit under an agency is headed by that agency ("Phòng Hồ sơ nghiệp vụ (PV06)"
          under "CÔNG AN TỈNH AN HÒA"; a branch under its office);
        - a centre, and an agency placed directly under a centre, is headed by the People's
          Committee of the centre's locality ("UBND TỈNH AN HÒA", "UBND XÃ ĐÔNG HÒA"), unless
          the unit is that People's Committee;
        - the place is the locality of the nearest centre at or above the unit ("An Hòa",
          "Đông Hòa"). Papers, the tracking book and form II.06a all read it here."""
        chain = [*self.ancestors(), self]
        centre = next((u for u in reversed(chain) if u.kind != UnitKind.AGENCY), chain[0])
        level, locality = _locality(centre.name)
        parent = chain[-2] if len(chain) > 1 else None
        if parent is not None and parent.kind == UnitKind.AGENCY:
            governing = parent.name
        elif _is_peoples_committee(self.name) or not locality:
            governing = ""
        else:
            governing = f"UBND {level} {locality}"
        return Letterhead(
            governing_body=governing.upper(), issuing_body=self.name.upper(), place=locality
        )

    def effective_sessions(self) -> str:
        if self.sessions:
            return self.sessions
        for ancestor in reversed(self.ancestors()):
            if ancestor.sessions:
                return ancestor.sessions
        return ""


@dataclass(frozen=True)
class Letterhead:
    governing_body: str  # "UBND TỈNH AN HÒA", "CÔNG AN TỈNH AN HÒA", or "" (none above)
    issuing_body: str  # the unit's name in upper case
    place: str  # "An Hòa" → "An Hòa, ngày … tháng … năm …"


# Levels of local government as they appear in a centre's name, longest first.
_LEVELS = ("thành phố", "đặc khu", "thị xã", "phường", "tỉnh", "xã")


def _locality(name: str) -> tuple[str, str]:
    """('tỉnh', 'An Hòa') from "Trung tâm Phục vụ hành chính công tỉnh An Hòa"; ('', '')
    when the name names no locality."""
    lowered = f" {name.lower()} "
    found = [
        (lowered.index(f" {level} "), -len(level), level)
        for level in _LEVELS
        if f" {level} " in lowered
    ]
    if not found:
        return "", ""
    start, _length, level = min(found)
    return level, name[start + len(level) :].strip()


def _is_peoples_committee(name: str) -> bool:
    folded = fold_accents(name).lower()
    return folded.startswith(("uy ban nhan dan", "ubnd"))


def _split_code(code: str) -> list[str]:
    return code.replace("-", ".").replace("_", ".").split(".")


def _rewrite_subtree(old_path: str, new_path: str) -> None:
    """Every unit below `old_path` gets `new_path` in its place: one UPDATE."""
    Unit.objects.filter(path__startswith=old_path).exclude(path=new_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        province_code=new_path.split("/", 1)[0],
    )


class UnitEventType(models.TextChoices):
    MOVED = "moved", _("Chuyển sang đơn vị cấp trên khác")
    MERGED = "merged", _("Sáp nhập vào đơn vị khác")
    ABSORBED = "absorbed", _("Tiếp nhận đơn vị sáp nhập")


class UnitEvent(models.Model):
    """What happened to the organisation tree: who moved or merged a unit, when, why, and
    what went with it. Rows are never changed or removed."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=16, choices=UnitEventType.choices)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biến động đơn vị")
        verbose_name_plural = _("biến động đơn vị")
        ordering = ["unit_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.type} {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("unit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("unit events are append-only")


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính, TTHC), identified by its national code
    in the National Database on Administrative Procedures (e.g. "1.004222")."""

    code = models.CharField(_("mã thủ tục"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version()
        return f"{self.code} — {current.name}" if current else self.code

    def current_version(self, on: date | None = None) -> ProcedureVersion | None:
        versions = self.versions.all()
        if on is not None:
            versions = versions.filter(in_force_on(on))
        return versions.order_by("-number").first()


def in_force_on(day: date) -> models.Q:
    """The version in force on `day`, as SQL: in force from `effective_from` through
    `effective_to` (both included; no end date: still in force). The Python twin is
    `ProcedureVersion.is_in_force`; a test keeps the two equal."""
    return models.Q(effective_from__lte=day) & (
        models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day)
    )


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class Convention(models.TextChoices):
    HOURS = "hours", _("Cộng giờ làm việc")
    DAYS = "days", _("Đếm ngày (Bộ luật Dân sự)")


class PauseRule(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng tính thời hạn khi chờ bổ sung")
    RESTART = "restart", _("Tính lại từ đầu sau khi bổ sung")


class OnlineMode(models.TextChoices):
    NONE = "none", _("Không trực tuyến")
    PARTIAL = "partial", _("Trực tuyến một phần")
    FULL = "full", _("Trực tuyến toàn trình")


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    VERTICAL = "vertical", _("Cơ quan ngành dọc")
    MINISTRY = "ministry", _("Cấp bộ (phân cấp cho địa phương)")
    OTHER = "other", _("Khác")


class ProcedureVersion(models.Model):
    """One published version of a procedure, in force from `effective_from` (inclusive) to
    `effective_to` (inclusive, open-ended when empty). Versions in use by a dossier are never
    edited: a change is a new version."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    name = models.CharField(_("tên thủ tục"), max_length=600)
    # The name's search key (core/text.py `search_key`: " dang ky thuong tru"), read by the
    # procedure search (catalog/published.py); longer than the name by the leading space.
    name_folded = models.CharField(max_length=620, editable=False, db_index=True)
    agency = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("cơ quan giải quyết"),
    )
    other_agencies = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="shared_procedures",
        verbose_name=_("cơ quan cùng thực hiện"),
        help_text=_("Ví dụ thủ tục cấp xã do mỗi xã giải quyết."),
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, blank=True)
    field = models.CharField(_("lĩnh vực"), max_length=300, blank=True)
    duration_value = models.PositiveIntegerField(
        _("thời hạn giải quyết"), validators=[MinValueValidator(1)]
    )
    duration_unit = models.CharField(
        _("đơn vị thời hạn"),
        max_length=16,
        choices=DurationUnit.choices,
        default=DurationUnit.WORKING_DAYS,
    )
    # A same-day procedure (giải quyết trong ngày): due by the close of the working day of
    # receipt up to this time, else by the close of the next one (docs/decisions/0004).
    same_day_cutoff = models.TimeField(
        _("giờ chốt giải quyết trong ngày"),
        null=True,
        blank=True,
        help_text=_("Ví dụ 15:00: nhận sau giờ này thì trả trong ngày làm việc tiếp theo."),
    )
    # {"online": {"value": 17, "unit": "working_days"}, …}: the limit for a dossier submitted
    # through that channel; a channel not listed uses duration_value/duration_unit.
    duration_by_channel = models.JSONField(
        _("thời hạn theo kênh nộp"),
        default=dict,
        blank=True,
        help_text=_('Ví dụ {"online": {"value": 17, "unit": "working_days"}}.'),
    )
    convention = models.CharField(
        _("cách tính hạn"), max_length=8, choices=Convention.choices, default=Convention.HOURS
    )
    pause_rule = models.CharField(
        _("khi chờ bổ sung"), max_length=8, choices=PauseRule.choices, default=PauseRule.PAUSE
    )
    online = models.CharField(
        _("dịch vụ công trực tuyến"),
        max_length=8,
        choices=OnlineMode.choices,
        default=OnlineMode.NONE,
    )
    five_on_spot = models.BooleanField(_("5 tại chỗ"), default=False)
    # the agency attaches the result as a signed PDF at approval, delivered online
    # (docs/domain/e-results.md)
    e_result = models.BooleanField(
        _("cấp kết quả điện tử"),
        default=False,
        help_text=_(
            "Khi phê duyệt phải đính kèm tệp kết quả PDF; hệ thống ký số và trả trực tuyến."
        ),
    )
    fees = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    components = models.JSONField(_("thành phần hồ sơ"), default=list, blank=True)
    process = models.JSONField(
        _("quy trình nội bộ"),
        default=list,
        blank=True,
        help_text=_("Các bước, đơn vị, vai trò và tỷ lệ thời gian; để trống: quy trình mặc định."),
    )
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    extra = models.JSONField(
        default=dict, blank=True, help_text=_("Trường bổ sung của tệp danh mục, giữ nguyên.")
    )
    content_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = search_key(self.name)
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def duration_label(self) -> str:
        if self.same_day_cutoff is not None:
            return str(_("Trong ngày (nhận sau %(cutoff)s trả ngày làm việc tiếp theo)")) % {
                "cutoff": f"{self.same_day_cutoff:%H:%M}"
            }
        labels = [f"{self.duration_value} {self.get_duration_unit_display()}"]
        for channel, (value, unit) in sorted(self.channel_durations().items()):
            labels.append(f"{CHANNEL_NAMES[channel]}: {value} {DurationUnit(unit).label}")
        return "; ".join(labels)

    def duration_for(self, channel: str) -> tuple[int, str]:
        """(value, unit) of the legal time limit for a dossier submitted through `channel`:
        the channel's own if the version lists one (duration_by_channel), else the default."""
        return self.channel_durations().get(channel, (self.duration_value, self.duration_unit))

    def channel_durations(self) -> dict[str, tuple[int, str]]:
        return {
            channel: (int(entry["value"]), str(entry["unit"]))
            for channel, entry in (self.duration_by_channel or {}).items()
        }

    def clean(self) -> None:
        problems = channel_duration_problems(self.duration_by_channel)
        if problems:
            raise DjangoValidationError({"duration_by_channel": problems})

    def is_in_force(self, day: date) -> bool:
        """The rule of `in_force_on`, for a version already read."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def fee_for(self, channel: str, case: str | None = None) -> FeeDue:
        """What a dossier of this version owes when submitted through `channel`, in `case`
        (None: not recorded): the rule is `catalog/fees.py`, alternatives are never summed."""
        return fee_for(self.fees, channel, case)

    def component_names(self) -> list[str]:
        return [c if isinstance(c, str) else str(c.get("name", "")) for c in self.components]


# The submission channels a version may give its own time limit (KenhThucHien).
SUBMISSION_CHANNELS = ("counter", "online", "postal")
CHANNEL_NAMES = {"counter": _("Trực tiếp"), "online": _("Trực tuyến"), "postal": _("Bưu chính")}


def channel_duration_problems(value: Any) -> list[str]:
    """What is wrong with a `duration_by_channel` value (empty list: nothing)."""
    if not isinstance(value, dict):
        return ["duration_by_channel must be an object {channel: {value, unit}}"]
    problems = []
    for channel, entry in value.items():
        if channel not in SUBMISSION_CHANNELS:
            problems.append(f"duration_by_channel: unknown channel {channel!r}")
            continue
        number = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            problems.append(f"duration_by_channel.{channel}.value must be a positive whole number")
        if not isinstance(entry, dict) or entry.get("unit") not in DurationUnit.values:
            problems.append(
                f"duration_by_channel.{channel}.unit must be one of {DurationUnit.values}"
            )
    return problems


def content_hash(norms: dict[str, Any]) -> str:
    """Stable fingerprint of a version's norms: same content, same hash (idempotent imports)."""
    canonical = json.dumps(norms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
