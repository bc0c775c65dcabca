"""Item care on the staff side (issue #8): an item's page for mending and damage, reached from
the item's edit page and from weeding lists. Send it to repair, take it back (to the shelf, or
to the hold waiting for its title), mark it damaged and, when staff choose to, charge the last
borrower (or the patron whose card is scanned); below, the item's history: every staff change
and every check-out and check-in, newest first, never naming a patron.

The services decide (octavo.circulation.care); this view parses, calls and says what happened.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from octavo.accounts.rules import Action, decide
from octavo.circulation import care
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import site_zone, when
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.interfaces.staff.labels import ACTION_LABELS, FIELD_LABELS, error_text, label
from octavo.interfaces.words import STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError

GET_POST = require_http_methods(["GET", "POST"])

CIRCULATION_LABELS: dict[str, Promise] = {
    "check_out": gettext_lazy("Checked out"),
    "check_in": gettext_lazy("Checked in"),
    "renew": gettext_lazy("Renewed"),
}


class RepairForm(StaffForm):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("What needs mending, such as “loose spine”."),
    )


class BackForm(StaffForm):
    condition = forms.CharField(
        label=gettext_lazy("Condition now (optional)"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Such as good or fair."),
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=500, required=False)


class DamageForm(StaffForm):
    note = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Such as “water damage” or “pages torn out”."),
    )
    repair = forms.BooleanField(label=gettext_lazy("Send it to repair now"), required=False)
    charge = forms.CharField(
        label=gettext_lazy("Charge (optional)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "Only if you choose to charge: at most the item's price. Blank: no charge."
        ),
    )
    patron_barcode = forms.CharField(
        label=gettext_lazy("Patron to charge (card barcode)"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Blank: the last borrower, when Octavo still knows who that is."),
    )


FORMS = {"repair": RepairForm, "back": BackForm, "damaged": DamageForm}


def _item(barcode: str) -> Item:
    item = (
        Item.objects.select_related("site", "record", "location")
        .filter(barcode=barcode.strip())
        .first()
    )
    if item is None:
        raise NotFound(f"no item with barcode {barcode!r}", field="item_barcode")
    return item


def _may_care_here(actor: Actor, item: Item) -> bool:
    return any(decide(actor, action, site_id=item.site_id) for action in care.CARE)


def _value(value: Any, field: str) -> str:
    if value is None or value == "":
        return "—"
    if field == "status":
        return shown(STATUS_LABELS, str(value))
    return str(value)


def _changes(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, before, after) to show; for something new (every "before" empty), only the
    fields given a value."""
    pairs = {k: v for k, v in changes.items() if isinstance(v, list) and len(v) == 2}
    created = all(before is None for before, _after in pairs.values())
    return [
        (label(FIELD_LABELS, name), _value(before, name), _value(after, name))
        for name, (before, after) in sorted(pairs.items())
        if not (created and after in (None, ""))
    ]


def _history(actor: Actor, item: Item) -> list[dict[str, Any]]:
    zone = site_zone(item.site)
    return [
        {
            "when": when(line.at, zone),
            "what": label(CIRCULATION_LABELS if line.circulation else ACTION_LABELS, line.action),
            "by": line.by,
            "changes": _changes(line.changes),
        }
        for line in care.item_history(actor=actor, item_barcode=item.barcode)
    ]


def _done(action: str, result: Any) -> str:
    if action == "repair":
        return _("Sent to repair: it is off the shelf until it is back.")
    if action == "back":
        if result.destination == "hold_shelf":
            return _("Back from repair. A hold is waiting for it: put it on the hold shelf.")
        if result.destination == "transit" and result.to_site is not None:
            return _("Back from repair. A hold is waiting for it at %(site)s: send it there.") % {
                "site": result.to_site.code
            }
        return _("Back from repair: it is on the shelf again.")
    words = [_("Marked damaged.")]
    if result.charged and result.patron is not None:
        words.append(
            _("%(amount)s charged to %(name)s.")
            % {
                "amount": result.charged,
                "name": f"{result.patron.first_name} {result.patron.last_name}",
            }
        )
    if result.item.status == ItemStatus.IN_REPAIR.value:
        words.append(_("Sent to repair."))
    return " ".join(words)


@GET_POST
@staff_page
def item_care(request: HttpRequest, actor: Actor, barcode: str) -> HttpResponse:
    item = _item(barcode)
    history = _history(actor, item)  # refuses roles that look after no items
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form_class = FORMS.get(action)
        if form_class is None:
            messages.error(request, _("Choose what to do with the item."))
            return redirect("staff:item_care", barcode=item.barcode)
        form = form_class(request.POST)
        bound[action] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "repair":
                    result: Any = care.send_to_repair(
                        actor=actor, item_barcode=item.barcode, note=data["note"], at=now()
                    )
                elif action == "back":
                    result = care.back_from_repair(
                        actor=actor,
                        item_barcode=item.barcode,
                        note=data["note"],
                        condition=data["condition"],
                        at=now(),
                    )
                else:
                    result = care.mark_damaged(
                        actor=actor,
                        item_barcode=item.barcode,
                        note=data["note"],
                        charge=data["charge"].strip() or None,
                        patron_barcode=data["patron_barcode"],
                        repair=data["repair"],
                        at=now(),
                    )
            except OctavoError as error:
                if error.field in form.fields:
                    apply_error(form, error)
                else:
                    messages.error(request, error_text(error))
                    return redirect("staff:item_care", barcode=item.barcode)
            else:
                messages.success(request, _done(action, result))
                return redirect("staff:item_care", barcode=item.barcode)
    borrower = care.last_borrower(actor=actor, item_barcode=item.barcode)
    context = {
        "catalog_section": True,
        "item": item,
        "record": item.record,
        "status": shown(STATUS_LABELS, item.status),
        "may_care": _may_care_here(actor, item),
        "may_charge": bool(decide(actor, Action.FINES_MANAGE, site_id=item.site_id)),
        "may_edit": bool(decide(actor, Action.CATALOG_EDIT, site_id=item.site_id)),
        "can_repair": item.status == ItemStatus.AVAILABLE.value,
        "can_return": item.status == ItemStatus.IN_REPAIR.value,
        "can_damage": item.status != ItemStatus.WITHDRAWN.value,
        "repair_form": bound.get("repair") or RepairForm(),
        "back_form": bound.get("back") or BackForm(),
        "damage_form": bound.get("damaged") or DamageForm(),
        "borrower": borrower,
        "history": history,
    }
    return page(request, "staff/item_care.html", context, actor=actor)
