"""Notifications in the admin: read-only, with one action to give failed ones (and those whose
outcome is unknown) another round."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.notifications.models import Notification
from motcua.notifications.services import resend_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "dossier",
        "event_type",
        "channel",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "channel", "event__type"]
    search_fields = ["dossier__code", "recipient"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "event"]
    actions = ["resend"]

    @admin.display(description="Sự kiện", ordering="event__type")
    def event_type(self, obj: Notification) -> str:
        return obj.event.get_type_display()

    @admin.action(
        description="Gửi lại các thông báo gửi không thành công hoặc chưa rõ kết quả",
        permissions=["change"],
    )
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = resend_failed(queryset)
        selected = queryset.count()
        self.message_user(request, f"Đã đưa {count} thông báo vào hàng đợi gửi lại.")
        if count < selected:
            self.message_user(
                request,
                f"{selected - count} thông báo đã gửi hoặc đang chờ gửi nên không gửi lại.",
                level=messages.WARNING,
            )

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
