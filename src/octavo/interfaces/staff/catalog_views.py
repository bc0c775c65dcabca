"""The staff catalog screens: search, a record's labelled display, the cataloging form, the MARC
editor, and adding and editing items.

Each view parses a form, calls one catalog or holdings service (or the search), and shows the
result. The services decide who may write where; the rules are asked here only to hide links
and to refuse, up front, a form page whose every use the service would refuse.
"""

from __future__ import annotations

from typing import Any

import pymarc
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.catalog.callnumbers import InvalidCallNumber, parse_call_number, shelf_key
from octavo.catalog.errors import PossibleDuplicate
from octavo.catalog.marc_text import to_text
from octavo.catalog.models import Record
from octavo.catalog.search import CANDIDATES, search
from octavo.catalog.services import create_record, update_record_fields, update_record_marc
from octavo.district.models import Location, Site
from octavo.district.selectors import visible_sites
from octavo.holdings.models import Item
from octavo.holdings.services import add_item_range, add_items, update_item
from octavo.holdings.states import ItemStatus
from octavo.holds.selectors import stranded_holds
from octavo.interfaces.facets import facet_groups, page_number
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.catalog_forms import (
    ItemAddForm,
    ItemForm,
    MarcForm,
    RecordCreateForm,
    RecordForm,
    SearchForm,
)
from octavo.interfaces.staff.forms import apply_error
from octavo.interfaces.staff.holds_views import record_hold_context, stranded_text
from octavo.interfaces.words import FORMAT_LABELS, LANGUAGE_LABELS, STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

SEARCH_PAGE_SIZE = 20
GET_POST = require_http_methods(["GET", "POST"])
# What "add and scan another" carries over to the next empty form (everything but the barcode).
_CARRIED_OVER = (
    "site",
    "location",
    "call_prefix",
    "call_class",
    "call_cutter",
    "call_volume",
    "price",
    "acquired_on",
    "condition",
    "status",
)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, actor: Actor
) -> HttpResponse:
    """A staff page under the Catalog link of the navigation."""
    return page(request, template, {"catalog_section": True, **context}, actor=actor)


def _require_cataloger(actor: Actor) -> None:
    """Refuse a form page the catalog services would refuse every use of."""
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not catalog")


def _record(record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"no record {record_id}", field="record")
    return record


def _marc(record: Record) -> pymarc.Record:
    return pymarc.Record(bytes(record.marc), force_utf8=True)


# --- search -----------------------------------------------------------------------------------


@require_safe
@staff_page
def catalog_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False, "rows": [], "facets": []}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = form.filters()
        # The search pages its own results; the paginator only counts pages. A page past the
        # last (an old link after a record was withdrawn) shows the last page.
        wanted = min(page_number(request.GET.get("page")), CANDIDATES // SEARCH_PAGE_SIZE)
        offset = (wanted - 1) * SEARCH_PAGE_SIZE
        result = search(data["q"], filters=filters, limit=SEARCH_PAGE_SIZE, offset=offset)
        paginator = Paginator(range(result.total), SEARCH_PAGE_SIZE)
        number = paginator.get_page(wanted).number
        if number != wanted:
            offset = (number - 1) * SEARCH_PAGE_SIZE
            result = search(data["q"], filters=filters, limit=SEARCH_PAGE_SIZE, offset=offset)
        rows = [
            {**row, "format_label": shown(FORMAT_LABELS, row["format"])} for row in result.results
        ]
        context |= {
            "searched": True,
            "total": result.total,
            "more": result.more,
            "page_obj": paginator.page(number),  # for the pager; the rows are `rows`
            "rows": rows,
            "facets": facet_groups(request.GET, filters, result.facets),
        }
    context["may_catalog"] = may_ever(actor, Action.CATALOG_EDIT)
    return _page(request, "staff/catalog_search.html", context, actor=actor)


# --- a record ---------------------------------------------------------------------------------


def _items_in_shelf_order(record: Record) -> list[Item]:
    """The record's items, site by site, each site's in the order they stand on the shelf."""
    items = Item.objects.filter(record=record).select_related("site", "location")
    return sorted(items, key=lambda i: (i.site.code, shelf_key(i.call_number), i.barcode))


@require_safe
@staff_page
def record_detail(request: HttpRequest, actor: Actor, record_id: int) -> HttpResponse:
    record = _record(record_id)
    may_catalog = may_ever(actor, Action.CATALOG_EDIT)
    items = [
        {
            "item": item,
            "status": shown(STATUS_LABELS, item.status),
            "available": item.status == ItemStatus.AVAILABLE,
            "may_edit": bool(decide(actor, Action.CATALOG_EDIT, site_id=item.site_id)),
        }
        for item in _items_in_shelf_order(record)
    ]
    context = {
        "record": record,
        "format_label": shown(FORMAT_LABELS, record.format),
        "language_label": shown(LANGUAGE_LABELS, record.language) if record.language else "",
        "items": items,
        "marc_text": to_text(_marc(record)),
        "may_catalog": may_catalog,
        "show_staff_note": may_catalog,
        **record_hold_context(request, actor, record),
    }
    return _page(request, "staff/catalog_record.html", context, actor=actor)


def _duplicates(record_ids: list[int]) -> list[Record]:
    return list(Record.objects.filter(id__in=record_ids).order_by("id"))


@GET_POST
@staff_page
def record_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_cataloger(actor)
    form = RecordCreateForm(request.POST if request.method == "POST" else None)
    duplicates: list[Record] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            record = create_record(
                actor=actor,
                fields=form.record_fields(language=data["language"] or "eng"),
                at=now(),
                confirm_duplicate=data["confirm_duplicate"],
            )
        except PossibleDuplicate as exc:
            duplicates = _duplicates(exc.record_ids)
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Record added: %(title)s.") % {"title": record.title})
            return redirect("staff:record", record_id=record.pk)
    context = {"form": form, "duplicates": duplicates}
    return _page(request, "staff/catalog_new.html", context, actor=actor)


def _language(record: Record) -> str:
    # The form does not change 008's language; it is passed only to pass the fields' check.
    code = record.language
    return code if len(code) == 3 and code.isalpha() else "eng"


@GET_POST
@staff_page
def record_edit(request: HttpRequest, actor: Actor, record_id: int) -> HttpResponse:
    _require_cataloger(actor)
    record = _record(record_id)
    form = RecordForm(
        request.POST if request.method == "POST" else None, initial=RecordForm.initial_from(record)
    )
    duplicates: list[Record] = []
    if form.is_bound and form.is_valid():
        try:
            update_record_fields(
                actor=actor,
                record_id=record.pk,
                fields=form.record_fields(language=_language(record)),
                at=now(),
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            )
        except PossibleDuplicate as exc:
            duplicates = _duplicates(exc.record_ids)
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Record saved."))
            return redirect("staff:record", record_id=record.pk)
    context = {"record": record, "form": form, "duplicates": duplicates}
    return _page(request, "staff/catalog_edit.html", context, actor=actor)


@GET_POST
@staff_page
def record_marc(request: HttpRequest, actor: Actor, record_id: int) -> HttpResponse:
    _require_cataloger(actor)
    record = _record(record_id)
    form = MarcForm(
        request.POST if request.method == "POST" else None,
        initial={"marc": to_text(_marc(record))},
    )
    if form.is_bound and form.is_valid():
        try:
            update_record_marc(
                actor=actor, record_id=record.pk, marc_text=form.cleaned_data["marc"], at=now()
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("MARC record saved."))
            return redirect("staff:record", record_id=record.pk)
    return _page(request, "staff/catalog_marc.html", {"record": record, "form": form}, actor=actor)


# --- items ------------------------------------------------------------------------------------


def _item_sites(actor: Actor, current: Site | None = None) -> list[Site]:
    """The sites the actor may put items at (and the item's present site, to show it)."""
    sites = [
        s
        for s in visible_sites(actor=actor)
        if s == current or decide(actor, Action.CATALOG_EDIT, site_id=s.id)
    ]
    return sites


def _item_locations(sites: list[Site], current: Location | None = None) -> list[Location]:
    """The active locations of these sites (and the item's present location, to show it)."""
    found = Location.objects.filter(site__in=sites, is_active=True).select_related("site")
    locations = list(found.order_by("site__code", "code"))
    if current is not None and current not in locations:
        locations.append(current)
    return locations


def _call_number_parts(call_number: str) -> dict[str, str]:
    """The record's usual call number split into an item's parts, to start the form with."""
    if not call_number.strip():
        return {}
    try:
        read = parse_call_number(call_number)
    except InvalidCallNumber:
        return {"call_class": call_number.strip()[:64]}
    return {
        "call_prefix": read.prefix,
        "call_class": read.classification,
        "call_cutter": read.cutter,
        "call_volume": read.volume,
    }


@GET_POST
@staff_page
def item_new(request: HttpRequest, actor: Actor, record_id: int) -> HttpResponse:
    _require_cataloger(actor)
    record = _record(record_id)
    sites = _item_sites(actor)
    carried = {k: v for k, v in request.GET.items() if k in _CARRIED_OVER}
    form = ItemAddForm(
        request.POST if request.method == "POST" else None,
        initial=carried or _call_number_parts(record.call_number),
        sites=sites,
        locations=_item_locations(sites),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["count"] > 1:
                items = add_item_range(
                    actor=actor,
                    record_id=record.pk,
                    first_barcode=data["barcode"],
                    count=data["count"],
                    fields=form.item_fields(),
                    at=now(),
                )
            else:
                items = add_items(
                    actor=actor,
                    record_id=record.pk,
                    barcodes=[data["barcode"]],
                    fields=form.item_fields(),
                    at=now(),
                )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            if len(items) == 1:
                added = _("Item %(barcode)s added.") % {"barcode": items[0].barcode}
            else:
                added = _("%(count)s items added: %(first)s to %(last)s.") % {
                    "count": len(items),
                    "first": items[0].barcode,
                    "last": items[-1].barcode,
                }
            messages.success(request, added)
            if "another" in request.POST:
                again = QueryDict(mutable=True)
                for key in _CARRIED_OVER:
                    again[key] = request.POST.get(key, "")
                target = reverse("staff:item_new", kwargs={"record_id": record.pk})
                return redirect(f"{target}?{again.urlencode()}")
            return redirect(f"{reverse('staff:record', kwargs={'record_id': record.pk})}#items")
    context = {"record": record, "form": form}
    return _page(request, "staff/item_new.html", context, actor=actor)


def _item(barcode: str) -> Item:
    item = (
        Item.objects.select_related("site", "location", "record")
        .filter(barcode=barcode.strip())
        .first()
    )
    if item is None:
        raise NotFound(f"no item with barcode {barcode!r}", field="barcode")
    return item


@GET_POST
@staff_page
def item_edit(request: HttpRequest, actor: Actor, barcode: str) -> HttpResponse:
    _require_cataloger(actor)
    item = _item(barcode)
    decision = decide(actor, Action.CATALOG_EDIT, site_id=item.site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    sites = _item_sites(actor, current=item.site)
    initial = {
        "site": item.site.code,
        "location": str(item.location_id) if item.location_id else "",
        "call_prefix": item.call_prefix,
        "call_class": item.call_class,
        "call_cutter": item.call_cutter,
        "call_volume": item.call_volume,
        "copy_number": item.copy_number,
        "price": item.price,
        "acquired_on": item.acquired_on,
        "condition": item.condition,
        "status": item.status,
        "public_note": item.public_note,
        "staff_note": item.staff_note,
    }
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        sites=sites,
        locations=_item_locations(sites, current=item.location),
    )
    if form.is_bound and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                update_item(actor=actor, barcode=item.barcode, changes=changes, at=now())
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            if changes:
                messages.success(request, _("Item %(barcode)s saved.") % {"barcode": item.barcode})
                if "status" in changes:  # the selector says which statuses fill no hold
                    stranded = stranded_holds([item.record_id])
                    if stranded:
                        messages.warning(request, stranded_text(stranded))
            else:
                messages.info(request, _("Nothing to save: no field was changed."))
            target = reverse("staff:record", kwargs={"record_id": item.record_id})
            return redirect(f"{target}#items")
    context = {"item": item, "record": item.record, "form": form}
    return _page(request, "staff/item_edit.html", context, actor=actor)
