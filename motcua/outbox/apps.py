from django.apps import AppConfig


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.outbox"
    verbose_name = "Hộp thư đi (outbox)"

    def ready(self) -> None:
        from motcua.notifications.worker import release_claims_with
        from motcua.outbox import checks, webhook  # noqa: F401  (registers the checks and webhook)
        from motcua.outbox.services import release_claims

        release_claims_with(release_claims)
