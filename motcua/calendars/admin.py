from django.contrib import admin

from motcua.calendars.models import DayOverride


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "reason", "unit", "legal_basis"]
    list_filter = ["kind", "unit"]
    date_hierarchy = "day"
    search_fields = ["reason", "legal_basis"]
    autocomplete_fields = ["unit"]
