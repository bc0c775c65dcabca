"""The staff side's URLs, under /staff/ (namespace "staff")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from octavo.interfaces.staff import catalog_views, views

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

# The catalog: search, records and their items (issue #3).
urlpatterns += [
    path("catalog/", catalog_views.catalog_search, name="catalog"),
    path("catalog/new/", catalog_views.record_new, name="record_new"),
    path("catalog/<int:record_id>/", catalog_views.record_detail, name="record"),
    path("catalog/<int:record_id>/edit/", catalog_views.record_edit, name="record_edit"),
    path("catalog/<int:record_id>/marc/", catalog_views.record_marc, name="record_marc"),
    path("catalog/<int:record_id>/items/new/", catalog_views.item_new, name="item_new"),
    path("items/<str:barcode>/edit/", catalog_views.item_edit, name="item_edit"),
]
