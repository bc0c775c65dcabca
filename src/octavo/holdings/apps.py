from django.apps import AppConfig


class HoldingsConfig(AppConfig):
    name = "octavo.holdings"
    label = "holdings"
    default_auto_field = "django.db.models.BigAutoField"
