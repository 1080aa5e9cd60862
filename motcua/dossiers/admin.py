"""Dossiers in the admin: read-only. State changes go through dossiers/actions.py only."""

from django.contrib import admin
from django.http import HttpRequest

from motcua.dossiers.models import Dossier, DossierEvent


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("sequence", "type", "at", "actor_name", "reason", "data", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "procedure_code",
        "status",
        "receiving_unit",
        "agency",
        "received_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "receiving_unit"]
    search_fields = ["code", "procedure_code"]
    date_hierarchy = "received_at"
    inlines = [EventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Dossier._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
