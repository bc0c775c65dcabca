"""The URL map: staff side under /staff/, JSON API under /api/v1/, language switch under /i18n/,
and the public catalog (OPAC) at the root."""

from django.urls import include, path

from octavo.interfaces.api.api import api

urlpatterns = [
    path("staff/", include("octavo.interfaces.staff.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("octavo.interfaces.opac.urls")),
]

# An unknown address outside the API (whose middleware answers JSON) gets the OPAC's friendly
# page with a search box.
handler404 = "octavo.interfaces.opac.views.not_found"
