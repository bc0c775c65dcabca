"""The staff side's URLs, under /staff/ (namespace "staff")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from octavo.interfaces.staff import (
    catalog_views,
    desk_mail_views,
    desk_print_views,
    desk_views,
    holds_views,
    list_views,
    loan_views,
    patron_views,
    policy_views,
    roster_views,
    views,
)

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

# The desk and the patron pages (issue #4).
urlpatterns += [
    path("desk/", desk_views.desk, name="desk"),
    path("desk/checkin/", desk_views.desk_checkin, name="desk_checkin"),
    path("desk/override/", desk_views.desk_override, name="desk_override"),
    path("desk/renew/", desk_views.desk_renew, name="desk_renew"),
    path("desk/renew-all/", desk_views.desk_renew_all, name="desk_renew_all"),
    path("desk/finish/", desk_views.desk_finish, name="desk_finish"),
    path("desk/site/", desk_views.desk_choose_site, name="desk_site"),
    path("desk/receipt/", desk_print_views.desk_receipt, name="desk_receipt"),
    path("desk/receipt/email/", desk_mail_views.desk_receipt_email, name="desk_receipt_email"),
    path("desk/transit/<str:barcode>/", desk_print_views.desk_transit_slip, name="desk_transit"),
    path("desk/holds/<int:hold_id>/slip/", desk_print_views.desk_hold_slip, name="desk_hold_slip"),
    path("desk/sounds/<str:name>.wav", desk_print_views.desk_sound, name="desk_sound"),
    path("patrons/", patron_views.patron_list, name="patrons"),
    path("patrons/new/", patron_views.patron_new, name="patron_new"),
    path("patrons/roster/", roster_views.patron_roster, name="patron_roster"),
    path("patrons/roster/apply/", roster_views.patron_roster_apply, name="patron_roster_apply"),
    path("patrons/<int:patron_id>/", patron_views.patron_detail, name="patron"),
    path("patrons/<int:patron_id>/edit/", patron_views.patron_edit, name="patron_edit"),
    path("patrons/<int:patron_id>/merge/", patron_views.patron_merge, name="patron_merge"),
    path("patrons/<int:patron_id>/pay/", patron_views.patron_pay, name="patron_pay"),
    path("patrons/<int:patron_id>/waive/", patron_views.patron_waive, name="patron_waive"),
]

# Holds, lost items, claims returned and refunds at the desk and on the patron page (issue #4).
urlpatterns += [
    path("desk/loans/<str:barcode>/lost/", loan_views.desk_lost, name="desk_lost"),
    path(
        "desk/loans/<str:barcode>/claim-returned/",
        loan_views.desk_claim_returned,
        name="desk_claim_returned",
    ),
    path("patrons/<int:patron_id>/holds/", loan_views.patron_hold, name="patron_hold"),
    path("patrons/<int:patron_id>/refund/", loan_views.patron_refund, name="patron_refund"),
    path("catalog/<int:record_id>/hold/", holds_views.record_hold, name="record_hold"),
    path("holds/pull/", holds_views.holds_pull, name="holds_pull"),
    path("holds/shelf/", holds_views.holds_shelf, name="holds_shelf"),
    path("holds/shelf/expire/", holds_views.holds_expire, name="holds_expire"),
    path("holds/<int:hold_id>/cancel/", holds_views.hold_cancel, name="hold_cancel"),
    path("holds/<int:hold_id>/suspend/", holds_views.hold_suspend, name="hold_suspend"),
]

# Circulation policy and closed days (issue #4, "Policy").
urlpatterns += [
    path("policy/", policy_views.policy_matrix, name="policy"),
    path("policy/new/", policy_views.policy_new, name="policy_new"),
    path("policy/fine-free/", policy_views.policy_fine_free, name="policy_fine_free"),
    path("policy/types/", policy_views.policy_types, name="policy_types"),
    path("policy/<int:rule_id>/", policy_views.policy_edit, name="policy_edit"),
    path("policy/<int:rule_id>/delete/", policy_views.policy_delete, name="policy_delete"),
    path("sites/<str:code>/closed-days/", policy_views.site_closed_days, name="closed_days"),
    path(
        "sites/<str:code>/closed-days/remove/",
        policy_views.site_closed_days_remove,
        name="closed_days_remove",
    ),
]

# Reading lists and featured shelves that librarians curate (issue #6).
urlpatterns += [
    path("lists/", list_views.list_index, name="lists"),
    path("lists/new/", list_views.list_new, name="list_new"),
    path("lists/<int:list_id>/", list_views.list_detail, name="list"),
    path("lists/<int:list_id>/edit/", list_views.list_edit, name="list_edit"),
    path("lists/<int:list_id>/delete/", list_views.list_delete, name="list_delete"),
    path("lists/<int:list_id>/entries/", list_views.list_add, name="list_add"),
    path(
        "lists/<int:list_id>/entries/<int:record_id>/move/",
        list_views.list_move,
        name="list_move",
    ),
    path(
        "lists/<int:list_id>/entries/<int:record_id>/remove/",
        list_views.list_remove,
        name="list_remove",
    ),
    path(
        "lists/<int:list_id>/entries/<int:record_id>/note/",
        list_views.list_note,
        name="list_note",
    ),
]

# Labels: spine, barcode, patron cards, shelf markers, and each site's label printer (issue #8).
from octavo.interfaces.staff import label_views  # noqa: E402 - this block's own import

urlpatterns += [
    path("labels/", label_views.labels_page, name="labels"),
    path("labels/printers/", label_views.label_printers, name="label_printers"),
    path("labels/printers/<str:code>/", label_views.label_printer, name="label_printer"),
]

# Inventory of a site's shelves: start, scan, upload, progress, the report, finish (issue #8).
from octavo.interfaces.staff import inventory_views  # noqa: E402 - this block's own import

urlpatterns += [
    path("inventory/", inventory_views.inventory_list, name="inventories"),
    path("inventory/<int:inventory_id>/", inventory_views.inventory_detail, name="inventory"),
    path(
        "inventory/<int:inventory_id>/scan/", inventory_views.inventory_scan, name="inventory_scan"
    ),
    path(
        "inventory/<int:inventory_id>/upload/",
        inventory_views.inventory_upload,
        name="inventory_upload",
    ),
    path(
        "inventory/<int:inventory_id>/report/",
        inventory_views.inventory_report,
        name="inventory_report",
    ),
    path(
        "inventory/<int:inventory_id>/report.csv",
        inventory_views.inventory_report_csv,
        name="inventory_report_csv",
    ),
    path(
        "inventory/<int:inventory_id>/resolve/",
        inventory_views.inventory_resolve,
        name="inventory_resolve",
    ),
    path(
        "inventory/<int:inventory_id>/finish/",
        inventory_views.inventory_finish,
        name="inventory_finish",
    ),
    path(
        "inventory/<int:inventory_id>/cancel/",
        inventory_views.inventory_cancel,
        name="inventory_cancel",
    ),
]

# Notices: the log, each site's templates with a preview, the printable stacks (issue #7).
from octavo.interfaces.staff import notice_views  # noqa: E402 - this block's own import

urlpatterns += [
    path("notices/", notice_views.notice_log, name="notices"),
    path("notices/templates/", notice_views.notice_templates, name="notice_templates"),
    path(
        "notices/templates/<str:code>/<str:kind>/<str:language>/",
        notice_views.notice_template,
        name="notice_template",
    ),
    path("notices/print/", notice_views.notice_stacks, name="notice_stacks"),
    path("notices/print/pdf/", notice_views.notice_stack_pdf, name="notice_stack_pdf"),
]

# Reports: each with a chart and a table for a site and a period, its files, and the ones
# mailed on a schedule (issue #7).
from octavo.interfaces.staff import report_views  # noqa: E402 - this block's own import

urlpatterns += [
    path("reports/", report_views.report_index, name="reports"),
    # Before reports/<name>/: "scheduled" is no report's name.
    path("reports/scheduled/", report_views.report_schedules, name="report_schedules"),
    path(
        "reports/scheduled/<int:schedule_id>/stop/",
        report_views.report_schedule_stop,
        name="report_schedule_stop",
    ),
    path("reports/<slug:name>/", report_views.report_detail, name="report"),
    path(
        "reports/<slug:name>/download/<str:fmt>/",
        report_views.report_download,
        name="report_download",
    ),
    path("reports/<slug:name>/schedule/", report_views.report_schedule, name="report_schedule"),
]

# Weeding lists, shelf reading and item care: repair, damage, the item's history (issue #8).
from octavo.interfaces.staff import (  # noqa: E402 - this block's own import
    care_views,
    shelf_reading_views,
    weeding_views,
)

urlpatterns += [
    path("weeding/", weeding_views.weeding_list_index, name="weeding_lists"),
    path("weeding/<int:list_id>/", weeding_views.weeding_detail, name="weeding"),
    path("weeding/<int:list_id>/decide/", weeding_views.weeding_decide, name="weeding_decide"),
    path(
        "weeding/<int:list_id>/decide-all/",
        weeding_views.weeding_decide_all,
        name="weeding_decide_all",
    ),
    path("weeding/<int:list_id>/scan/", weeding_views.weeding_scan, name="weeding_scan"),
    path("weeding/<int:list_id>/print/", weeding_views.weeding_print, name="weeding_print"),
    path("weeding/<int:list_id>/apply/", weeding_views.weeding_apply, name="weeding_apply"),
    path("shelf-reading/", shelf_reading_views.shelf_reading, name="shelf_reading"),
    path("items/<str:barcode>/care/", care_views.item_care, name="item_care"),
]

# Saved label batches: keep a named list of items, fill it by scanning, print it (issue #8).
from octavo.interfaces.staff import label_batch_views  # noqa: E402 - this block's own import

urlpatterns += [
    path("labels/batches/", label_batch_views.label_batches, name="label_batches"),
    path("labels/batches/<int:batch_id>/", label_batch_views.label_batch, name="label_batch"),
    path(
        "labels/batches/<int:batch_id>/remove/",
        label_batch_views.label_batch_remove,
        name="label_batch_remove",
    ),
    path(
        "labels/batches/<int:batch_id>/empty/",
        label_batch_views.label_batch_empty,
        name="label_batch_empty",
    ),
    path(
        "labels/batches/<int:batch_id>/delete/",
        label_batch_views.label_batch_delete,
        name="label_batch_delete",
    ),
]
