from django.contrib import admin

from motcua.feedback.models import Rating, RatingDevice, RatingScale


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "on_tablet"]
    fields = ["code", "name", "values", "criteria", "positive", "on_tablet"]


@admin.register(RatingDevice)
class RatingDeviceAdmin(admin.ModelAdmin):
    """A tablet facing a counter; its page is /sanh/<site>/danh-gia/<token>/."""

    list_display = ["name", "counter", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["token"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["at", "unit", "source", "channel", "dossier", "officer"]
    list_filter = ["source", "channel", "unit"]
    date_hierarchy = "at"
    readonly_fields = [
        "unit",
        "province_code",
        "at",
        "channel",
        "source",
        "dossier",
        "ticket",
        "counter",
        "officer",
        "recorded_by",
        "device",
        "answers",
        "changed_at",
        "changes",
        "source_key",
    ]
