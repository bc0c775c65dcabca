"""Staff patron pages: find a patron, open their record, take a payment, waive a charge.

Opening a record goes through patrons.services.patron_for_staff, which writes the audit log's
"viewed" entry (issue #4, "Privacy"). A student helper sees what the desk needs (name, card,
grade, loans, the balance) and nothing private: no contact details, guardians, notes or ledger
lines (MISSION.md, "People").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.circulation.merge import merge_patrons, merge_plan
from octavo.circulation.services import open_loans
from octavo.district.models import Site
from octavo.fines.selectors import balance, ledger, open_charges
from octavo.fines.services import pay, waive
from octavo.fines.states import OWED_SIGN, EntryKind
from octavo.holds.selectors import active_holds
from octavo.interfaces.staff import holds_views
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_forms import (
    PatronForm,
    PatronSearchForm,
    PaymentForm,
    WaiveForm,
)
from octavo.interfaces.staff.desk_views import desk_site, desk_sites
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.interfaces.staff.holds_forms import PatronHoldForm, RefundForm
from octavo.interfaces.staff.labels import (
    CHARGE_LABELS,
    ENTRY_LABELS,
    METHOD_LABELS,
    PATRON_STATUS_LABELS,
    label,
)
from octavo.patrons.models import Patron, PatronType
from octavo.patrons.selectors import find_patrons, visible_patrons
from octavo.patrons.services import (
    PatronFields,
    create_patron,
    patron_for_staff,
    update_patron,
)
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied


def _money(amount: Decimal) -> str:
    return formats.number_format(amount, 2)


def _require_patron_view(actor: Actor) -> None:
    if not may_ever(actor, Action.PATRON_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not view patrons")


# --- finding ---------------------------------------------------------------------------------


@require_safe
@staff_page
def patron_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_patron_view(actor)
    form = PatronSearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    patrons = find_patrons(text, actor=actor) if text else []
    # A scanned card or a typed student ID names one patron: open the record at once.
    if len(patrons) == 1 and text in (patrons[0].barcode, patrons[0].student_id):
        return redirect("staff:patron", patron_id=patrons[0].pk)
    rows = [{"patron": p, "status": label(PATRON_STATUS_LABELS, p.status)} for p in patrons]
    context = {
        "form": form,
        "searched": bool(text),
        "rows": rows,
        "may_add": may_ever(actor, Action.PATRON_EDIT),
    }
    return page(request, "staff/patron_list.html", context, actor=actor)


# --- a patron's record -----------------------------------------------------------------------


def _charge_choices(patron: Patron) -> list[tuple[str, str]]:
    return [
        (
            str(charge.pk),
            _("%(kind)s of %(date)s: %(left)s owed")
            % {
                "kind": label(CHARGE_LABELS, charge.charge_type),
                "date": formats.date_format(timezone.localtime(charge.at), "SHORT_DATE_FORMAT"),
                "left": _money(left),
            },
        )
        for charge, left in open_charges(patron.pk)
    ]


def _ledger_rows(patron: Patron) -> list[dict[str, Any]]:
    rows = []
    running = Decimal("0.00")
    for entry in ledger(patron.pk):
        sign = OWED_SIGN[EntryKind(entry.kind)]
        running += sign * entry.amount
        rows.append(
            {
                "entry": entry,
                "kind": label(ENTRY_LABELS, entry.kind),
                "what": label(CHARGE_LABELS, entry.charge_type) if entry.charge_type else "",
                "method": label(METHOD_LABELS, entry.method) if entry.method else "",
                "amount": _money(entry.amount),
                "credit": sign < 0,
                "running": _money(running),
            }
        )
    return rows


def _money_site(request: HttpRequest, actor: Actor) -> Site | None:
    """The site a payment or waiver is taken at: the desk's (None: the actor circulates at
    no site, so takes no payments)."""
    return desk_site(request, actor) if desk_sites(actor) else None


def _patron(actor: Actor, patron_id: int) -> Patron:
    """The patron, if the actor may see them (as patron_for_staff answers, without the audit
    entry: a form posted is not a record viewed)."""
    patron = visible_patrons(actor=actor).filter(pk=patron_id).first()
    if patron is not None:
        return patron
    if Patron.objects.filter(pk=patron_id).exists():
        raise PermissionDenied(f"patron {patron_id} is not at your sites", field="patron")
    raise NotFound(f"no patron {patron_id}", field="patron")


def _detail(
    request: HttpRequest,
    actor: Actor,
    patron_id: int,
    *,
    pay_form: PaymentForm | None = None,
    waive_form: WaiveForm | None = None,
    hold_form: PatronHoldForm | None = None,
    refund_form: RefundForm | None = None,
) -> HttpResponse:
    patron = patron_for_staff(actor=actor, patron_id=patron_id, at=now())  # audited
    site = _money_site(request, actor)
    private = bool(decide(actor, Action.PATRON_EDIT, site_id=patron.home_site_id))
    fines_detail = bool(decide(actor, Action.FINES_MANAGE, site_id=patron.home_site_id))
    may_pay = site is not None and bool(decide(actor, Action.CIRCULATE, site_id=site.id))
    may_waive = site is not None and bool(decide(actor, Action.FINES_MANAGE, site_id=site.id))
    charges = _charge_choices(patron) if fines_detail else []
    owed = balance(patron.pk)
    today = timezone.localtime(now()).date()
    context = {
        "patron": patron,
        "status_label": label(PATRON_STATUS_LABELS, patron.status),
        "card_expired": bool(patron.card_expires and patron.card_expires < today),
        "private": private,
        "may_edit": private,
        "guardians": list(patron.guardians.all()) if private else [],
        "loans": [{"loan": loan, "overdue": loan.due_at < now()} for loan in open_loans(patron)],
        "holds": holds_views.hold_rows(active_holds(patron.pk)),
        "hold_form": hold_form
        or (holds_views.patron_hold_form(request, actor) if may_pay else None),
        "owed": owed,
        "owed_text": _money(owed),
        "fines_detail": fines_detail,
        "ledger": _ledger_rows(patron) if fines_detail else [],
        "site": site,
        "may_pay": may_pay,
        "may_waive": may_waive,
        "may_circulate": may_pay,
        "pay_form": pay_form or PaymentForm(charges=charges, initial={"method": "cash"}),
        "waive_form": waive_form or WaiveForm(charges=charges),
        "has_charges": bool(charges),
        # A credit (owed below zero: a lost item paid for, then found) is handed back.
        "may_refund": bool(
            site is not None
            and decide(actor, Action.FINES_MANAGE, site_id=site.id)
            and (owed < 0 or refund_form is not None)
        ),
        "credit_text": _money(-owed),
        "refund_form": refund_form or RefundForm(initial={"method": "cash", "amount": -owed}),
    }
    return page(request, "staff/patron_detail.html", context, actor=actor)


@require_safe
@staff_page
def patron_detail(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    _require_patron_view(actor)
    return _detail(request, actor, patron_id)


def _charge_id(value: str) -> int | None:
    return int(value) if value else None


@require_POST
@staff_page
def patron_pay(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    _require_patron_view(actor)
    if not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} takes no payments")
    patron = _patron(actor, patron_id)
    fines_detail = bool(decide(actor, Action.FINES_MANAGE, site_id=patron.home_site_id))
    form = PaymentForm(request.POST, charges=_charge_choices(patron) if fines_detail else [])
    if form.is_valid():
        data = form.cleaned_data
        site = desk_site(request, actor)
        try:
            entries = pay(
                actor=actor,
                patron_id=patron.pk,
                amount=data["amount"],
                method=data["method"],
                site_code=site.code,
                at=now(),
                reference=data["reference"].strip(),
                charge_id=_charge_id(data["charge"]),
            )
        except OctavoError as error:
            apply_error(form, error)
        else:
            paid = sum((e.amount for e in entries), Decimal("0"))
            messages.success(
                request,
                _("Payment of %(amount)s taken. The balance is now %(balance)s.")
                % {"amount": _money(paid), "balance": _money(balance(patron.pk))},
            )
            return redirect("staff:patron", patron_id=patron.pk)
    return _detail(request, actor, patron.pk, pay_form=form)


@require_POST
@staff_page
def patron_waive(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    _require_patron_view(actor)
    if not may_ever(actor, Action.FINES_MANAGE):
        raise PermissionDenied(f"role {actor.role.value} may not waive charges")
    patron = _patron(actor, patron_id)
    form = WaiveForm(request.POST, charges=_charge_choices(patron))
    if form.is_valid():
        data = form.cleaned_data
        site = desk_site(request, actor)
        try:
            entries = waive(
                actor=actor,
                patron_id=patron.pk,
                amount=data["amount"],
                reason=data["reason"],
                site_code=site.code,
                at=now(),
                charge_id=_charge_id(data["charge"]),
            )
        except OctavoError as error:
            apply_error(form, error)
        else:
            waived = sum((e.amount for e in entries), Decimal("0"))
            messages.success(
                request,
                _("%(amount)s waived. The balance is now %(balance)s.")
                % {"amount": _money(waived), "balance": _money(balance(patron.pk))},
            )
            return redirect("staff:patron", patron_id=patron.pk)
    return _detail(request, actor, patron.pk, waive_form=form)


# --- adding and changing ---------------------------------------------------------------------

# The form's field names that the services call otherwise.
_ERROR_FIELDS = {"type": "patron_type"}


def _form_choices(actor: Actor, current: Patron | None = None) -> dict[str, Any]:
    """Patron types, and the sites where the actor may add patrons (and the patron's own)."""
    sites = Site.objects.filter(is_active=True).order_by("code")
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    site_rows = [s for s in sites if decide(actor, Action.PATRON_EDIT, site_id=s.id)]
    if current is not None and current.home_site not in site_rows:
        site_rows.append(current.home_site)
    return {
        "patron_types": [(t.code, t.name) for t in PatronType.objects.order_by("name")],
        "sites": [(s.code, f"{s.code} {s.name}") for s in site_rows],
    }


@require_http_methods(["GET", "POST"])
@staff_page
def patron_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not add patrons")
    choices = _form_choices(actor)
    initial = {"patron_type": "student", "language": "en"}
    if len(choices["sites"]) == 1:
        initial["site"] = choices["sites"][0][0]
    form = PatronForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        editing=False,
        **choices,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            patron = create_patron(
                actor=actor,
                fields=PatronFields(
                    barcode=data["barcode"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    patron_type=data["patron_type"],
                    site_code=data["site"],
                    email=data["email"],
                    phone=data["phone"],
                    grade=data["grade"],
                    homeroom=data["homeroom"],
                    student_id=data["student_id"],
                    card_expires=data["card_expires"],
                    language=data["language"],
                    notes=data["notes"],
                ),
                at=now(),
            )
        except OctavoError as error:
            apply_error(form, error, aliases=_ERROR_FIELDS)
        else:
            messages.success(
                request,
                _("Patron %(name)s added.") % {"name": f"{patron.first_name} {patron.last_name}"},
            )
            return redirect("staff:patron", patron_id=patron.pk)
    return page(request, "staff/patron_form.html", {"form": form, "patron": None}, actor=actor)


def _initial(patron: Patron) -> dict[str, Any]:
    return {
        "barcode": patron.barcode,
        "first_name": patron.first_name,
        "last_name": patron.last_name,
        "patron_type": patron.patron_type.code,
        "site": patron.home_site.code,
        "grade": patron.grade,
        "homeroom": patron.homeroom,
        "student_id": patron.student_id,
        "email": patron.email,
        "phone": patron.phone,
        "card_expires": patron.card_expires,
        "language": patron.language,
        "keeps_reading_history": patron.keeps_reading_history,
        "notes": patron.notes,
    }


@require_http_methods(["GET", "POST"])
@staff_page
def patron_edit(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not change patrons")
    patron = _patron(actor, patron_id)
    decision = decide(actor, Action.PATRON_EDIT, site_id=patron.home_site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    form = PatronForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(patron),
        editing=True,
        **_form_choices(actor, patron),
    )
    if form.is_bound and form.is_valid():
        # Only what the person changed: an unchanged field says nothing about intent.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                update_patron(actor=actor, patron_id=patron.pk, changes=changes, at=now())
        except OctavoError as error:
            apply_error(form, error, aliases=_ERROR_FIELDS)
        else:
            if changes:
                messages.success(request, _("Patron saved."))
            else:
                messages.info(request, _("Nothing to save: no field was changed."))
            return redirect("staff:patron", patron_id=patron.pk)
    return page(request, "staff/patron_form.html", {"form": form, "patron": patron}, actor=actor)


# --- merging a duplicate ---------------------------------------------------------------------


class MergeForm(StaffForm):
    duplicate = forms.CharField(
        label=_("The duplicate's card"),
        max_length=32,
        help_text=_("Scan or type the card of the other record for the same person."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


@require_http_methods(["GET", "POST"])
@staff_page
def patron_merge(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    """Fold a duplicate record into this one: the card asked for, what would move shown, then
    the merge (circulation.merge)."""
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not merge patrons")
    patron = _patron(actor, patron_id)
    data = request.POST if request.method == "POST" else request.GET
    form = MergeForm(data if "duplicate" in data else None)
    plan = None
    if form.is_bound and form.is_valid():
        card = form.cleaned_data["duplicate"]
        try:
            if request.method == "POST":
                merged = merge_patrons(
                    actor=actor, keep_ref=patron.pk, duplicate_barcode=card, at=now()
                )
                messages.success(
                    request,
                    _(
                        "%(card)s merged into this record: %(loans)s loans, %(holds)s holds, "
                        "%(guardians)s guardians and a balance of %(balance)s moved."
                    )
                    % {
                        "card": merged.duplicate.barcode,
                        "loans": merged.loans,
                        "holds": merged.holds,
                        "guardians": merged.guardians,
                        "balance": _money(merged.balance),
                    },
                )
                return redirect("staff:patron", patron_id=patron.pk)
            plan = merge_plan(actor=actor, keep_ref=patron.pk, duplicate_barcode=card)
        except OctavoError as error:  # an unknown card, the patron's own, one merged before
            form.add_error("duplicate", error.message)
    context = {
        "form": form,
        "patron": patron,
        "plan": plan,
        "balance": _money(plan.balance) if plan else "",
    }
    return page(request, "staff/patron_merge.html", context, actor=actor)
