"""Keep `motcua migrate` the only set-up step: it also creates the shared cache table."""

from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_cache_table(sender: object, using: str = "default", **kwargs: object) -> None:
    if getattr(sender, "label", None) == "dossiers":  # an app with models, so it is sent
        call_command("createcachetable", database=using, verbosity=0)
