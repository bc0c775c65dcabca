"""Actions on a patron's loans, holds and credit, from the desk's patron panel and the patron
page (issue #4, "The desk"): mark a loan lost (what it will charge shown first, then
confirmed), record that the patron claims to have returned it, place a hold for the patron,
refund a credit.

The circulation, holds and fines services decide; a page asks before anything is charged.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octavo.accounts.rules import Action, may_ever
from octavo.circulation.errors import Refused
from octavo.circulation.models import Loan
from octavo.circulation.selectors import lost_cost, open_loan_of
from octavo.circulation.services import claim_returned, mark_lost
from octavo.fines.selectors import balance
from octavo.fines.services import refund
from octavo.holdings.models import Item
from octavo.holds.services import place_hold
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import money
from octavo.interfaces.staff.desk_views import (
    MAX_LINES,
    SESSION_KEY,
    desk_site,
    desk_state,
    require_desk,
)
from octavo.interfaces.staff.forms import apply_error
from octavo.interfaces.staff.holds_forms import PatronHoldForm, RefundForm
from octavo.interfaces.staff.holds_views import pickup_choices, placed, refusal
from octavo.interfaces.staff.labels import error_text
from octavo.interfaces.staff.patron_views import _detail, _patron, _require_patron_view
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, NotFound, OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])


def _loan(actor: Actor, barcode: str) -> Loan:
    loan = open_loan_of(actor=actor, item_barcode=barcode)
    if loan is None:
        raise NotFound(f"{barcode} is not checked out", field="item")
    return loan


def _done(
    request: HttpRequest, patron_id: int | None, line: dict[str, Any], text: str
) -> HttpResponse:
    """Back to the patron page (with a message) or to the desk (with a line)."""
    if request.POST.get("back") == "patron" and patron_id is not None:
        messages.success(request, text)
        return redirect("staff:patron", patron_id=patron_id)
    state = desk_state(request)
    state["lines"] = [*state["lines"], line][-MAX_LINES:]
    state["sound"] = line["outcome"]
    request.session[SESSION_KEY] = state
    return redirect("staff:desk")


def _refused(request: HttpRequest, error: OctavoError, patron_id: int | None) -> HttpResponse:
    messages.error(request, error_text(error))
    if request.POST.get("back") == "patron" and patron_id is not None:
        return redirect("staff:patron", patron_id=patron_id)
    return redirect("staff:desk")


def _confirm(
    request: HttpRequest, actor: Actor, loan: Loan, kind: str, extra: dict[str, Any]
) -> HttpResponse:
    back = "patron" if request.GET.get("back") == "patron" else "desk"
    context = {"loan": loan, "kind": kind, "back": back, "patron": loan.patron, **extra}
    return page(request, "staff/loan_confirm.html", context, actor=actor)


@GET_POST
@staff_page
def desk_lost(request: HttpRequest, actor: Actor, barcode: str) -> HttpResponse:
    """Mark lost: the page says what will be charged (the item's price and the processing
    fee); the clerk confirms."""
    require_desk(actor)
    loan = _loan(actor, barcode)
    if request.method == "GET":
        cost = lost_cost(loan)
        extra = {
            "price": money(cost.price),
            "fee": money(cost.processing_fee),
            "total": money(cost.total),
        }
        return _confirm(request, actor, loan, "lost", extra)
    patron_id, item = loan.patron_id, loan.item
    site = desk_site(request, actor)
    try:
        result = mark_lost(actor=actor, item_barcode=item.barcode, at=now(), site_code=site.code)
    except (Refused, InvalidInput) as error:
        return _refused(request, error, patron_id)
    charged = money(result.charged)
    line = {
        "kind": "lost",
        "outcome": "attention",
        "item": item.barcode,
        "title": item.record.title,
        "charged": str(result.charged),
    }
    text = _("%(barcode)s marked lost: %(amount)s charged.") % {
        "barcode": item.barcode,
        "amount": charged,
    }
    return _done(request, patron_id, line, text)


@GET_POST
@staff_page
def desk_claim_returned(request: HttpRequest, actor: Actor, barcode: str) -> HttpResponse:
    """The patron says it came back: asked, then the loan ends with no fine, the item missing."""
    require_desk(actor)
    loan = _loan(actor, barcode)
    if request.method == "GET":
        return _confirm(request, actor, loan, "claimed", {})
    patron_id, item = loan.patron_id, loan.item
    site = desk_site(request, actor)
    try:
        claim_returned(actor=actor, item_barcode=item.barcode, at=now(), site_code=site.code)
    except (Refused, InvalidInput) as error:
        return _refused(request, error, patron_id)
    line = {
        "kind": "claimed",
        "outcome": "attention",
        "item": item.barcode,
        "title": item.record.title,
    }
    text = _("%(barcode)s: claims returned recorded; the item is missing until it is found.") % {
        "barcode": item.barcode
    }
    return _done(request, patron_id, line, text)


# --- on the patron page ----------------------------------------------------------------------


@require_POST
@staff_page
def patron_hold(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    """A hold for this patron on the title of the copy scanned (or on that copy only)."""
    _require_patron_view(actor)
    require_desk(actor)
    patron = _patron(actor, patron_id)
    form = PatronHoldForm(request.POST, sites=pickup_choices(actor))
    if form.is_valid():
        data = form.cleaned_data
        code = data["item"]
        record_id = Item.objects.filter(barcode=code).values_list("record_id", flat=True).first()
        try:
            if record_id is None:
                raise NotFound(f"no item with barcode {code!r}", field="item_barcode")
            hold = place_hold(
                actor=actor,
                patron_id=patron.pk,
                record_id=record_id,
                pickup_site_code=data["pickup"],
                at=now(),
                item_barcode=code if data["this_copy"] else "",
            )
        except OctavoError as error:
            refusal(form, error)
        else:
            placed(request, hold)
            return redirect("staff:patron", patron_id=patron.pk)
    return _detail(request, actor, patron.pk, hold_form=form)


@require_POST
@staff_page
def patron_refund(request: HttpRequest, actor: Actor, patron_id: int) -> HttpResponse:
    """Hand back a credit (a lost item paid for and found); the fines service checks the actor
    may refund at the desk's site."""
    _require_patron_view(actor)
    if not may_ever(actor, Action.FINES_MANAGE):
        raise PermissionDenied(f"role {actor.role.value} may not refund")
    patron = _patron(actor, patron_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        site = desk_site(request, actor)
        try:
            entry = refund(
                actor=actor,
                patron_id=patron.pk,
                amount=data["amount"],
                method=data["method"],
                site_code=site.code,
                at=now(),
                reference=data["reference"].strip(),
            )
        except OctavoError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Refund of %(amount)s given. The balance is now %(balance)s.")
                % {"amount": money(entry.amount), "balance": money(balance(patron.pk))},
            )
            return redirect("staff:patron", patron_id=patron.pk)
    return _detail(request, actor, patron.pk, refund_form=form)
