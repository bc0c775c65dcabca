"""The staff screens: sites, locations, accounts and the audit log.

Each view parses a form, calls one service or selector, and shows the result. Services decide
and enforce permissions; the rules are asked here only to hide what the actor cannot use.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from octavo.accounts.models import ROLE_LABELS, User
from octavo.accounts.rules import Action, decide, decide_user_change, may_ever
from octavo.accounts.selectors import user_by_username, visible_users
from octavo.accounts.services import create_user, set_password, update_user
from octavo.audit.selectors import AuditFilter, audit_entries
from octavo.district.models import Location, Site
from octavo.district.selectors import locations_at, site_by_code, visible_sites
from octavo.district.services import add_location, create_site, update_location, update_site
from octavo.interfaces.staff import labels
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import (
    AccountCreateForm,
    AccountEditForm,
    AuditFilterForm,
    LocationAddForm,
    LocationEditForm,
    LoginForm,
    SiteCreateForm,
    SiteEditForm,
    apply_error,
    role_choices,
    site_choices,
    time_zone_names,
)
from octavo.shared.actor import Actor, Role
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

AUDIT_PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = LoginForm


def _refuse_unless(allowed: bool, why: str) -> None:
    """Refuse a form page that the rules refuse every use of (its service would refuse too)."""
    if not allowed:
        raise PermissionDenied(why)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- home -------------------------------------------------------------------------------------


@require_safe
@staff_page
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    user = cast(User, request.user)  # staff_page has logged the person in
    context = {
        "role_label": ROLE_LABELS[actor.role],
        "my_sites": [] if actor.is_district_admin else list(user.sites.all()),
        "may": {
            "desk": may_ever(actor, Action.CIRCULATE),
            "patrons": may_ever(actor, Action.PATRON_VIEW),
            "sites": may_ever(actor, Action.SITE_VIEW),
            "site_new": bool(decide(actor, Action.SITE_CREATE)),
            "users": may_ever(actor, Action.USER_VIEW),
            "user_new": may_ever(actor, Action.USER_MANAGE),
            "audit": bool(decide(actor, Action.AUDIT_VIEW)),
        },
    }
    return page(request, "staff/home.html", context, actor=actor)


# --- sites ------------------------------------------------------------------------------------


@require_safe
@staff_page
def site_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    sites = visible_sites(actor=actor)
    context = {"sites": sites, "may_create": bool(decide(actor, Action.SITE_CREATE))}
    return page(request, "staff/site_list.html", context, actor=actor)


@GET_POST
@staff_page
def site_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    decision = decide(actor, Action.SITE_CREATE)
    _refuse_unless(decision.allowed, decision.reason)
    form = SiteCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            site = create_site(
                actor=actor,
                code=data["code"],
                name=data["name"],
                address=data["address"],
                time_zone=data["time_zone"],
                hours=form.periods(),
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc, aliases={"opening_hours": None})
        else:
            messages.success(request, _("Site %(site)s added.") % {"site": site.code})
            return redirect("staff:site", code=site.code)
    context = {"form": form, "time_zones": time_zone_names()}
    return page(request, "staff/site_new.html", context, actor=actor)


def _hours(site: Site) -> list[tuple[int, time, time]]:
    return sorted((h.weekday, h.opens, h.closes) for h in site.opening_hours.all())


def _week(site: Site) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each weekday's name and its open periods as HH:MM pairs (none: closed)."""
    hours = _hours(site)
    return [
        (str(WEEKDAYS[day]), [(f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in hours if d == day])
        for day in range(7)
    ]


def _site_initial(site: Site) -> dict[str, Any]:
    hours = _hours(site)
    return {
        "name": site.name,
        "address": site.address,
        "time_zone": site.time_zone,
        "is_active": site.is_active,
        **SiteEditForm.hours_initial(hours),
    }


@GET_POST
@staff_page
def site_detail(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    site = site_by_code(actor=actor, code=code)
    if request.method == "POST":
        form = SiteEditForm(request.POST, initial=_site_initial(site))
        if form.is_valid():
            data = form.cleaned_data
            changes = {k: data[k] for k in ("name", "address", "time_zone", "is_active")}
            try:
                update_site(
                    actor=actor, code=site.code, changes=changes, hours=form.periods(), at=now()
                )
            except OctavoError as exc:
                apply_error(form, exc, aliases={"opening_hours": None})
            else:
                messages.success(request, _("Site %(site)s saved.") % {"site": site.code})
                return redirect("staff:site", code=site.code)
    else:
        form = SiteEditForm(initial=_site_initial(site))
    context = {
        "site": site,
        "form": form,
        "hours": form.hours_rows(),
        "week": _week(site),
        "may_edit": bool(decide(actor, Action.SITE_EDIT, site_id=site.id)),
        "may_locations": bool(decide(actor, Action.LOCATION_VIEW, site_id=site.id)),
        "time_zones": time_zone_names(),
    }
    return page(request, "staff/site_detail.html", context, actor=actor)


# --- locations --------------------------------------------------------------------------------


@GET_POST
@staff_page
def site_locations(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    site = site_by_code(actor=actor, code=code, action=Action.LOCATION_VIEW)
    form = LocationAddForm(request.POST if request.method == "POST" else None)
    added: Location | None = None
    if form.is_bound and form.is_valid():
        try:
            added = add_location(
                actor=actor,
                site=site,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(
                    request, _("Location %(location)s added.") % {"location": added.code}
                )
                return redirect("staff:locations", code=site.code)
            form = LocationAddForm()  # htmx: swap in the new list and an empty form
    context = {
        "site": site,
        "locations": locations_at(actor=actor, site=site),
        "form": form,
        "added": added,
        "may_manage": bool(decide(actor, Action.LOCATION_MANAGE, site_id=site.id)),
    }
    if _is_htmx(request):
        return page(request, "staff/_locations_panel.html", context, actor=actor)
    return page(request, "staff/site_locations.html", context, actor=actor)


def _location(actor: Actor, location_id: int) -> Location:
    """The location, if the actor may see the locations of its site."""
    found = Location.objects.select_related("site").filter(id=location_id).first()
    if found is None:
        raise NotFound(f"no location with id {location_id}", field="location")
    return locations_at(actor=actor, site=found.site).get(id=found.id)


@GET_POST
@staff_page
def location_edit(request: HttpRequest, actor: Actor, location_id: int) -> HttpResponse:
    location = _location(actor, location_id)
    initial = {"name": location.name, "is_active": location.is_active}
    form = LocationEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            update_location(
                actor=actor,
                location_id=location.id,
                changes={k: form.cleaned_data[k] for k in ("name", "is_active")},
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Location %(location)s saved.") % {"location": location.code}
            )
            return redirect("staff:locations", code=location.site.code)
    context = {
        "location": location,
        "site": location.site,
        "form": form,
        "may_manage": bool(decide(actor, Action.LOCATION_MANAGE, site_id=location.site_id)),
    }
    return page(request, "staff/location_edit.html", context, actor=actor)


# --- accounts ---------------------------------------------------------------------------------


def _assignable_roles(actor: Actor, current: Role | None = None) -> list[tuple[str, str]]:
    """The roles the rules let the actor hand out (and the account's current role, to show it)."""
    roles = [
        r
        for r in Role
        if r is current or decide_user_change(actor, target_role=r, target_site_ids=actor.site_ids)
    ]
    return role_choices(roles)


def _assignable_sites(actor: Actor) -> list[tuple[str, str]]:
    return site_choices(visible_sites(actor=actor))


@require_safe
@staff_page
def user_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    users = visible_users(actor=actor)
    context = {
        "users": users,
        "may_create": may_ever(actor, Action.USER_MANAGE),
    }
    return page(request, "staff/user_list.html", context, actor=actor)


@GET_POST
@staff_page
def user_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    _refuse_unless(may_ever(actor, Action.USER_MANAGE), f"{actor.role.value} manages no accounts")
    form = AccountCreateForm(
        request.POST if request.method == "POST" else None,
        roles=_assignable_roles(actor),
        sites=_assignable_sites(actor),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = create_user(
                actor=actor,
                username=data["username"],
                role=data["role"],
                site_codes=data["sites"],
                password=data["password"] or None,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Account %(username)s added.") % {"username": user.username}
            )
            return redirect("staff:user", username=user.username)
    return page(request, "staff/user_new.html", {"form": form}, actor=actor)


_ACCOUNT_FIELDS = ("first_name", "last_name", "email", "role", "sites", "is_active")


@GET_POST
@staff_page
def user_detail(request: HttpRequest, actor: Actor, username: str) -> HttpResponse:
    account = user_by_username(actor=actor, username=username)
    account_sites = list(account.sites.all())
    initial = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "role": account.role,
        "sites": [s.code for s in account_sites],
        "is_active": account.is_active,
    }
    form = AccountEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        roles=_assignable_roles(actor, current=Role(account.role)),
        sites=_assignable_sites(actor),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # Only what the person changed: an unchanged field says nothing about intent.
        changes = {k: data[k] for k in form.changed_data if k in _ACCOUNT_FIELDS}
        try:
            # One form, one outcome: a refused password leaves the other changes unsaved too.
            with transaction.atomic():
                at = now()
                if changes:
                    update_user(actor=actor, username=account.username, changes=changes, at=at)
                if data["new_password"]:
                    set_password(
                        actor=actor, username=account.username, password=data["new_password"], at=at
                    )
        except OctavoError as exc:
            apply_error(form, exc, aliases={"password": "new_password"})
        else:
            messages.success(request, _("Account %(username)s saved.") % {"username": username})
            return redirect("staff:user", username=account.username)
    may_manage = decide_user_change(
        actor,
        target_role=Role(account.role),
        target_site_ids=frozenset(s.id for s in account_sites),
    )
    context = {
        "account": account,
        "account_sites": account_sites,
        "role_label": ROLE_LABELS[Role(account.role)],
        "form": form,
        "may_manage": bool(may_manage),
    }
    return page(request, "staff/user_detail.html", context, actor=actor)


# --- audit log --------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    # Dates are read in the district's time zone (settings.TIME_ZONE), like the times shown.
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


_PERIOD = re.compile(r"^([0-6]):(\d\d:\d\d-\d\d:\d\d)$")  # "0:08:00-15:00", Monday 8 to 3


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _shown(value: Any, field: str = "") -> str:
    """A before or after value of an audit entry, as a person reads it."""
    if _blank(value):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_shown(v, field) for v in value)
    text = str(value)
    if field == "role" and text in {r.value for r in Role}:
        return str(ROLE_LABELS[Role(text)])
    if period := _PERIOD.match(text):
        return f"{WEEKDAYS_ABBR[int(period[1])]} {period[2]}"
    return text


def _changes(changes: dict[str, Any]) -> tuple[bool, list[tuple[str, str, str]]]:
    """Whether the entry made something new, and its (field, before, after) rows to show.

    For something new every "before" is empty, so only the fields given a value are shown.
    """
    pairs = {k: v for k, v in changes.items() if isinstance(v, list) and len(v) == 2}
    created = bool(pairs) and all(before is None for before, _after in pairs.values())
    return created, [
        (labels.label(labels.FIELD_LABELS, name), _shown(before, name), _shown(after, name))
        for name, (before, after) in sorted(pairs.items())
        if not (created and _blank(after))
    ]


@require_safe
@staff_page
def audit_log(request: HttpRequest, actor: Actor) -> HttpResponse:
    everything = audit_entries(actor=actor)  # refuses actors who may not read the log
    site_codes = {s.id: s.code for s in visible_sites(actor=actor)}
    kinds = everything.order_by("object_type").values_list("object_type", flat=True).distinct()
    actions = everything.order_by("action").values_list("action", flat=True).distinct()
    form = AuditFilterForm(
        request.GET,
        object_types=[(k, labels.label(labels.OBJECT_LABELS, k)) for k in kinds],
        actions=[(a, labels.label(labels.ACTION_LABELS, a)) for a in actions],
        sites=list(site_codes.items()),
    )
    entries = everything.none()
    if form.is_valid():
        data = form.cleaned_data
        filters = AuditFilter(
            actor_username=data["actor"].strip(),
            object_type=data["object_type"],
            action=data["action"],
            site_id=data["site"],
            since=_day_start(data["since"]) if data["since"] else None,
            until=_day_start(data["until"] + timedelta(days=1)) if data["until"] else None,
        )
        entries = audit_entries(actor=actor, filters=filters)
    entries_page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "action": labels.label(labels.ACTION_LABELS, e.action),
            "object_type": labels.label(labels.OBJECT_LABELS, e.object_type),
            "source": labels.label(labels.SOURCE_LABELS, e.source),
            "site": site_codes.get(e.site_id, "") if e.site_id is not None else "",
            "created": created,
            "changes": changes,
        }
        for e in entries_page
        for created, changes in [_changes(e.changes)]
    ]
    context = {"form": form, "page_obj": entries_page, "rows": rows}
    return page(request, "staff/audit.html", context, actor=actor)
