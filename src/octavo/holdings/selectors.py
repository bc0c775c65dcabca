"""Reading items by key for the hot paths (a kiosk's scan), without the query compiler."""

from __future__ import annotations

from octavo.db import rows
from octavo.holdings.models import Item

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
