from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "octavo.district"
    label = "district"
    default_auto_field = "django.db.models.BigAutoField"
