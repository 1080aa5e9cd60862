"""The outbox in the admin (/quan-tri/): read-only, filtered by status and destination, with
one action to replay dead messages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.outbox.models import OutboxMessage
from motcua.outbox.services import replay_selected


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "destination",
        "dossier",
        "sequence",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "destination", "event_type"]
    search_fields = ["dossier__code", "idempotency_key"]
    list_select_related = ["dossier"]
    actions = ["replay"]

    @admin.action(description="Chuyển lại các thư hỏng (dead-letter)", permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        selected = queryset.count()
        replayed = replay_selected(queryset)
        self.message_user(request, f"Đã đưa {len(replayed)} thư vào hàng đợi chuyển lại.")
        if len(replayed) < selected:
            self.message_user(
                request,
                f"{selected - len(replayed)} thư không hỏng nên không chuyển lại.",
                level=messages.WARNING,
            )

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
