from django.apps import AppConfig


class FinesConfig(AppConfig):
    name = "octavo.fines"
    label = "fines"
    default_auto_field = "django.db.models.BigAutoField"
