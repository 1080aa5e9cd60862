from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.calendars.models import DayOverride


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "reason", "unit", "legal_basis"]
    list_filter = ["kind", "unit"]
    date_hierarchy = "day"
    search_fields = ["reason", "legal_basis"]
    autocomplete_fields = ["unit"]

    # Every change of a day reaches the open dossiers it affects, through the one domain
    # function (docs/decisions/0005-calendar-changes.md): the rows' (day, unit) before and
    # after the edit are recomputed once it is saved.

    def save_model(self, request: HttpRequest, obj: DayOverride, form: Any, change: bool) -> None:
        before = _place(DayOverride.objects.filter(pk=obj.pk).first()) if change else None
        super().save_model(request, obj, form, change)
        _recompute(request, {before, _place(obj)})

    def delete_model(self, request: HttpRequest, obj: DayOverride) -> None:
        place = _place(obj)
        super().delete_model(request, obj)
        _recompute(request, {place})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DayOverride]) -> None:
        places = {_place(row) for row in queryset}
        super().delete_queryset(request, queryset)
        _recompute(request, places)


def _place(row: DayOverride | None) -> tuple[Any, Any] | None:
    return (row.day, row.unit) if row is not None else None


def _recompute(request: HttpRequest, places: set[tuple[Any, Any] | None]) -> None:
    from motcua.dossiers.actions import apply_calendar_change  # the domain above calendars

    changed = []
    for place in sorted((p for p in places if p), key=lambda p: (p[0], p[1].pk if p[1] else 0)):
        day, unit = place
        changed += apply_calendar_change(by=request.user, day=day, unit=unit)  # type: ignore[arg-type]
    if changed:
        messages.info(
            request,
            _("Đã tính lại ngày hẹn trả của %(count)d hồ sơ đang giải quyết (xem nhật ký hồ sơ).")
            % {"count": len(changed)},
        )
