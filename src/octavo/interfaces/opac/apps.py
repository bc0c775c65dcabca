from django.apps import AppConfig


class OpacConfig(AppConfig):
    name = "octavo.interfaces.opac"
    label = "opac"
    verbose_name = "Public catalog (OPAC)"
