from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "octavo.notices"
    label = "notices"
    default_auto_field = "django.db.models.BigAutoField"
