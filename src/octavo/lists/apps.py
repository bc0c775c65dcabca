from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "octavo.lists"
    label = "lists"
    default_auto_field = "django.db.models.BigAutoField"
