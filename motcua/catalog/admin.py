from django.contrib import admin
from django.http import HttpRequest

from motcua.catalog.models import Procedure, ProcedureVersion, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "identity_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "identity_code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "province_code"]


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
        ("online", "five_on_spot"),
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
