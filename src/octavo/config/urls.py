"""The URL map: staff side under /staff/, JSON API under /api/v1/, language switch under /i18n/."""

from django.urls import include, path

from octavo.interfaces.api.api import api

urlpatterns = [
    path("staff/", include("octavo.interfaces.staff.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
