from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.integrations.national_portal.models import PortalDossier, RefusedMessage


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefusedMessage)
class RefusedMessageAdmin(ReadOnly):
    list_display = ("received_at", "code", "external_code", "procedure_code", "received_via")
    list_filter = ("code", "received_via")
    search_fields = ("external_code", "procedure_code", "reason")


@admin.register(PortalDossier)
class PortalDossierAdmin(ReadOnly):
    list_display = ("external_code", "dossier", "received_via", "received_at", "paid_online")
    search_fields = ("external_code", "dossier__code")
