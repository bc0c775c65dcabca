"""The OPAC's URLs, at the root of the site (namespace "opac"). Issue #6's contract: `/`,
`/search`, `/record/<id>`, `/account`, `/lists/...`; every page a stable address."""

from django.urls import path

from octavo.interfaces.opac import account_views, parent_views, views

app_name = "opac"
urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search_page, name="search"),
    path("record/<int:record_id>", views.record_page, name="record"),
    path("record/<int:record_id>/hold", account_views.hold_page, name="hold"),
    path("sites", views.sites_page, name="sites"),
    path("lists", views.lists_page, name="lists"),
    path("lists/new", views.arrivals_page, name="arrivals"),
    path("lists/<int:list_id>", views.list_page, name="list"),
    path("account", account_views.account_page, name="account"),
    path("account/login", account_views.login_page, name="login"),
    path("account/logout", account_views.logout_page, name="logout"),
    path("account/renew", account_views.renew_page, name="renew"),
    path("account/holds/<int:hold_id>/cancel", account_views.cancel_page, name="cancel"),
    path("account/history", account_views.history_page, name="history"),
    path("account/parent/login", parent_views.parent_login, name="parent_login"),
    path("account/parent/link", parent_views.parent_link, name="parent_link"),
    path(
        "account/parent/set/<int:account_id>/<str:token>",
        parent_views.parent_set,
        name="parent_set",
    ),
    path(
        "account/children/<int:patron_id>/history",
        parent_views.child_history,
        name="child_history",
    ),
]
