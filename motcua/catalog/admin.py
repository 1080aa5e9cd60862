from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ProcedureVersion, Unit, UnitEvent
from motcua.catalog.units import merge_unit, move_unit
from motcua.core.errors import MotcuaError


class UnitEventInline(admin.TabularInline):
    model = UnitEvent
    fk_name = "unit"
    extra = 0
    can_delete = False
    fields = ["at", "type", "actor_name", "reason", "data"]
    readonly_fields = ["at", "type", "actor_name", "reason", "data"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True),
        label=_("Sáp nhập vào đơn vị"),
        empty_label=_("— Chọn đơn vị —"),
    )
    on = forms.DateField(
        label=_("Ngày sáp nhập có hiệu lực"),
        required=False,
        help_text=_("Để trống: hôm nay."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Căn cứ (quyết định, nghị quyết)"), max_length=500, required=False
    )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "identity_code", "is_active", "merged_into"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "identity_code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "province_code", "merged_into", "merged_on"]
    inlines = [UnitEventInline]
    actions = ["merge_selected"]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        """A new parent moves the unit through `catalog.units.move_unit` (its subtree, the
        record); the form's `Unit.clean` has already refused a cycle or an orphan."""
        if change and "parent" in form.changed_data:
            move_unit(obj, parent=obj.parent, by=request.user)  # type: ignore[arg-type]
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Sáp nhập các đơn vị đã chọn vào một đơn vị khác"))
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Unit]) -> HttpResponse | None:
        form = MergeForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            for unit in queryset.order_by("path"):
                self._merge_one(request, unit, form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sáp nhập đơn vị"),
            "units": queryset.order_by("path"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/unit/merge.html", context)

    def _merge_one(self, request: HttpRequest, unit: Unit, data: dict[str, Any]) -> None:
        try:
            summary = merge_unit(
                unit,
                into=data["into"],
                by=request.user,  # type: ignore[arg-type]
                on=data["on"],
                reason=data["reason"],
            )
        except MotcuaError as refusal:
            self.message_user(
                request, f"{unit.code}: {refusal.message} ({refusal.code})", messages.ERROR
            )
            return
        done = summary.as_dict()
        self.message_user(
            request,
            _("%(unit)s đã sáp nhập vào %(into)s: %(dossiers)s hồ sơ, %(users)s phân công.")
            % {
                "unit": unit.code,
                "into": summary.into,
                "dossiers": done["dossiers_moved"],
                "users": done["memberships_moved"],
            },
            messages.SUCCESS,
        )
        if summary.procedures_to_review:
            self.message_user(
                request,
                _("Thủ tục còn ghi %(unit)s là cơ quan giải quyết: %(codes)s.")
                % {"unit": unit.code, "codes": ", ".join(summary.procedures_to_review)},
                messages.WARNING,
            )


class VersionInline(admin.StackedInline):
    model = ProcedureVersion
    extra = 0
    autocomplete_fields = ["agency", "other_agencies"]
    fields = [
        "number",
        "name",
        "agency",
        "other_agencies",
        "level",
        "field",
        ("duration_value", "duration_unit", "convention", "pause_rule"),
        ("same_day_cutoff", "duration_by_channel"),
        ("online", "five_on_spot", "e_result"),
        "fees",
        "components",
        ("effective_from", "effective_to"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return ["number"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    search_fields = ["code", "versions__name_folded", "versions__name"]
    list_display = ["code", "__str__"]
    inlines = [VersionInline]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = [
        "procedure",
        "number",
        "name",
        "agency",
        "duration_value",
        "duration_unit",
        "online",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["online", "duration_unit", "level", "five_on_spot"]
    search_fields = ["procedure__code", "name", "name_folded"]
    autocomplete_fields = ["agency", "other_agencies", "procedure"]

    def get_readonly_fields(self, request: HttpRequest, obj: ProcedureVersion | None = None):
        if obj is not None and obj.dossiers.exists():
            return [field.name for field in self.model._meta.fields] + ["other_agencies"]
        return []
