"""The staff screens for reading lists and featured shelves (issue #6): the lists of a site, a new
list, a list's settings, and its entries (add from a catalog search or by record number, move,
take off, a note to readers).

Each view parses a form, calls one octavo.lists service or selector, and shows the result. The
services decide who may curate which list; the rules are asked here only to hide the controls
a person cannot use. Moving, taking off and notes answer htmx with the entries alone.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.search import search
from octavo.district.models import Site
from octavo.district.selectors import visible_sites
from octavo.interfaces.staff import labels
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import apply_error
from octavo.interfaces.staff.list_forms import (
    EntryAddForm,
    EntrySearchForm,
    ListForm,
    MoveForm,
    NoteForm,
)
from octavo.interfaces.words import FORMAT_LABELS, shown
from octavo.lists.rules import decide_curate
from octavo.lists.selectors import EntryRow, ListSummary, staff_list, staff_lists
from octavo.lists.services import (
    add_entry,
    create_list,
    delete_list,
    move_entry,
    remove_entry,
    set_note,
    update_list,
)
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])
SEARCH_RESULTS = 10  # records offered to add; more words narrow the search


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _require_curator(actor: Actor) -> None:
    """Refuse the list pages to roles that curate nothing (the services would refuse too)."""
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not curate reading lists")


def _curator_sites(actor: Actor) -> list[Site]:
    """The sites the actor may put a list at."""
    return [s for s in visible_sites(actor=actor) if decide_curate(actor, site_id=s.id)]


def _list_url(list_id: int, *, q: str = "", anchor: str = "") -> str:
    url = reverse("staff:list", kwargs={"list_id": list_id})
    if q.strip():
        query = QueryDict(mutable=True)
        query["q"] = q.strip()
        url = f"{url}?{query.urlencode()}"
    return f"{url}#{anchor}" if anchor else url


# --- the lists --------------------------------------------------------------------------------


@require_safe
@staff_page
def list_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_curator(actor)
    sites = _curator_sites(actor)
    chosen = request.GET.get("site", "").strip().upper()
    if chosen and chosen not in {s.code for s in sites}:
        chosen = ""  # an old link to a site the person no longer works at: show them all
    context = {
        "lists": staff_lists(actor=actor, site_code=chosen),
        "sites": sites,
        "chosen": chosen,
        "may_create": bool(sites) or actor.is_district_admin,
    }
    return page(request, "staff/list_index.html", context, actor=actor)


@GET_POST
@staff_page
def list_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_curator(actor)
    sites = _curator_sites(actor)
    if not sites and not actor.is_district_admin:
        raise PermissionDenied(f"{actor.username} may curate lists at no site")
    asked = request.GET.get("site", "").strip().upper()
    start = asked if asked in {s.code for s in sites} else (sites[0].code if sites else "")
    form = ListForm(
        request.POST if request.method == "POST" else None,
        initial={"site": "" if actor.is_district_admin and not asked else start},
        sites=sites,
        district_wide=actor.is_district_admin,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            made = create_list(
                actor=actor,
                name=data["name"],
                description=data["description"],
                site_code=data["site"],
                audience=data["audience"],
                is_public=data["is_public"],
                featured=data["featured"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("List %(name)s added.") % {"name": made.name})
            return redirect("staff:list", list_id=made.pk)
    return page(request, "staff/list_new.html", {"form": form}, actor=actor)


# --- one list ---------------------------------------------------------------------------------


def _rows(entries: list[EntryRow]) -> list[dict[str, Any]]:
    return [
        {**e, "place": e["position"] + 1, "format_label": shown(FORMAT_LABELS, e["format"])}
        for e in entries
    ]


def _panel_context(actor: Actor, summary: ListSummary, entries: list[EntryRow]) -> dict[str, Any]:
    return {
        "list": summary,
        "entries": _rows(entries),
        "may_curate": bool(decide_curate(actor, site_id=summary.site_id)),
    }


def _detail(
    request: HttpRequest,
    actor: Actor,
    list_id: int,
    *,
    add_form: EntryAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    summary, entries = staff_list(actor=actor, list_id=list_id)
    context = _panel_context(actor, summary, entries)
    search_form = EntrySearchForm(request.GET if "q" in request.GET else None)
    found: list[dict[str, Any]] = []
    q = ""
    if context["may_curate"] and search_form.is_bound and search_form.is_valid():
        q = search_form.cleaned_data["q"].strip()
        on_list = {e["id"] for e in entries}
        if q:
            found = [
                {
                    **row,
                    "format_label": shown(FORMAT_LABELS, row["format"]),
                    "on_list": row["id"] in on_list,
                }
                for row in search(q, limit=SEARCH_RESULTS).results
            ]
    context |= {
        "search_form": search_form,
        "add_form": add_form or EntryAddForm(),
        "q": q,
        "found": found,
        "searched": bool(q),
    }
    return page(request, "staff/list_detail.html", context, actor=actor, status=status)


@require_safe
@staff_page
def list_detail(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    return _detail(request, actor, list_id)


@GET_POST
@staff_page
def list_edit(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    summary, _entries = staff_list(actor=actor, list_id=list_id)
    decision = decide_curate(actor, site_id=summary.site_id)
    if not decision:
        raise PermissionDenied(decision.reason)
    sites = _curator_sites(actor)
    form = ListForm(
        request.POST if request.method == "POST" else None,
        initial=ListForm.initial_from(summary),
        sites=sites,
        district_wide=actor.is_district_admin,
    )
    if form.is_bound and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                update_list(actor=actor, list_id=summary.id, changes=changes, at=now())
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            if changes:
                messages.success(request, _("List saved."))
            else:
                messages.info(request, _("Nothing to save: no field was changed."))
            return redirect("staff:list", list_id=summary.id)
    context = {"list": summary, "form": form}
    return page(request, "staff/list_edit.html", context, actor=actor)


@require_POST
@staff_page
def list_delete(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    summary, _entries = staff_list(actor=actor, list_id=list_id)
    delete_list(actor=actor, list_id=summary.id, at=now())
    messages.success(request, _("List %(name)s deleted.") % {"name": summary.name})
    return redirect("staff:lists")


# --- its entries ------------------------------------------------------------------------------


@require_POST
@staff_page
def list_add(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    form = EntryAddForm(request.POST)
    q = request.POST.get("q", "")
    if form.is_valid():
        try:
            add_entry(
                actor=actor,
                list_id=list_id,
                record_id=form.cleaned_data["record"],
                note=form.cleaned_data["note"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            _summary, entries = staff_list(actor=actor, list_id=list_id)
            added = next(e for e in entries if e["id"] == form.cleaned_data["record"])
            title = added["title"] or _("(no title)")
            messages.success(request, _("“%(title)s” added to the list.") % {"title": title})
            return redirect(_list_url(list_id, q=q, anchor=f"entry-{added['id']}"))
    return _detail(request, actor, list_id, add_form=form)


def _entry_done(
    request: HttpRequest, actor: Actor, list_id: int, done: str, *, anchor: str = "entries-panel"
) -> HttpResponse:
    """After a change to an entry: the entries alone for htmx, else the list page again."""
    if _is_htmx(request):
        summary, entries = staff_list(actor=actor, list_id=list_id)
        context = _panel_context(actor, summary, entries) | {"done": done}
        return page(request, "staff/list_entries_panel.html", context, actor=actor)
    messages.success(request, done)
    return redirect(_list_url(list_id, anchor=anchor))


def _entry_refused(request: HttpRequest, list_id: int, exc: OctavoError) -> HttpResponse:
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc
    messages.error(request, labels.error_text(exc))
    return redirect(_list_url(list_id, anchor="entries-panel"))


def _errors(form: MoveForm | NoteForm) -> str:
    """A small form's errors as one message (its fields sit in a table row, not on a page)."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _title(actor: Actor, list_id: int, record_id: int) -> str:
    _summary, entries = staff_list(actor=actor, list_id=list_id)
    for entry in entries:
        if entry["id"] == record_id:
            return entry["title"] or _("(no title)")
    raise NotFound(f"record {record_id} is not on list {list_id}", field="record")


@require_POST
@staff_page
def list_move(request: HttpRequest, actor: Actor, list_id: int, record_id: int) -> HttpResponse:
    title = _title(actor, list_id, record_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_list_url(list_id, anchor="entries-panel"))
    data = form.cleaned_data
    place = data["place"]
    try:
        move_entry(
            actor=actor,
            list_id=list_id,
            record_id=record_id,
            direction=data["direction"] or None,
            position=None if data["direction"] else place - 1,
            at=now(),
        )
    except OctavoError as exc:
        return _entry_refused(request, list_id, exc)
    done = _("“%(title)s” moved.") % {"title": title}
    return _entry_done(request, actor, list_id, done, anchor=f"entry-{record_id}")


@require_POST
@staff_page
def list_remove(request: HttpRequest, actor: Actor, list_id: int, record_id: int) -> HttpResponse:
    title = _title(actor, list_id, record_id)
    try:
        remove_entry(actor=actor, list_id=list_id, record_id=record_id, at=now())
    except OctavoError as exc:
        return _entry_refused(request, list_id, exc)
    done = _("“%(title)s” taken off the list.") % {"title": title}
    return _entry_done(request, actor, list_id, done)


@require_POST
@staff_page
def list_note(request: HttpRequest, actor: Actor, list_id: int, record_id: int) -> HttpResponse:
    title = _title(actor, list_id, record_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_list_url(list_id, anchor=f"entry-{record_id}"))
    try:
        set_note(
            actor=actor,
            list_id=list_id,
            record_id=record_id,
            note=form.cleaned_data["note"],
            at=now(),
        )
    except OctavoError as exc:
        return _entry_refused(request, list_id, exc)
    done = _("Note saved for “%(title)s”.") % {"title": title}
    return _entry_done(request, actor, list_id, done, anchor=f"entry-{record_id}")
