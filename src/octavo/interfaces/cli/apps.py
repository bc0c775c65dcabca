from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "octavo.interfaces.cli"
    label = "octavo_cli"
