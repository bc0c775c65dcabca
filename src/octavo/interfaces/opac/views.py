"""The OPAC's public pages: search, a record, reading lists and new arrivals, the sites' hours
and rules.

Nothing here needs a login, and nothing here shows a patron. Each view reads through the
catalog's search service and the circulation and holds selectors the staff side uses (issue
#6: no second implementation of availability or hold rules), and turns what it read into a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from octavo.catalog.citations import all_citations, cited_from
from octavo.catalog.description import Description, describe
from octavo.catalog.models import Record
from octavo.catalog.search import CANDIDATES, search
from octavo.circulation.selectors import copies_of
from octavo.district.models import ClosedDay, OpeningHours, Site
from octavo.holdings.selectors import new_arrivals
from octavo.holds.selectors import waiting_count
from octavo.interfaces.facets import facet_groups, page_number, search_url
from octavo.interfaces.opac.access import (
    SEARCH_RATE,
    SESSION_PARENT,
    SESSION_PATRON,
    limited,
    too_many,
)
from octavo.interfaces.opac.forms import SEARCH_BY, SearchForm
from octavo.interfaces.words import FORMAT_LABELS, LANGUAGE_LABELS, STATUS_LABELS, shown
from octavo.lists.selectors import featured_lists, public_list, public_lists
from octavo.patrons.models import PatronType
from octavo.policy.selectors import calendar_for, fine_free, rules_for
from octavo.shared.clock import now
from octavo.shared.errors import NotFound

PAGE_SIZE = 20
# Sites named under each result; the rest are counted ("and 4 more sites").
SITES_SHOWN = 3


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render an OPAC page with what its header needs (who is in: from the session alone)."""
    signed_in = SESSION_PATRON in request.session or SESSION_PARENT in request.session
    context = {"signed_in": signed_in, **context}
    return render(request, f"opac/{template}", context, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Any unknown address: a friendly page with a search box, never an error page."""
    return page(request, "not_found.html", {"form": SearchForm()}, status=404)


# Titles shown per shelf on the home page (featured lists, new arrivals).
SHELF_SIZE = 8


def _rows(rows: Sequence[Mapping[str, Any]], chosen: str = "") -> list[dict[str, Any]]:
    """Search results, list entries and new arrivals, made ready for the same result row.
    The availability lines are worded here, once each: a page has sixty of them, and a
    template's translation tag costs several times a plain gettext."""
    out = []
    for row in rows:
        places, more_sites = _places(row.get("availability", []), chosen)
        lines = [
            {
                "in": place["available"] > 0,
                "text": _("%(available)s of %(items)s available at %(site)s")
                % {
                    "available": place["available"],
                    "items": place["items"],
                    "site": place["site_name"],
                },
            }
            for place in places
        ]
        label = shown(FORMAT_LABELS, row["format"])
        out.append({**row, "format_label": label, "places": lines, "more_sites": more_sites})
    return out


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The search box, the librarians' featured shelves and what arrived lately."""
    shelves = [
        {"list": summary, "rows": _rows(entries)}
        for summary, entries in featured_lists(per_list=SHELF_SIZE)
    ]
    context = {
        "form": SearchForm(),
        "search_by": SEARCH_BY,
        "shelves": shelves,
        "arrivals": _rows(new_arrivals(limit=SHELF_SIZE)),
    }
    return page(request, "home.html", context)


@require_safe
def lists_page(request: HttpRequest) -> HttpResponse:
    return page(request, "lists.html", {"lists": public_lists(), "section": "lists"})


@require_safe
def list_page(request: HttpRequest, list_id: int) -> HttpResponse:
    try:
        summary, entries = public_list(list_id)
    except NotFound:
        return not_found(request)
    context = {"list": summary, "rows": _rows(entries), "section": "lists"}
    return page(request, "list.html", context)


@require_safe
def arrivals_page(request: HttpRequest) -> HttpResponse:
    """What arrived in the last 60 days, anywhere or at one site (?site=CODE)."""
    sites = list(Site.objects.filter(is_active=True).order_by("name"))
    code = str(request.GET.get("site", "")).upper()[:16]
    if code not in {s.code for s in sites}:
        code = ""
    rows = _rows(new_arrivals(site_code=code, limit=60), code)
    context = {"rows": rows, "sites": sites, "chosen": code, "section": "lists"}
    return page(request, "arrivals.html", context)


def _places(availability: list[dict[str, Any]], chosen: str) -> tuple[list[dict[str, Any]], int]:
    """The sites to name under a result: the chosen one first, then those with a copy in."""
    ordered = sorted(
        availability,
        key=lambda a: (a["site"] != chosen, a["available"] == 0, a["site_name"]),
    )
    return ordered[:SITES_SHOWN], max(len(ordered) - SITES_SHOWN, 0)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False, "search_by": SEARCH_BY}
    if not form.is_valid():
        return page(request, "search.html", context)
    text, cut = form.query()
    context["cut"] = cut
    if not text.strip():
        context["empty"] = bool(request.GET)
        return page(request, "search.html", context)
    if limited(request, "opac.search", SEARCH_RATE):
        return too_many(request)
    filters = form.filters()
    wanted = min(page_number(request.GET.get("page")), CANDIDATES // PAGE_SIZE)
    result = search(text, filters=filters, limit=PAGE_SIZE, offset=(wanted - 1) * PAGE_SIZE)
    paginator = Paginator(range(result.total), PAGE_SIZE)
    number = paginator.get_page(wanted).number
    if number != wanted:
        result = search(text, filters=filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    rows = _rows(result.results, filters.site)
    page_obj = paginator.page(number)
    context |= {
        "previous_url": search_url(request.GET, page=str(number - 1))
        if page_obj.has_previous()
        else "",
        "next_url": search_url(request.GET, page=str(number + 1)) if page_obj.has_next() else "",
        "searched": True,
        "total": result.total,
        "more": result.more,
        "page_obj": page_obj,
        "rows": rows,
        "facets": facet_groups(request.GET, filters, result.facets),
    }
    return page(request, "search.html", context)


@require_safe
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        return not_found(request)
    copies: list[dict[str, Any]] = [
        {"copy": c, "status": shown(STATUS_LABELS, c.status), "available": c.status == "available"}
        for c in copies_of(record.pk)
    ]
    sites: dict[str, dict[str, Any]] = {}
    for line in copies:
        entry = sites.setdefault(
            line["copy"].site_code, {"name": line["copy"].site_name, "copies": [], "in": 0}
        )
        entry["copies"].append(line)
        entry["in"] += line["available"]
    context = {
        "record": record,
        "format_label": shown(FORMAT_LABELS, record.format),
        "language_label": shown(LANGUAGE_LABELS, record.language) if record.language else "",
        "description": _described(record),
        "sites": list(sites.values()),
        "waiting": waiting_count(record.pk),
        "citations": all_citations(cited_from(record)),
    }
    return page(request, "record.html", context)


def _described(record: Record) -> Description:
    """The MARC description, without the audience note already shown as the reading level
    (both come from MARC 521)."""
    described = describe(record.marc)
    audience = tuple(a for a in described.audience if a != record.reading_level)
    return replace(described, audience=audience)


@require_safe
def sites_page(request: HttpRequest) -> HttpResponse:
    """Each site's opening hours, its next closed days, and its borrowing rules."""
    sites = list(Site.objects.filter(is_active=True).order_by("name"))
    hours: dict[int, list[OpeningHours]] = {}
    for row in OpeningHours.objects.filter(site__in=sites).order_by("weekday", "opens"):
        hours.setdefault(row.site_id, []).append(row)
    patron_types = list(PatronType.objects.all())
    no_fines = fine_free()
    shown_sites = []
    for site in sites:
        today = calendar_for(site.pk).local_date(now())
        closed = ClosedDay.objects.filter(
            site=site, day__gte=today, day__lte=today + timedelta(days=90)
        ).order_by("day")[:10]
        days = [
            {"name": WEEKDAYS[n], "hours": [h for h in hours.get(site.pk, []) if h.weekday == n]}
            for n in range(7)
        ]
        rules = [
            {
                "type": t,
                "rules": rules_for(
                    site_id=site.pk, patron_type_id=t.pk, material_type_id=None
                ).rules,
            }
            for t in patron_types
        ]
        shown_sites.append({"site": site, "days": days, "closed": closed, "rules": rules})
    return page(request, "sites.html", {"sites": shown_sites, "fine_free": no_fines})
