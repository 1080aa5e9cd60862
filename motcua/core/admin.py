"""The change log in the admin: to read, never to add, change or remove."""

from django.contrib import admin
from django.http import HttpRequest

from motcua.core.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "kind", "model", "object_repr", "via"]
    list_filter = ["kind", "model"]
    search_fields = ["object_repr", "actor_name", "object_id", "via"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
