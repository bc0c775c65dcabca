"""Reading holds: a patron's holds, a title's queue, and a site's pull list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from octavo.catalog.callnumbers import shelf_key
from octavo.db import rows
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.holds.models import Hold
from octavo.holds.states import HoldStatus


@dataclass(frozen=True)
class PullLine:
    """One copy to fetch from the shelf at a site, for the oldest hold it can fill."""

    item: Item
    hold: Hold


def pull_list(site: Site, *, today: date) -> list[PullLine]:
    """Copies on the shelf at `site` that waiting holds want, in shelf order (the order a
    technician walks the stacks). One copy per hold: the title's oldest holds are matched to
    its copies here, as many as there are."""
    waiting = list(
        Hold.objects.filter(status=HoldStatus.WAITING.value)
        .exclude(suspended_until__gt=today)
        .select_related("record", "pickup_site")
        .order_by("placed_at", "id")
    )
    if not waiting:
        return []
    on_shelf = (
        Item.objects.filter(
            site=site,
            status=ItemStatus.AVAILABLE.value,
            record_id__in={h.record_id for h in waiting},
        )
        .exclude(material_type__circulates=False)
        .select_related("record", "location")
    )
    copies: dict[int, list[Item]] = {}
    for item in on_shelf:
        copies.setdefault(item.record_id, []).append(item)
    lines = []
    for hold in waiting:
        candidates = copies.get(hold.record_id, [])
        if hold.copy_level:
            candidates = [i for i in candidates if i.pk == hold.item_id]
        if candidates:
            item = candidates[0]
            copies[hold.record_id].remove(item)
            lines.append(PullLine(item=item, hold=hold))
    return sorted(lines, key=lambda line: (shelf_key(line.item.call_number), line.item.barcode))


def active_holds(patron_id: int) -> list[Hold]:
    """A patron's holds that are still going, oldest first, with their place in the queue."""
    return list(
        Hold.objects.filter(
            patron_id=patron_id,
            status__in=[
                HoldStatus.WAITING.value,
                HoldStatus.IN_TRANSIT.value,
                HoldStatus.READY.value,
            ],
        )
        .select_related("record", "pickup_site", "item")
        .order_by("placed_at", "id")
    )


def queue_position(hold: Hold) -> int:
    """1 for the next in line among the title's waiting holds."""
    return (
        Hold.objects.filter(
            record_id=hold.record_id, status=HoldStatus.WAITING.value, placed_at__lt=hold.placed_at
        ).count()
        + 1
    )


def hold_shelf(site: Site) -> list[Hold]:
    """The holds waiting on `site`'s hold shelf for their patrons, the first to expire first."""
    return list(
        Hold.objects.filter(pickup_site=site, status=HoldStatus.READY.value)
        .select_related("patron", "record", "item")
        .order_by("expires_at", "id")
    )


_HOLD_LINES = (
    "SELECT h.status, i.barcode, r.title FROM holds_hold h "
    "JOIN catalog_record r ON r.id = h.record_id LEFT JOIN holdings_item i ON i.id = h.item_id "
    "WHERE h.patron_id = %s AND h.status IN (%s, %s, %s) ORDER BY h.placed_at, h.id"
)


def active_hold_lines(patron_id: int) -> list[tuple[str, str | None, str]]:
    """active_holds as (status, the trapped item's barcode or None, title), for a kiosk."""
    going = [HoldStatus.WAITING.value, HoldStatus.IN_TRANSIT.value, HoldStatus.READY.value]
    return [(s, b, t) for s, b, t in rows.table(_HOLD_LINES, [patron_id, *going])]


def waiting_count(record_id: int) -> int:
    """How many holds wait for a copy of the record (a kiosk's hold queue length)."""
    found = rows.values(
        "SELECT COUNT(*) FROM holds_hold WHERE record_id = %s AND status = %s",
        [record_id, HoldStatus.WAITING.value],
    )
    return int(found[0])
