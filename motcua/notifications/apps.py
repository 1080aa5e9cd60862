from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        from motcua.notifications import destination  # noqa: F401  (registers it in the outbox)
