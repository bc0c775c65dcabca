"""WSGI entry point (gunicorn, via `octavo serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "octavo.config.settings")
application = get_wsgi_application()
