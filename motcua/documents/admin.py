"""Documents in the admin: a read-only listing. Files are attached through documents/services.py
only (type, size and permission checks, the dossier's event)."""

from django.contrib import admin
from django.http import HttpRequest

from motcua.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "dossier",
        "kind",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["dossier__code", "title", "original_name", "sha256"]
    date_hierarchy = "uploaded_at"
    list_select_related = ["dossier", "uploaded_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
