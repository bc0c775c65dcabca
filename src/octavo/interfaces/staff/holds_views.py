"""Holds on the staff side (issue #4, "Holds"): place a hold from a record's page or a patron's
page, cancel or suspend one, the pull list of a site (copies to fetch from the shelves, in shelf
order, printable) and its hold shelf (ready holds and their last day; expire the overdue ones).

The holds and circulation services decide; these views parse, call and say what happened.
Hold slips are printed at check-in (desk_print_views).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.models import Record
from octavo.circulation.services import cancel_hold, expire_holds
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.holds.selectors import Stranded, hold_shelf, pull_list, queue_position
from octavo.holds.services import HoldRefused, place_hold, suspend_hold
from octavo.holds.states import HoldStatus
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import site_zone, when
from octavo.interfaces.staff.desk_views import desk_site, desk_sites, require_desk
from octavo.interfaces.staff.forms import apply_error
from octavo.interfaces.staff.holds_forms import PatronHoldForm, RecordHoldForm, SuspendForm
from octavo.interfaces.staff.labels import HOLD_LABELS, REASON_WORDS, error_text, label
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, NotFound, OctavoError

# The holds service's field names, as these forms call them.
_ERROR_FIELDS = {"patron_barcode": "patron", "item_barcode": "item", "pickup_site": "pickup"}


def pickup_choices(actor: Actor) -> list[tuple[str, str]]:
    """Staff place holds for pickup at the sites where they circulate (holds.place_hold)."""
    return [(s.code, f"{s.code} {s.name}") for s in desk_sites(actor)]


def refusal(form: RecordHoldForm | PatronHoldForm, error: OctavoError) -> None:
    """Each reason a hold is refused, in the desk's words, above the form."""
    if isinstance(error, HoldRefused):
        for block in error.blocks:
            words = REASON_WORDS.get(block.reason, block.reason.value)
            form.add_error(None, f"{words}: {capfirst(block.message)}")
    else:
        apply_error(form, error, aliases=_ERROR_FIELDS)


def placed(request: HttpRequest, hold: Hold) -> None:
    patron = hold.patron
    name = f"{patron.first_name} {patron.last_name}" if patron else ""
    messages.success(
        request,
        _("Hold placed for %(name)s on %(title)s: number %(place)s in the queue.")
        % {"name": name, "title": hold.record.title, "place": queue_position(hold)},
    )


# --- placing ---------------------------------------------------------------------------------


def _copies(record: Record) -> list[str]:
    return list(
        Item.objects.filter(record=record)
        .exclude(status="withdrawn")
        .order_by("barcode")
        .values_list("barcode", flat=True)
    )


def record_hold_context(
    request: HttpRequest, actor: Actor, record: Record, form: RecordHoldForm | None = None
) -> dict[str, Any]:
    """The record page's hold form, for roles that circulate somewhere."""
    sites = pickup_choices(actor) if may_ever(actor, Action.CIRCULATE) else []
    if not sites:
        return {"may_hold": False}
    if form is None:
        initial = {"pickup": desk_site(request, actor).code}
        form = RecordHoldForm(sites=sites, copies=_copies(record), initial=initial)
    return {"may_hold": True, "hold_form": form}


@require_POST
@staff_page
def record_hold(request: HttpRequest, actor: Actor, record_id: int) -> HttpResponse:
    require_desk(actor)
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"no record {record_id}", field="record")
    form = RecordHoldForm(request.POST, sites=pickup_choices(actor), copies=_copies(record))
    if form.is_valid():
        data = form.cleaned_data
        try:
            hold = place_hold(
                actor=actor,
                patron_barcode=data["patron"],
                record_id=record.pk,
                pickup_site_code=data["pickup"],
                at=now(),
                item_barcode=data["item"],
            )
        except OctavoError as error:
            refusal(form, error)
        else:
            placed(request, hold)
            return redirect("staff:record", record_id=record.pk)
    context = {"record": record, "catalog_section": True}
    context |= record_hold_context(request, actor, record, form)
    return page(request, "staff/hold_place.html", context, actor=actor)


def patron_hold_form(request: HttpRequest, actor: Actor) -> PatronHoldForm | None:
    """The patron page's hold form (None: the actor places no holds)."""
    sites = pickup_choices(actor) if may_ever(actor, Action.CIRCULATE) else []
    if not sites:
        return None
    return PatronHoldForm(sites=sites, initial={"pickup": desk_site(request, actor).code})


# --- cancelling and suspending ---------------------------------------------------------------


def _back(hold_patron_id: int | None) -> HttpResponse:
    if hold_patron_id is not None:
        return redirect("staff:patron", patron_id=hold_patron_id)
    return redirect("staff:holds_shelf")


def _patron_of(hold_id: int) -> int | None:
    """Whose hold this is, read before a cancel clears the link (the privacy rule)."""
    return Hold.objects.filter(pk=hold_id).values_list("patron_id", flat=True).first()


_WHERE_IT_GOES = {
    "shelf": _("Hold cancelled. Take its copy off the hold shelf: back to the shelves."),
    "transit": _("Hold cancelled. Take its copy off the hold shelf: it goes in transit."),
    "hold_shelf": _("Hold cancelled. Its copy stays on the hold shelf for the next patron."),
}


@require_POST
@staff_page
def hold_cancel(request: HttpRequest, actor: Actor, hold_id: int) -> HttpResponse:
    require_desk(actor)
    patron_id = _patron_of(hold_id)
    try:
        _hold, destination = cancel_hold(actor=actor, hold_id=hold_id, at=now())
    except InvalidInput as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, str(_WHERE_IT_GOES.get(destination, _("Hold cancelled."))))
    return _back(patron_id)


@require_POST
@staff_page
def hold_suspend(request: HttpRequest, actor: Actor, hold_id: int) -> HttpResponse:
    """Suspend a waiting hold until a date, or (resume) let it back into the queue now."""
    require_desk(actor)
    patron_id = _patron_of(hold_id)
    resume = bool(request.POST.get("resume"))
    form = SuspendForm(request.POST)
    if not resume and not form.is_valid():
        messages.error(request, _("Give the date until which the hold is suspended."))
        return _back(patron_id)
    until = None if resume else form.cleaned_data["until"]
    try:
        suspend_hold(actor=actor, hold_id=hold_id, until=until, at=now())
    except InvalidInput as error:
        messages.error(request, error_text(error))
    else:
        if until is None:
            messages.success(request, _("The hold is back in the queue."))
        else:
            day = formats.date_format(until, "DATE_FORMAT")
            messages.success(request, _("Hold suspended until %(day)s.") % {"day": day})
    return _back(patron_id)


def hold_rows(holds: list[Hold]) -> list[dict[str, Any]]:
    """A patron's holds as their page lists them: status, place in the queue, last day."""
    rows = []
    for hold in holds:
        waiting = hold.status == HoldStatus.WAITING.value
        zone = site_zone(hold.pickup_site)
        rows.append(
            {
                "hold": hold,
                "status": label(HOLD_LABELS, hold.status),
                "waiting": waiting,
                "place": queue_position(hold) if waiting else None,
                "until": when(hold.expires_at, zone) if hold.expires_at else "",
                "suspend_form": SuspendForm(auto_id=f"hold-{hold.pk}-%s"),
            }
        )
    return rows


# --- a site's pull list and hold shelf -------------------------------------------------------


def _site_asked(request: HttpRequest, actor: Actor) -> tuple[Site, list[Site]]:
    """The site the page is for: the one asked for (?site=), else the desk's."""
    sites = desk_sites(actor)
    code = (request.GET.get("site") or "").strip().upper()
    asked = next((s for s in sites if s.code == code), None)
    return asked or desk_site(request, actor), sites


@require_safe
@staff_page
def holds_pull(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site, sites = _site_asked(request, actor)
    zone = site_zone(site)
    at = now()
    today = timezone.localtime(at, zone).date()
    rows = [
        {
            "item": line.item,
            "hold": line.hold,
            "placed": formats.date_format(
                timezone.localtime(line.hold.placed_at, zone), "SHORT_DATE_FORMAT"
            ),
        }
        for line in pull_list(site, today=today)
    ]
    context = {
        "site": site,
        "sites": sites,
        "rows": rows,
        "printed": formats.date_format(timezone.localtime(at, zone), "DATETIME_FORMAT"),
    }
    return page(request, "staff/holds_pull.html", context, actor=actor)


@require_safe
@staff_page
def holds_shelf(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site, sites = _site_asked(request, actor)
    zone = site_zone(site)
    at = now()
    rows = [
        {
            "hold": hold,
            "patron": hold.patron,
            "until": when(hold.expires_at, zone) if hold.expires_at else "",
            "overdue": bool(hold.expires_at and hold.expires_at < at),
        }
        for hold in hold_shelf(site)
    ]
    context = {
        "site": site,
        "sites": sites,
        "rows": rows,
        "overdue_count": sum(1 for r in rows if r["overdue"]),
    }
    return page(request, "staff/holds_shelf.html", context, actor=actor)


@require_POST
@staff_page
def holds_expire(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What the nightly job does, now: holds past their last day on any hold shelf expire and
    their copies go to the next hold or home (circulation.services.expire_holds)."""
    require_desk(actor)
    count = expire_holds(at=now())
    messages.success(
        request,
        ngettext("%(count)s hold expired.", "%(count)s holds expired.", count) % {"count": count},
    )
    return redirect("staff:holds_shelf")


def stranded_text(stranded: Sequence[Stranded]) -> str:
    """The titles whose waiting holds no copy can fill any more, for the librarian to act on."""
    titles = "; ".join(f"{s.title} ({s.holds})" for s in stranded)
    return ngettext(
        "%(count)s title now has holds that no copy can fill: %(titles)s. Cancel those holds "
        "or order a copy.",
        "%(count)s titles now have holds that no copy can fill: %(titles)s. Cancel those "
        "holds or order a copy.",
        len(stranded),
    ) % {"count": len(stranded), "titles": titles}
