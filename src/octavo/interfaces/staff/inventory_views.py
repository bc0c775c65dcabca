"""Inventory on the staff side (issue #8): start one, scan the shelves with a keyboard-wedge
scanner (several people at once, each on their own device), upload a portable scanner's file,
watch the progress, read the report's five lists and act on them (check in on the spot, restore
a found item), finish.

The services decide (octavo.holdings.inventory and its selectors, octavo.circulation.inventory);
these views parse, call and say what happened. The scanning page is the desk's pattern: one
box that keeps the focus, each scan a POST answered, with htmx, by the panel alone (the desk's
script, static/staff/desk.js, puts the focus back and plays the outcome's sound). What each
device scanned lately lives in its own session, so people scanning at once see their own lines.
"""

from __future__ import annotations

import csv
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.circulation.inventory import check_in_on_shelf, finish, restore_found
from octavo.district.models import Site
from octavo.holdings import inventory_selectors as selectors
from octavo.holdings.inventory import ScanOutcome, scan_file, scan_one, start
from octavo.holdings.inventory import cancel as cancel_inventory
from octavo.holdings.inventory_rules import LineProblem, LineReason
from octavo.holdings.models import Inventory
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import site_zone, when
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.interfaces.staff.labels import error_text
from octavo.interfaces.words import STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])
SESSION_KEY = "octavo.inventory"
MAX_LINES = 40  # this device's latest scans on the scanning page
SHOWN = 300  # rows of each list on the report page; the CSV has them all
SHOWN_PROBLEMS = 200  # an upload's problem lines on the page

KIND_TITLES = {
    "missing": gettext_lazy("Missing: expected on the shelf, not scanned"),
    "misplaced": gettext_lazy("Misplaced: scanned here, belongs somewhere else"),
    "checked_out_on_shelf": gettext_lazy("Checked out, but on the shelf"),
    "found": gettext_lazy("Lost or missing, but found"),
    "unknown": gettext_lazy("Unknown barcodes: no item has them"),
}

LINE_WORDS = {
    LineReason.BLANK: gettext_lazy("Blank line"),
    LineReason.HEADING: gettext_lazy("A column heading, not a barcode"),
    LineReason.STRAY_CHARACTERS: gettext_lazy(
        "Not a barcode: it has characters a barcode never has"
    ),
    LineReason.TOO_LONG: gettext_lazy("Too long for a barcode: two scans run together?"),
    LineReason.CHECK_DIGIT: gettext_lazy("Wrong check digit: a misread, scan it again"),
    LineReason.UNKNOWN: gettext_lazy("No item has this barcode: recorded, listed as unknown"),
}


# --- forms -----------------------------------------------------------------------------------


class StartForm(StaffForm):
    site = forms.ChoiceField(label=gettext_lazy("Site"))
    location = forms.CharField(
        label=gettext_lazy("Location (optional)"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("A location code, such as FIC. Blank: every location."),
    )
    range_first = forms.CharField(
        label=gettext_lazy("From call number (optional)"), max_length=100, required=False
    )
    range_last = forms.CharField(
        label=gettext_lazy("To call number (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Both ends are included, and everything shelved under the last one: 500 to 599 "
            "includes 599.75 SMI. Blank: the whole collection."
        ),
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.code, f"{s.code} {s.name}") for s in sites]
        cast(forms.ChoiceField, self.fields["site"]).choices = choices

    def call_range(self) -> str:
        first = self.cleaned_data["range_first"].strip()
        last = self.cleaned_data["range_last"].strip()
        return f"{first} - {last}" if first or last else ""


class UploadForm(StaffForm):
    scans = forms.FileField(
        label=gettext_lazy("Scanner file"),
        help_text=gettext_lazy(
            "A text or CSV file with one barcode a line, as a portable scanner saves it. "
            "Sending the same file again changes nothing."
        ),
    )
    device = forms.CharField(
        label=gettext_lazy("Scanner name (optional)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Shown with its counts on the inventory page."),
    )


class DeviceForm(StaffForm):
    device = forms.CharField(
        label=gettext_lazy("This device's name (optional)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "Such as “cart 2”: the inventory page shows how many each device scanned."
        ),
    )


# --- the list and starting --------------------------------------------------------------------


def _start_sites(actor: Actor) -> list[Site]:
    sites = Site.objects.filter(is_active=True).order_by("code")
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [s for s in sites if decide(actor, Action.CATALOG_EDIT, site_id=s.id)]


def _require_inventory(actor: Actor) -> None:
    if not (may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.CIRCULATE)):
        raise PermissionDenied(f"role {actor.role.value} takes no part in inventories")


@GET_POST
@staff_page
def inventory_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_inventory(actor)
    sites = _start_sites(actor)
    form = StartForm(request.POST or None, sites=sites) if sites else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("no site where this account may start an inventory")
        if form.is_valid():
            try:
                started = start(
                    actor=actor,
                    site_code=form.cleaned_data["site"],
                    location_code=form.cleaned_data["location"],
                    call_range=form.call_range(),
                    at=now(),
                )
            except OctavoError as error:
                apply_error(form, error, aliases={"range": "range_first", "inventory": None})
            else:
                messages.success(
                    request,
                    _("Inventory of %(scope)s started. Scan the shelves, or upload a file.")
                    % {"scope": selectors.scope_text(started)},
                )
                return redirect("staff:inventory", inventory_id=started.pk)
    rows = [
        {"inventory": i, "scope": selectors.scope_text(i), "started": _when(i, i.started_at)}
        for i in selectors.inventories(actor=actor)
    ]
    return page(request, "staff/inventory_list.html", {"form": form, "rows": rows}, actor=actor)


def _when(inventory: Inventory, moment: Any) -> str:
    return when(moment, site_zone(inventory.site)) if moment else ""


# --- one inventory: progress ----------------------------------------------------------------


@require_safe
@staff_page
def inventory_detail(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id)
    counted = selectors.progress(actor=actor, inventory_id=inventory_id)
    sources = [
        {**row, "last": _when(inventory, row["last"])}
        for row in selectors.scans_by_source(inventory_id)
    ]
    context = {
        "inventory": inventory,
        "scope": selectors.scope_text(inventory),
        "progress": counted,
        "started": _when(inventory, inventory.started_at),
        "finished": _when(inventory, inventory.finished_at),
        "sources": sources,
        "may_manage": selectors.may_manage(actor, inventory),
        "is_open": inventory.status == Inventory.Status.OPEN,
        "is_cancelled": inventory.status == Inventory.Status.CANCELLED,
    }
    return page(request, "staff/inventory_detail.html", context, actor=actor)


# --- the scanning page -----------------------------------------------------------------------


def _state(request: HttpRequest, inventory_id: int) -> dict[str, Any]:
    kept = request.session.get(SESSION_KEY)
    state = kept if isinstance(kept, dict) else {}
    mine = state.get(str(inventory_id))
    if not isinstance(mine, dict):
        mine = {}
    mine.setdefault("lines", [])
    mine.setdefault("sound", "")
    mine.setdefault("device", str(state.get("device", "")))
    return mine


def _save(request: HttpRequest, inventory_id: int, mine: dict[str, Any]) -> None:
    kept = request.session.get(SESSION_KEY)
    state = kept if isinstance(kept, dict) else {}
    # Only the latest inventories' lines are kept; the device's name carries over.
    state = {k: v for k, v in state.items() if k != "device"}
    state[str(inventory_id)] = mine
    state = dict(list(state.items())[-3:])
    state["device"] = mine["device"]
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _line(outcome: ScanOutcome, inventory: Inventory, moment: str) -> dict[str, Any]:
    """What the scanning page says about one scan: an outcome (ok, attention, block: never
    the colour alone), the barcode and title, and what to do."""
    line: dict[str, Any] = {"barcode": outcome.text, "title": "", "details": [], "at": moment}
    if outcome.problem is not None:
        return {**line, "outcome": "block", "headline": str(LINE_WORDS[outcome.problem.reason])}
    seen = outcome.seen
    found = selectors.item_lines([outcome.text]) if seen and seen.known else []
    item = found[0] if found else None
    if item is not None:
        line["title"] = item.title
        line["details"].append(item.call_number)
    kinds = seen.kinds if seen else ()
    notes = []
    if "unknown" in kinds:
        notes.append(_("Unknown barcode: no item has it. Put it aside for the librarian."))
    if "misplaced" in kinds and item is not None:
        if item.site_code != inventory.site.code:
            notes.append(
                _("Belongs to %(site)s: take it off this shelf.") % {"site": item.site_code}
            )
        elif item.location_code != (inventory.location.code if inventory.location else ""):
            notes.append(
                _("Belongs in location %(location)s: take it off this shelf.")
                % {"location": item.location_code or "—"}
            )
        else:
            notes.append(_("Outside this inventory's call numbers: shelve it where it goes."))
    if "checked_out_on_shelf" in kinds:
        notes.append(_("Checked out, yet on the shelf: check it in from the report."))
    if "found" in kinds and item is not None:
        notes.append(
            _("Marked %(status)s, and found: restore it from the report.")
            % {"status": shown(STATUS_LABELS, item.status).lower()}
        )
    if not notes and item is not None and item.status != selectors.EXPECTED:
        notes.append(
            _("On the shelf, though its status is %(status)s.")
            % {"status": shown(STATUS_LABELS, item.status).lower()}
        )
    if outcome.repeated:
        line["details"].append(_("Already scanned in this inventory: counted once."))
    if notes:
        return {**line, "outcome": "attention", "headline": " ".join(notes)}
    return {**line, "outcome": "ok", "headline": _("On the shelf.")}


def _scan_context(
    request: HttpRequest, actor: Actor, inventory: Inventory, mine: dict[str, Any]
) -> dict[str, Any]:
    sound = mine["sound"]
    mine["sound"] = ""
    return {
        "inventory": inventory,
        "scope": selectors.scope_text(inventory),
        "lines": list(reversed(mine["lines"])),
        "scanned": selectors.scanned_count(inventory.pk),
        "device_form": DeviceForm(initial={"device": mine["device"]}),
        "device": mine["device"],
        "sound_url": reverse("staff:desk_sound", kwargs={"name": sound}) if sound else "",
    }


@GET_POST
@staff_page
def inventory_scan(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id)
    mine = _state(request, inventory_id)
    if request.method == "POST":
        if "device" in request.POST:
            form = DeviceForm(request.POST)
            if form.is_valid():
                mine["device"] = " ".join(form.cleaned_data["device"].split())
        else:
            text = request.POST.get("barcode", "")[:200]
            source = (
                f"{_('scanning page')}: {mine['device']}" if mine["device"] else _("scanning page")
            )
            try:
                outcome = scan_one(
                    actor=actor, inventory_id=inventory_id, text=text, source=source, at=now()
                )
            except OctavoError as error:
                line = {"barcode": text.strip()[:64], "title": "", "details": []}
                line.update(outcome="block", headline=error_text(error))
            else:
                if outcome.problem is not None and outcome.problem.reason is LineReason.BLANK:
                    line = {}
                else:
                    moment = timezone.localtime(now(), site_zone(inventory.site))
                    line = _line(outcome, inventory, f"{moment:%H:%M:%S}")
            if line:
                mine["lines"] = [*mine["lines"], line][-MAX_LINES:]
                mine["sound"] = line["outcome"]
        _save(request, inventory_id, mine)
        if getattr(request, "htmx", False):
            context = _scan_context(request, actor, inventory, mine)
            _save(request, inventory_id, mine)
            return page(request, "staff/inventory_scan_panel.html", context, actor=actor)
        return redirect("staff:inventory_scan", inventory_id=inventory_id)
    context = _scan_context(request, actor, inventory, mine)
    _save(request, inventory_id, mine)
    return page(request, "staff/inventory_scan.html", context, actor=actor)


# --- uploading a scanner's file ------------------------------------------------------------------


def _problem_row(problem: LineProblem) -> dict[str, Any]:
    return {
        "line": problem.line,
        "text": problem.text,
        "words": LINE_WORDS[problem.reason],
        "recorded": problem.recorded,
    }


@GET_POST
@staff_page
def inventory_upload(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"inventory": inventory, "scope": selectors.scope_text(inventory)}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["scans"]
        name = form.cleaned_data["device"].strip() or upload.name
        try:
            with upload.open("rb") as stream:
                report = scan_file(
                    actor=actor, inventory_id=inventory_id, stream=stream, source=name, at=now()
                )
        except OctavoError as error:
            apply_error(form, error, aliases={"inventory": None})
        else:
            context.update(
                report=report,
                name=name,
                problems=[_problem_row(p) for p in report.problems[:SHOWN_PROBLEMS]],
                more_problems=report.skipped
                + report.unknown
                - min(len(report.problems), SHOWN_PROBLEMS),
            )
            form = UploadForm()
    context["form"] = form
    return page(request, "staff/inventory_upload.html", context, actor=actor)


# --- the report --------------------------------------------------------------------------------


def _report_rows(kind: str, barcodes: tuple[str, ...], inventory: Inventory) -> list[Any]:
    if kind == "unknown":
        return [{"barcode": b} for b in barcodes]
    zone = site_zone(inventory.site)
    return [
        {
            "item": line,
            "status": shown(STATUS_LABELS, line.status),
            "last_seen": when(line.last_seen_at, zone) if line.last_seen_at else "",
        }
        for line in selectors.item_lines(barcodes)
    ]


@require_safe
@staff_page
def inventory_report(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id, manage=True)
    found = selectors.reconcile(actor=actor, inventory_id=inventory_id)
    is_open = inventory.status == Inventory.Status.OPEN
    sections = []
    for kind in selectors.KINDS:
        barcodes: tuple[str, ...] = getattr(found, kind)
        sections.append(
            {
                "kind": kind,
                "title": KIND_TITLES[kind],
                "count": len(barcodes),
                "rows": _report_rows(kind, barcodes[:SHOWN], inventory),
                "more": max(0, len(barcodes) - SHOWN),
                "action": {"checked_out_on_shelf": "checkin", "found": "restore"}.get(kind, "")
                if is_open
                else "",
            }
        )
    context = {
        "inventory": inventory,
        "scope": selectors.scope_text(inventory),
        "sections": sections,
        "progress": selectors.progress(actor=actor, inventory_id=inventory_id),
        "is_open": is_open,
        "finished": _when(inventory, inventory.finished_at),
        "shown": SHOWN,
    }
    return page(request, "staff/inventory_report.html", context, actor=actor)


@require_safe
@staff_page
def inventory_report_csv(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    """Every line of the five lists, for a spreadsheet: the list, the item, where it belongs."""
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id, manage=True)
    found = selectors.reconcile(actor=actor, inventory_id=inventory_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inventory-{inventory.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["list", "barcode", "title", "call_number", "site", "location", "status", "last_seen"]
    )
    zone = site_zone(inventory.site)
    for kind in selectors.KINDS:
        barcodes = getattr(found, kind)
        if kind == "unknown":
            writer.writerows([kind, b, "", "", "", "", "", ""] for b in barcodes)
            continue
        for line in selectors.item_lines(barcodes):
            seen_at = timezone.localtime(line.last_seen_at, zone) if line.last_seen_at else None
            writer.writerow(
                [
                    kind,
                    line.barcode,
                    line.title,
                    line.call_number,
                    line.site_code,
                    line.location_code,
                    line.status,
                    f"{seen_at:%Y-%m-%d %H:%M}" if seen_at else "",
                ]
            )
    return response


@require_POST
@staff_page
def inventory_resolve(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    """Check in on the spot (a checked-out item on the shelf) or restore a found one: the desk's
    check-in at the inventory's site (octavo.circulation.inventory)."""
    barcode = request.POST.get("barcode", "").strip()[:64]
    action = request.POST.get("action", "")
    service = {"checkin": check_in_on_shelf, "restore": restore_found}.get(action)
    anchor = {"checkin": "checked_out_on_shelf", "restore": "found"}.get(action, "")
    if service is None:
        messages.error(request, _("Choose what to do with the item."))
    else:
        try:
            result = service(actor=actor, inventory_id=inventory_id, barcode=barcode, at=now())
        except OctavoError as error:
            if isinstance(error, PermissionDenied):
                raise
            messages.error(request, error_text(error))
        else:
            words = [_("%(barcode)s checked in.") % {"barcode": barcode}]
            if result.was_checked_out:
                words.append(_("Its loan has ended."))
            if result.credited:
                words.append(
                    _("The lost charge is credited back: %(amount)s.") % {"amount": result.credited}
                )
            if result.destination == "transit" and result.to_site is not None:
                words.append(
                    _("Send it to %(site)s: it is in transit.") % {"site": result.to_site.code}
                )
            elif result.destination == "hold_shelf":
                words.append(_("A hold is waiting for it: put it on the hold shelf."))
            messages.success(request, " ".join(words))
    url = reverse("staff:inventory_report", kwargs={"inventory_id": inventory_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- finishing -------------------------------------------------------------------------------


@GET_POST
@staff_page
def inventory_finish(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    inventory = selectors.get_inventory(actor=actor, inventory_id=inventory_id, manage=True)
    if inventory.status != Inventory.Status.OPEN:
        return redirect("staff:inventory_report", inventory_id=inventory_id)
    if request.method == "POST":
        try:
            done = finish(actor=actor, inventory_id=inventory_id, at=now())
        except OctavoError as error:
            if isinstance(error, PermissionDenied):
                raise
            messages.error(request, error_text(error))
            return redirect("staff:inventory", inventory_id=inventory_id)
        messages.success(
            request,
            ngettext(
                "Inventory finished: %(count)s item marked missing.",
                "Inventory finished: %(count)s items marked missing.",
                done.missing_count,
            )
            % {"count": done.missing_count},
        )
        return redirect("staff:inventory_report", inventory_id=inventory_id)
    found = selectors.reconcile(actor=actor, inventory_id=inventory_id)
    context = {
        "inventory": inventory,
        "scope": selectors.scope_text(inventory),
        "counts": found.counts(),
        "progress": selectors.progress(actor=actor, inventory_id=inventory_id),
    }
    return page(request, "staff/inventory_finish.html", context, actor=actor)


@require_POST
@staff_page
def inventory_cancel(request: HttpRequest, actor: Actor, inventory_id: int) -> HttpResponse:
    """End the inventory without marking anything (holdings.inventory.cancel)."""
    try:
        done = cancel_inventory(actor=actor, inventory_id=inventory_id, at=now())
    except OctavoError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Inventory %(number)s cancelled: no item was marked missing.") % {"number": done.pk},
        )
    return redirect("staff:inventory", inventory_id=inventory_id)
