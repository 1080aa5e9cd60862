from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.integrations.national_portal"
    label = "national_portal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        from motcua.integrations.national_portal import status  # noqa: F401  (registers it)
