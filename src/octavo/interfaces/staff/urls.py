from django.urls import path

from octavo.interfaces.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
]
