from django.apps import AppConfig


class Sip2Config(AppConfig):
    name = "octavo.interfaces.sip2"
    label = "sip2"
    verbose_name = "SIP2"
    default_auto_field = "django.db.models.BigAutoField"
