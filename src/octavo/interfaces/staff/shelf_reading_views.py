"""Shelf reading on the staff side (issue #8): choose the site (and location), then scan the books
along the shelf in the order they stand, with a keyboard-wedge scanner, or paste what a portable
scanner saved. After each scan the page lists the shelf as scanned: each book out of call-number
order, with where it belongs (after this book, before that one), and each book that does not
belong on these shelves at all. Nothing is written; the scans of this device are kept in its
session until it starts over.

The order is checked by octavo.holdings.shelf_reading (and its pure rule in weeding_rules); this
view keeps the scans and shows the answer. The scanning box is the desk's pattern: htmx answers
each scan with the panel alone, and static/staff/desk.js puts the focus back and plays the sound.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from octavo.accounts.rules import Action, decide, may_ever
from octavo.district.models import Site
from octavo.holdings.shelf_reading import (
    MAX_SCANS,
    Problem,
    ShelfBook,
    ShelfReading,
    read_scans,
    shelf_site,
)
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.interfaces.words import STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.errors import OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])
SESSION_KEY = "octavo.shelf_reading"

PROBLEM_WORDS: dict[Problem, Promise] = {
    Problem.UNKNOWN: gettext_lazy("No item has this barcode: put it aside for the librarian."),
    Problem.REPEATED: gettext_lazy("Scanned already: counted once."),
    Problem.OTHER_SITE: gettext_lazy("Belongs to %(site)s: take it off this shelf."),
    Problem.OTHER_LOCATION: gettext_lazy(
        "Belongs in location %(location)s: take it off this shelf."
    ),
    Problem.WITHDRAWN: gettext_lazy("Withdrawn: take it off the shelf."),
    Problem.NO_CALL_NUMBER: gettext_lazy(
        "It has no call number: give it one (edit the item) before shelving it."
    ),
}


class StartForm(StaffForm):
    site = forms.ChoiceField(label=gettext_lazy("Site"))
    location = forms.CharField(
        label=gettext_lazy("Location (optional)"),
        max_length=16,
        required=False,
        help_text=gettext_lazy(
            "A location code, such as FIC: books of other locations are named. Blank: any."
        ),
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.code, f"{s.code} {s.name}") for s in sites]
        cast(forms.ChoiceField, self.fields["site"]).choices = choices


class PasteForm(StaffForm):
    scans = forms.CharField(
        label=gettext_lazy("Or paste the barcodes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One barcode a line, in the order the books stand, as a portable scanner saves them."
        ),
    )


def _sites(actor: Actor) -> list[Site]:
    sites = Site.objects.filter(is_active=True).order_by("code")
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [
        s
        for s in sites
        if decide(actor, Action.CATALOG_EDIT, site_id=s.id)
        or decide(actor, Action.CIRCULATE, site_id=s.id)
    ]


def _state(request: HttpRequest) -> dict[str, Any]:
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("scans"), list):
        return {}
    return kept


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _neighbour(reading: ShelfReading, position: int | None) -> dict[str, Any] | None:
    book = reading.at(position)
    if book is None or book.item is None:
        return None
    return {"position": book.position, "call_number": book.item.call_number}


def _book(book: ShelfBook, reading: ShelfReading) -> dict[str, Any]:
    """One scan as the page shows it: an outcome (ok, attention, block: never the colour
    alone) and what to do."""
    row: dict[str, Any] = {
        "position": book.position,
        "barcode": book.text,
        "title": book.item.title if book.item else "",
        "call_number": book.item.call_number if book.item else "",
        "status": shown(STATUS_LABELS, book.item.status) if book.item else "",
        "misplaced": book.misplaced,
        "after": _neighbour(reading, book.after),
        "before": _neighbour(reading, book.before),
    }
    if book.problem is Problem.NOT_READ:
        return {**row, "outcome": "block", "words": book.detail}
    if book.problem is not None:
        words = str(PROBLEM_WORDS[book.problem])
        if book.item is not None:
            words = words % {
                "site": book.item.site_code,
                "location": book.item.location_code or "—",
            }
        outcome = "attention" if book.problem is Problem.REPEATED else "block"
        return {**row, "outcome": outcome, "words": words}
    if book.misplaced:
        return {**row, "outcome": "attention", "words": _("Out of order.")}
    words = _("Nothing to do.")
    if book.item is not None and book.item.status != "available":
        words += " " + _("On the shelf, though its status is %(status)s.") % {
            "status": row["status"].lower()
        }
    return {**row, "outcome": "ok", "words": words}


def _panel(request: HttpRequest, actor: Actor, state: dict[str, Any]) -> dict[str, Any]:
    reading = read_scans(
        actor=actor,
        site_code=state["site"],
        location_code=state.get("location", ""),
        scans=state["scans"],
    )
    books = [_book(book, reading) for book in reading.books]
    latest = books[-1] if books else None
    return {
        "state": state,
        "reading": reading,
        "books": books,
        "latest": latest,
        "misplaced": [b for b in books if b["misplaced"]],
        "problems": [b for b in books if b["outcome"] == "block"],
        "max_scans": MAX_SCANS,
        "paste_form": PasteForm(),
        "sound_url": "",
    }


@GET_POST
@staff_page
def shelf_reading(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not (may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.CIRCULATE)):
        raise PermissionDenied(f"role {actor.role.value} does not read shelves")
    state = _state(request)
    if request.method == "POST":
        action = request.POST.get("action", "scan")
        if action == "start" or not state:
            return _start(request, actor)
        if action == "change":
            request.session.pop(SESSION_KEY, None)
            return redirect("staff:shelf_reading")
        error = ""
        if action == "restart":
            state["scans"] = []
        elif action == "undo":
            state["scans"] = state["scans"][:-1]
        elif action == "paste":
            form = PasteForm(request.POST)
            lines = form.data.get("scans", "").splitlines() if form.is_valid() else []
            state["scans"] = [*state["scans"], *[t[:200] for t in lines if t.strip()]]
        else:
            text = request.POST.get("barcode", "")[:200]
            if text.strip():
                state["scans"] = [*state["scans"], text]
        if len(state["scans"]) > MAX_SCANS:
            state["scans"] = state["scans"][:MAX_SCANS]
            error = _(
                "At most %(count)s scans in one shelf read: start over for the next shelves."
            ) % {"count": MAX_SCANS}
        try:
            context = _panel(request, actor, state)
        except OctavoError as problem:
            if isinstance(problem, PermissionDenied):
                raise
            request.session.pop(SESSION_KEY, None)
            return redirect("staff:shelf_reading")
        latest = context["latest"]
        if action == "scan" and latest is not None:
            context["sound_url"] = reverse("staff:desk_sound", kwargs={"name": latest["outcome"]})
        _save(request, state)
        if getattr(request, "htmx", False):
            context["error"] = error
            return page(request, "staff/shelf_reading_panel.html", context, actor=actor)
        if error:
            messages.error(request, error)
        return redirect("staff:shelf_reading")
    if not state:
        sites = _sites(actor)
        start = StartForm(sites=sites, initial={"site": sites[0].code} if sites else None)
        return page(request, "staff/shelf_reading.html", {"form": start}, actor=actor)
    try:
        context = _panel(request, actor, state)
    except OctavoError:
        request.session.pop(SESSION_KEY, None)
        return redirect("staff:shelf_reading")
    return page(request, "staff/shelf_reading.html", context, actor=actor)


def _start(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = StartForm(request.POST, sites=_sites(actor))
    if form.is_valid():
        try:
            site, location = shelf_site(
                actor=actor,
                site_code=form.cleaned_data["site"],
                location_code=form.cleaned_data["location"],
            )
        except OctavoError as error:
            apply_error(form, error)
        else:
            _save(
                request,
                {"site": site.code, "location": location.code if location else "", "scans": []},
            )
            return redirect("staff:shelf_reading")
    return page(request, "staff/shelf_reading.html", {"form": form}, actor=actor)
