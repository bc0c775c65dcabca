"""The staff side's URLs, under /staff/ (namespace "staff")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from octavo.interfaces.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<str:code>/", views.site_detail, name="site"),
    path("sites/<str:code>/locations/", views.site_locations, name="locations"),
    path("locations/<int:location_id>/edit/", views.location_edit, name="location_edit"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<str:username>/", views.user_detail, name="user"),
    path("audit/", views.audit_log, name="audit"),
]
