"""Reading items: by key for the hot paths (a kiosk's scan), without the query compiler; and the
records whose copies arrived lately (the OPAC's new arrivals, issue #6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from octavo.catalog.models import Record
from octavo.catalog.selectors import availability
from octavo.db import rows
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, NotFound

_TITLE = "SELECT title FROM catalog_record WHERE id = %s"


def by_barcode(barcode: str) -> Item | None:
    code = barcode.strip()
    return rows.one(Item, "barcode = %s", [code]) if code else None


def title_of(item: Item) -> str:
    found = rows.values(_TITLE, [item.record_id])
    return str(found[0]) if found else ""


_TITLE_BY_BARCODE = (
    "SELECT r.title FROM holdings_item i JOIN catalog_record r ON r.id = i.record_id "
    "WHERE i.barcode = %s"
)


def title_by_barcode(barcode: str) -> str | None:
    """The title of the item with this barcode; None when there is no such item."""
    found = rows.values(_TITLE_BY_BARCODE, [barcode.strip()]) if barcode.strip() else []
    return str(found[0]) if found else None


# --- new arrivals (issue #6: "browse new arrivals") -------------------------------------------

MAX_ARRIVALS = 200  # a page of new books, not an export


def new_arrivals(
    *, site_code: str = "", days: int = 60, limit: int = 20, at: datetime | None = None
) -> list[dict[str, Any]]:
    """The records with a copy that arrived in the last `days` days (at the site with this code,
    or anywhere), newest first, once each; at most `limit`.

    A copy arrived on its acquisition date when one is recorded, else on the day it was added:
    a collection imported years after it was bought is not new. Withdrawn copies do not count.
    Each row has the record's id, title, authors, year and format (as a search result has),
    `arrived` (a date) and `availability` (octavo.catalog.selectors.availability, every site).
    """
    if not 1 <= days <= 3660:
        raise InvalidInput("from 1 to 3660 days", field="days")
    if not 1 <= limit <= MAX_ARRIVALS:
        raise InvalidInput(f"from 1 to {MAX_ARRIVALS} records", field="limit")
    at = now() if at is None else at
    since = at - timedelta(days=days)
    items = Item.objects.exclude(status=ItemStatus.WITHDRAWN.value)
    if site_code.strip():
        site = Site.objects.filter(code=site_code.strip().upper()).first()
        if site is None:
            raise NotFound(f"no site with code {site_code!r}", field="site")
        items = items.filter(site=site)
    # Dates in the district's time zone (settings.TIME_ZONE), as TruncDate reads them.
    first_day, last_day = timezone.localdate(since), timezone.localdate(at)
    recent = items.filter(
        Q(acquired_on__isnull=False, acquired_on__range=(first_day, last_day))
        | Q(acquired_on__isnull=True, created_at__range=(since, at))
    )
    newest = list(
        recent.values("record_id")
        .annotate(
            arrived=Max(Coalesce("acquired_on", TruncDate("created_at"))),
            added=Max("created_at"),
        )
        .order_by("-arrived", "-added", "-record_id")[:limit]
    )
    ids = [row["record_id"] for row in newest]
    shown = Record.objects.filter(id__in=ids).values("id", "title", "authors", "year", "format")
    records = {r["id"]: r for r in shown}
    shelves = availability(ids)
    return [
        {**records[rid], "arrived": row["arrived"], "availability": shelves.get(rid, [])}
        for row in newest
        if (rid := row["record_id"]) in records
    ]
