from django.contrib import admin

from motcua.feedback.models import Rating, RatingScale


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["at", "unit", "channel", "dossier"]
    list_filter = ["channel", "unit"]
    date_hierarchy = "at"
    readonly_fields = ["unit", "province_code", "at", "channel", "dossier", "answers", "source_key"]
