"""The hall's set-up: groups, counters, kiosks and screens (each opened by its URL). Tickets
and their logs are read-only here: they change only through `queueing/services.py`."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from motcua.queueing.models import Counter, Device, Hall, ServiceGroup, Ticket, TicketEvent


class ServiceGroupInline(admin.TabularInline):
    model = ServiceGroup
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["number"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["unit", "priority_head_start", "service_minutes"]
    inlines = [ServiceGroupInline, CounterInline]
    autocomplete_fields = ["unit"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "hall", "is_active", "address"]
    list_filter = ["kind", "hall"]
    readonly_fields = ["address"]
    filter_horizontal = ["groups"]

    @admin.display(description="địa chỉ mở thiết bị")
    def address(self, device: Device) -> str:
        if not device.pk:
            return ""
        name = "portal:hall_kiosk" if device.kind == "kiosk" else "portal:hall_display"
        url = reverse(name, args=[device.hall.unit.code, device.token])
        return format_html('<a href="{}">{}</a>', url, url)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ["__str__", "hall", "day", "status", "outcome", "counter", "issued_at"]
    list_filter = ["status", "outcome", "hall"]
    date_hierarchy = "issued_at"


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnly):
    list_display = ["at", "type", "ticket", "actor_name", "counter", "reason"]
    list_filter = ["type"]
