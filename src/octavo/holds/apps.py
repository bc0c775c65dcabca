from django.apps import AppConfig


class HoldsConfig(AppConfig):
    name = "octavo.holds"
    label = "holds"
    default_auto_field = "django.db.models.BigAutoField"
