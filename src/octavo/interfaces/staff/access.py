"""The door of every staff page: who is acting, and the friendly 403 and 404 pages.

Permissions are the services' business (STYLE.md, "The one rule"). This module only asks the
rules whether the actor's role uses the staff side at all, and turns the services'
PermissionDenied and NotFound into pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from octavo.accounts.models import User
from octavo.accounts.rules import Action, decide, may_ever
from octavo.shared.actor import Actor, Source
from octavo.shared.errors import NotFound, PermissionDenied

StaffView = Callable[..., HttpResponse]


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str | Promise
    current: bool  # the page shown is this link's or one below it (aria-current)


# Which pages belong under which link of the navigation.
_SECTIONS = {
    "staff:home": {"home"},
    "staff:lists": {
        "lists",
        "list_new",
        "list",
        "list_edit",
        "list_delete",
        "list_add",
        "list_move",
        "list_remove",
        "list_note",
    },
    "staff:desk": {
        "desk",
        "desk_checkin",
        "desk_receipt",
        "desk_receipt_email",
        "desk_transit",
        "desk_hold_slip",
        "desk_override",
        "desk_renew",
        "desk_renew_all",
        "desk_finish",
        "desk_lost",
        "desk_claim_returned",
        "holds_pull",
        "holds_shelf",
        "holds_expire",
        "hold_cancel",
        "hold_suspend",
    },
    "staff:patrons": {
        "patrons",
        "patron",
        "patron_new",
        "patron_roster",
        "patron_roster_apply",
        "patron_edit",
        "patron_merge",
        "patron_pay",
        "patron_waive",
        "patron_hold",
        "patron_refund",
    },
    "staff:sites": {
        "sites",
        "site_new",
        "site",
        "locations",
        "location_edit",
        "closed_days",
        "closed_days_remove",
    },
    "staff:policy": {
        "policy",
        "policy_new",
        "policy_fine_free",
        "policy_types",
        "policy_edit",
        "policy_delete",
    },
    "staff:users": {"users", "user_new", "user"},
    "staff:audit": {"audit"},
    "staff:reports": {
        "reports",
        "report",
        "report_download",
        "report_schedule",
        "report_schedules",
        "report_schedule_stop",
    },
    "staff:notices": {
        "notices",
        "notice_templates",
        "notice_template",
        "notice_stacks",
        "notice_stack_pdf",
    },
    "staff:inventories": {
        "inventories",
        "inventory",
        "inventory_scan",
        "inventory_upload",
        "inventory_report",
        "inventory_report_csv",
        "inventory_resolve",
        "inventory_finish",
        "inventory_cancel",
    },
    "staff:labels": {
        "labels",
        "label_printers",
        "label_printer",
        "label_batches",
        "label_batch",
        "label_batch_remove",
        "label_batch_empty",
        "label_batch_delete",
    },
    "staff:shelf_reading": {"shelf_reading"},
    "staff:weeding_lists": {
        "weeding_lists",
        "weeding",
        "weeding_decide",
        "weeding_decide_all",
        "weeding_scan",
        "weeding_print",
        "weeding_apply",
    },
}


def actor_for(request: HttpRequest) -> Actor:
    user = cast(User, request.user)
    return user.actor(source=Source.STAFF, address=request.META.get("REMOTE_ADDR"))


def nav_links(actor: Actor | None, current: str = "") -> list[NavLink]:
    """The links the actor's role may ever use; the pages behind them still ask the services."""
    if actor is None or not decide(actor, Action.STAFF_ACCESS):
        return []
    wanted = [("staff:home", _("Home"), True)]
    # Second, so that it follows Catalog, which staff/base.html puts after the first link:
    # reading lists are catalog work (issue #6).
    wanted.append(("staff:lists", _("Lists"), may_ever(actor, Action.CATALOG_EDIT)))
    wanted.append(("staff:desk", _("Desk"), may_ever(actor, Action.CIRCULATE)))
    # Inventory (issue #8): librarians and technicians run it; anyone who circulates may scan.
    wanted.append(
        (
            "staff:inventories",
            _("Inventory"),
            may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.CIRCULATE),
        )
    )
    # Shelf reading and weeding (issue #8): anyone who shelves reads shelves; weeding is the
    # collection's staff's.
    wanted.append(
        (
            "staff:shelf_reading",
            _("Shelf reading"),
            may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.CIRCULATE),
        )
    )
    wanted.append(("staff:weeding_lists", _("Weeding"), may_ever(actor, Action.CATALOG_EDIT)))
    wanted.append(("staff:patrons", _("Patrons"), may_ever(actor, Action.PATRON_VIEW)))
    # The notice log names patrons' addresses: for who may change patrons (issue #7).
    wanted.append(("staff:notices", _("Notices"), may_ever(actor, Action.PATRON_EDIT)))
    wanted.append(("staff:sites", _("Sites"), may_ever(actor, Action.SITE_VIEW)))
    # The desk explains due dates and limits from the matrix (octavo.policy.selectors).
    wanted.append(
        (
            "staff:policy",
            _("Policy"),
            may_ever(actor, Action.CIRCULATE) or may_ever(actor, Action.POLICY_EDIT),
        )
    )
    # Labels are processing work: items (CATALOG_EDIT) and patron cards (PATRON_EDIT).
    wanted.append(
        (
            "staff:labels",
            _("Labels"),
            may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.PATRON_EDIT),
        )
    )
    wanted.append(("staff:reports", _("Reports"), may_ever(actor, Action.REPORTS_VIEW)))
    wanted.append(("staff:users", _("Accounts"), may_ever(actor, Action.USER_VIEW)))
    wanted.append(("staff:audit", _("Audit log"), bool(decide(actor, Action.AUDIT_VIEW))))
    return [
        NavLink(url_name, text, current in _SECTIONS[url_name])
        for url_name, text, shown in wanted
        if shown
    ]


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a staff page with the navigation the actor may use."""
    if actor is None and request.user.is_authenticated:
        actor = actor_for(request)
    match = request.resolver_match
    current = match.url_name if match and match.url_name else ""
    full = {"nav": nav_links(actor, current), **(context or {})}
    return render(request, template, full, status=status)


def refused(request: HttpRequest, actor: Actor | None = None) -> HttpResponse:
    return page(request, "staff/403.html", actor=actor, status=403)


def not_found(request: HttpRequest, actor: Actor | None = None) -> HttpResponse:
    return page(request, "staff/404.html", actor=actor, status=404)


def staff_page(view: StaffView) -> StaffView:
    """Log-in required; roles without staff access get 403; service refusals become pages.

    The wrapped view is called as `view(request, actor, **kwargs)`.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = actor_for(request)
        if not decide(actor, Action.STAFF_ACCESS):
            return refused(request, actor)
        try:
            return view(request, actor, *args, **kwargs)
        except PermissionDenied:
            return refused(request, actor)
        except NotFound:
            return not_found(request, actor)

    return cast(StaffView, login_required(wrapper))
