"""The working-day calendar's exceptions, as data an administrator edits.

The statutory holidays come from the `holidays` package; this table adds what the package
lacks or gets wrong (yearly swaps decided by the Prime Minister, provincial closures, a
holiday not yet in force). A row without a unit applies everywhere; a row with a unit applies
to that unit and everything under it, and wins over a row without one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.workflow.calendar import DayKind
from motcua.workflow.calendar import DayOverride as PureOverride


class DayOverride(models.Model):
    unit = models.ForeignKey(
        "catalog.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="day_overrides",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống: áp dụng cho mọi đơn vị."),
    )
    day = models.DateField(_("ngày"))
    kind = models.CharField(
        _("loại"),
        max_length=32,
        choices=[
            (kind.value, label)
            for kind, label in (
                (DayKind.HOLIDAY, _("Ngày nghỉ lễ")),
                (DayKind.COMPENSATORY_DAY_OFF, _("Nghỉ bù")),
                (DayKind.SWAPPED_DAY_OFF, _("Nghỉ hoán đổi")),
                (DayKind.CLOSURE, _("Đóng cửa (quyết định của địa phương)")),
                (DayKind.SWAPPED_WORKING_DAY, _("Ngày làm bù")),
                (DayKind.WORKING_DAY, _("Ngày làm việc (không áp dụng ngày nghỉ)")),
            )
        ],
    )
    reason = models.CharField(_("lý do"), max_length=300)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="day_override_unique_per_unit"),
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(unit__isnull=True),
                name="day_override_unique_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} — {self.get_kind_display()} — {self.reason}"

    def clean(self) -> None:
        """The legal clock's own checks (e.g. a worked day must be a weekend day), so that a
        bad row is refused in the admin instead of breaking every due-date computation."""
        if self.day is None or not self.kind:
            return
        try:
            PureOverride(
                day=self.day,
                kind=DayKind(self.kind),
                reason=self.reason or "-",
                legal_basis=self.legal_basis,
            )
        except ValueError as error:
            raise ValidationError({"kind": str(error)}) from None
