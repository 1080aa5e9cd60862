from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "motcua.citizens"
    verbose_name = "Cổng công dân"
