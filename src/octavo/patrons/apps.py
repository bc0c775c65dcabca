from django.apps import AppConfig


class PatronsConfig(AppConfig):
    name = "octavo.patrons"
    label = "patrons"
    default_auto_field = "django.db.models.BigAutoField"
