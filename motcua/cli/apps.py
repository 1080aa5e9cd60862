from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "motcua.cli"
    label = "cli"
    verbose_name = "motcua command line"
