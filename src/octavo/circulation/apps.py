from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "octavo.circulation"
    label = "circulation"
    default_auto_field = "django.db.models.BigAutoField"
