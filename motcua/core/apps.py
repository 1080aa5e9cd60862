from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"

    def ready(self) -> None:
        from motcua.core import changes, signals  # noqa: F401  (signals connects post_migrate)

        changes.connect()
