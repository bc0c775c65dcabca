"""Reading the reading lists: the public ones the OPAC shows (issue #6, "browse new arrivals and
reading lists that librarians curate") and the ones a curator works on at the staff desk.

A list's entries come out as search results do (the record's id, title, authors, year, format
and per-site availability, octavo.catalog.selectors.availability), with the list's note and the
entry's position, so a page can show them with the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.db.models import Count, Q, QuerySet

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.selectors import availability
from octavo.district.models import Site
from octavo.lists.models import ListEntry, ReadingList
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied

FEATURED_ENTRIES = 8  # titles a featured shelf shows on the home page


@dataclass(frozen=True)
class ListSummary:
    id: int
    name: str
    description: str
    audience: str
    site_id: int | None  # None: district-wide
    site_code: str  # "" when district-wide
    site_name: str
    is_public: bool
    featured: bool
    entry_count: int
    updated_at: datetime

    @property
    def district_wide(self) -> bool:
        return self.site_id is None


class EntryRow(TypedDict):
    id: int  # the record's id
    title: str
    authors: list[str]
    year: int | None
    format: str  # octavo.catalog.mapping.Format's value
    # [{"site": code, "site_name": name, "items": n, "available": n}] in site code order
    availability: list[dict[str, Any]]
    note: str
    position: int  # 0: first


def _site_id(site_code: str) -> int | None:
    code = site_code.strip().upper()
    if not code:
        return None
    found = Site.objects.filter(code=code).values_list("id", flat=True).first()
    if found is None:
        raise NotFound(f"no site with code {site_code!r}", field="site")
    return found


def _summaries(lists: QuerySet[ReadingList]) -> list[ListSummary]:
    found = lists.select_related("site").annotate(entry_count=Count("entries"))
    return [
        ListSummary(
            id=r.pk,
            name=r.name,
            description=r.description,
            audience=r.audience,
            site_id=r.site_id,
            site_code=r.site.code if r.site else "",
            site_name=r.site.name if r.site else "",
            is_public=r.is_public,
            featured=r.featured,
            entry_count=r.entry_count,
            updated_at=r.updated_at,
        )
        for r in found.order_by("name", "id")
    ]


def _entries(list_ids: list[int], *, first: int | None = None) -> dict[int, list[EntryRow]]:
    """Each list's entries in order (only its `first` ones, when given), with availability."""
    found = ListEntry.objects.filter(reading_list_id__in=list_ids)
    if first is not None:
        found = found.filter(position__lt=first)  # positions run 0, 1, 2... (services)
    rows = list(
        found.order_by("reading_list_id", "position", "id").values_list(
            "reading_list_id",
            "record_id",
            "record__title",
            "record__authors",
            "record__year",
            "record__format",
            "note",
            "position",
        )
    )
    shelves = availability({row[1] for row in rows})
    out: dict[int, list[EntryRow]] = {list_id: [] for list_id in list_ids}
    for list_id, record_id, title, authors, year, fmt, note, position in rows:
        out[list_id].append(
            EntryRow(
                id=record_id,
                title=title,
                authors=authors,
                year=year,
                format=fmt,
                availability=shelves.get(record_id, []),
                note=note,
                position=position,
            )
        )
    return out


def _public(site_code: str) -> QuerySet[ReadingList]:
    lists = ReadingList.objects.filter(is_public=True)
    site_id = _site_id(site_code)
    if site_id is not None:
        lists = lists.filter(Q(site_id=site_id) | Q(site__isnull=True))
    return lists


# --- the OPAC ---------------------------------------------------------------------------------


def public_lists(site_code: str = "") -> list[ListSummary]:
    """The public lists of the site with this code and the district-wide ones, by name; every
    public list when no site is given. An unknown site code is NotFound (field "site")."""
    return _summaries(_public(site_code))


def featured_lists(
    site_code: str = "", *, per_list: int = FEATURED_ENTRIES
) -> list[tuple[ListSummary, list[EntryRow]]]:
    """The featured shelves for the OPAC's home page (public lists marked featured, chosen as
    public_lists chooses), by name, each with its first `per_list` entries."""
    summaries = _summaries(_public(site_code).filter(featured=True))
    entries = _entries([s.id for s in summaries], first=max(per_list, 0))
    return [(s, entries[s.id]) for s in summaries]


def public_list(list_id: int) -> tuple[ListSummary, list[EntryRow]]:
    """A public list and all its entries in order. A list that is not public is NotFound, as
    one that does not exist is: the OPAC does not tell them apart."""
    found = _summaries(ReadingList.objects.filter(pk=list_id, is_public=True))
    if not found:
        raise NotFound(f"no public reading list {list_id}", field="list")
    return found[0], _entries([list_id])[list_id]


# --- the staff side ---------------------------------------------------------------------------


def _require_curator(actor: Actor) -> None:
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not curate reading lists")


def staff_lists(*, actor: Actor, site_code: str = "") -> list[ListSummary]:
    """The lists a curator works with, public or not: those of the sites they work at (every
    site for a district admin) and the district-wide ones; only one site's (and the
    district-wide ones) when `site_code` is given."""
    _require_curator(actor)
    lists = ReadingList.objects.all()
    site_id = _site_id(site_code)
    if site_id is not None:
        if not actor.works_at(site_id):
            raise PermissionDenied(f"{actor.username} does not work at {site_code}", field="site")
        lists = lists.filter(Q(site_id=site_id) | Q(site__isnull=True))
    elif not actor.is_district_admin:
        lists = lists.filter(Q(site_id__in=actor.site_ids) | Q(site__isnull=True))
    return _summaries(lists)


def staff_list(*, actor: Actor, list_id: int) -> tuple[ListSummary, list[EntryRow]]:
    """A list and its entries for a curator: one of a site they work at, or a district-wide one
    (which only a district admin changes: octavo.lists.rules.decide_curate)."""
    _require_curator(actor)
    found = _summaries(ReadingList.objects.filter(pk=list_id))
    if not found:
        raise NotFound(f"no reading list {list_id}", field="list")
    summary = found[0]
    if summary.site_id is not None and not actor.works_at(summary.site_id):
        raise PermissionDenied(
            f"the list {summary.name} belongs to {summary.site_code}, where "
            f"{actor.username} does not work"
        )
    return summary, _entries([list_id])[list_id]
