from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "octavo.interfaces.staff"
    label = "octavo_staff"
