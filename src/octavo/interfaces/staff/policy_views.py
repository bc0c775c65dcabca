"""The staff screens for circulation policy (issue #4, "Policy"): the matrix, the "what
applies?" explainer, adding and changing rows, patron and material types, and a site's closed
days.

Who sees what: the matrix and the explainer are for everyone who works the desk or sets policy
(octavo.policy.selectors.may_view_policy); the services decide every change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.district.models import Site
from octavo.district.selectors import closed_days_at, site_by_code
from octavo.district.services import add_closed_days, remove_closed_days
from octavo.interfaces.staff import labels
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import apply_error, site_choices
from octavo.interfaces.staff.policy_forms import (
    ClosedDayRemoveForm,
    ClosedDaysForm,
    ExplainForm,
    MaterialTypeAddForm,
    PolicyRuleForm,
    PolicyValuesForm,
    TypeAddForm,
)
from octavo.policy.models import PolicyRule
from octavo.policy.selectors import (
    calendar_for,
    explain,
    fine_free,
    material_types,
    may_view_policy,
    patron_types,
    policy_rows,
)
from octavo.policy.services import (
    add_material_type,
    add_patron_type,
    create_rule,
    delete_rule,
    set_fine_free,
    update_rule,
)
from octavo.shared.actor import Actor
from octavo.shared.calendar import due_at
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _require_view(actor: Actor) -> None:
    if not may_view_policy(actor):
        raise PermissionDenied(f"role {actor.role.value} may not view the circulation policy")


def _type_choices(actor: Actor) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return (
        [(t.code, f"{t.code} ({t.name})") for t in patron_types(actor=actor)],
        [(t.code, f"{t.code} ({t.name})") for t in material_types(actor=actor)],
    )


def _may_edit(actor: Actor, rule: PolicyRule) -> bool:
    return bool(decide(actor, Action.POLICY_EDIT, site_id=rule.site_id))


def _is_default(rule: PolicyRule) -> bool:
    return rule.site_id is None and rule.patron_type_id is None and rule.material_type_id is None


# --- the matrix and the explainer -------------------------------------------------------------


def _explained(actor: Actor, form: ExplainForm) -> dict[str, Any] | None:
    """The winning row and what it means for a loan made now, or None with the form's error."""
    try:
        found = explain(
            actor=actor,
            site_code=form.cleaned_data["site"],
            patron_type_code=form.cleaned_data["patron_type"],
            material_type_code=form.cleaned_data["material_type"],
        )
    except OctavoError as exc:
        apply_error(form, exc)
        return None
    rules = found.rules
    calendar = calendar_for(found.site.id)
    due = due_at(start=now(), days=rules.loan_days, hours=rules.loan_hours, calendar=calendar)
    return {
        "found": found,
        "rules": rules,
        "due": due.astimezone(calendar.zone),
        "circulates": found.material_type is None or found.material_type.circulates,
    }


@require_safe
@staff_page
def policy_matrix(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = policy_rows(actor=actor)
    patron_choices, material_choices = _type_choices(actor)
    sites = list(Site.objects.filter(is_active=True))
    asked = "site" in request.GET
    form = ExplainForm(
        request.GET if asked else None,
        sites=site_choices(sites),
        patron_types=patron_choices,
        material_types=material_choices,
    )
    result = _explained(actor, form) if asked and form.is_valid() else None
    context = {
        "rows": [
            {"rule": r, "may_edit": _may_edit(actor, r), "is_default": _is_default(r)} for r in rows
        ],
        "form": form,
        "result": result,
        "asked": asked,
        "may_add": may_ever(actor, Action.POLICY_EDIT),
        "may_types": bool(decide(actor, Action.POLICY_EDIT)) and actor.is_district_admin,
        "fine_free": fine_free(),
    }
    if _is_htmx(request) and asked:
        return page(request, "staff/_policy_explain.html", context, actor=actor)
    return page(request, "staff/policy_matrix.html", context, actor=actor)


@require_POST
@staff_page
def policy_fine_free(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The district-wide fine-free switch (a district admin's)."""
    on = request.POST.get("fine_free") == "on"
    set_fine_free(actor=actor, fine_free=on, at=now())
    if on:
        messages.success(request, _("The district is fine-free: no overdue fines are charged."))
    else:
        messages.success(request, _("Overdue fines are charged again as each row says."))
    return redirect("staff:policy")


# --- adding, changing and deleting rows -------------------------------------------------------


def _editable_sites(actor: Actor) -> list[Site]:
    sites = Site.objects.all()
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [s for s in sites if decide(actor, Action.POLICY_EDIT, site_id=s.id)]


@GET_POST
@staff_page
def policy_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not may_ever(actor, Action.POLICY_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not change policy")
    patron_choices, material_choices = _type_choices(actor)
    defaults = PolicyRule()
    initial = {k: getattr(defaults, k) for k in PolicyValuesForm.VALUE_FIELDS}
    form = PolicyRuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        sites=site_choices(_editable_sites(actor)),
        patron_types=patron_choices,
        material_types=material_choices,
        any_site=actor.is_district_admin,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            create_rule(
                actor=actor,
                site=data["site"] or None,
                patron_type=data["patron_type"] or None,
                material_type=data["material_type"] or None,
                values=form.values(),
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc, aliases={"rule": None})
        else:
            messages.success(request, _("Policy row added."))
            return redirect("staff:policy")
    return page(request, "staff/policy_form.html", {"form": form, "rule": None}, actor=actor)


def _rule(actor: Actor, rule_id: int) -> PolicyRule:
    _require_view(actor)
    rule = (
        PolicyRule.objects.select_related("site", "patron_type", "material_type")
        .filter(pk=rule_id)
        .first()
    )
    if rule is None:
        raise NotFound(f"no policy row with id {rule_id}", field="rule")
    return rule


@GET_POST
@staff_page
def policy_edit(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = _rule(actor, rule_id)
    may_edit = _may_edit(actor, rule)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("not allowed to change this row")
    initial = {k: getattr(rule, k) for k in PolicyValuesForm.VALUE_FIELDS}
    form = PolicyValuesForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            update_rule(actor=actor, rule_id=rule.pk, changes=form.values(), at=now())
        except OctavoError as exc:
            apply_error(form, exc, aliases={"rule": None})
        else:
            messages.success(request, _("Policy row saved."))
            return redirect("staff:policy")
    context = {
        "form": form,
        "rule": rule,
        "may_edit": may_edit,
        "may_delete": may_edit and not _is_default(rule),
    }
    return page(request, "staff/policy_form.html", context, actor=actor)


@require_POST
@staff_page
def policy_delete(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = _rule(actor, rule_id)
    try:
        delete_rule(actor=actor, rule_id=rule.pk, at=now())
    except OctavoError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        messages.error(request, labels.error_text(exc))
        return redirect("staff:policy_edit", rule_id=rule.pk)
    messages.success(request, _("Policy row deleted."))
    return redirect("staff:policy")


# --- patron and material types ----------------------------------------------------------------


@GET_POST
@staff_page
def policy_types(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_view(actor)
    may_add = actor.is_district_admin and bool(decide(actor, Action.POLICY_EDIT))
    kind = request.POST.get("kind") if request.method == "POST" else None
    if kind is not None and not may_add:
        raise PermissionDenied("patron and material types are added by a district admin")
    patron_form = TypeAddForm(request.POST if kind == "patron" else None, prefix="patron")
    material_form = MaterialTypeAddForm(
        request.POST if kind == "material" else None, prefix="material"
    )
    for form, add in ((patron_form, "patron"), (material_form, "material")):
        if not (form.is_bound and form.is_valid()):
            continue
        data = form.cleaned_data
        try:
            if add == "patron":
                code = add_patron_type(
                    actor=actor, code=data["code"], name=data["name"], at=now()
                ).code
            else:
                code = add_material_type(
                    actor=actor,
                    code=data["code"],
                    name=data["name"],
                    circulates=data["circulates"],
                    at=now(),
                ).code
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Type %(code)s added.") % {"code": code})
            return redirect("staff:policy_types")
    context = {
        "patron_types": patron_types(actor=actor),
        "material_types": material_types(actor=actor),
        "patron_form": patron_form,
        "material_form": material_form,
        "may_add": may_add,
    }
    return page(request, "staff/policy_types.html", context, actor=actor)


# --- a site's closed days ---------------------------------------------------------------------


def _closed_context(
    actor: Actor, site: Site, form: ClosedDaysForm, added: int | None
) -> dict[str, Any]:
    return {
        "site": site,
        "form": form,
        "days": closed_days_at(actor=actor, site=site),
        "today": calendar_for(site.id).local_date(now()),  # past days are shown greyed
        "added": added,
        "may_edit": bool(decide(actor, Action.POLICY_EDIT, site_id=site.id)),
    }


@GET_POST
@staff_page
def site_closed_days(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    site = site_by_code(actor=actor, code=code)
    form = ClosedDaysForm(request.POST if request.method == "POST" else None)
    added: int | None = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            days = add_closed_days(
                actor=actor,
                site_code=site.code,
                first=data["first"],
                last=data["last"],
                reason=data["reason"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            added = len(days)
            if not _is_htmx(request):
                messages.success(
                    request,
                    ngettext("%(count)s closed day added.", "%(count)s closed days added.", added)
                    % {"count": added},
                )
                return redirect("staff:closed_days", code=site.code)
            form = ClosedDaysForm()
    context = _closed_context(actor, site, form, added)
    if _is_htmx(request):
        return page(request, "staff/_closed_days_panel.html", context, actor=actor)
    return page(request, "staff/site_closed_days.html", context, actor=actor)


@require_POST
@staff_page
def site_closed_days_remove(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    site = site_by_code(actor=actor, code=code)
    form = ClosedDayRemoveForm(request.POST)
    if form.is_valid():
        try:
            removed = remove_closed_days(
                actor=actor,
                site_code=site.code,
                first=form.cleaned_data["first"],
                last=form.cleaned_data["last"],
                at=now(),
            )
        except NotFound as exc:
            messages.error(request, labels.error_text(exc))
        else:
            messages.success(
                request,
                ngettext("%(count)s closed day removed.", "%(count)s closed days removed.", removed)
                % {"count": removed},
            )
    else:
        messages.error(request, _("Please give the day to open again."))
    return redirect("staff:closed_days", code=site.code)
