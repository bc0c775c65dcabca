"""Reading holds: a patron's holds, a title's queue, a site's pull list, and the holds no
copy can fill any more."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q

from octavo.catalog.callnumbers import shelf_key
from octavo.catalog.models import Record
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


# Copies in these states fill no hold: gone from the collection, or not found.
CANNOT_FILL = (ItemStatus.WITHDRAWN.value, ItemStatus.LOST.value, ItemStatus.MISSING.value)


@dataclass(frozen=True)
class Stranded:
    """A title with holds waiting that no copy can fill now."""

    record_id: int
    title: str
    holds: int


def stranded_holds(record_ids: Iterable[int]) -> list[Stranded]:
    """Of these titles, those with waiting holds that nothing on the shelf or in circulation
    can fill: a title-level hold whose title has no copy left that is not withdrawn, lost or
    missing and may go out (its material type circulates); a copy-level hold whose copy is
    withdrawn, lost or missing. Suspended holds count: they wait too. By title."""
    ids = set(record_ids)
    if not ids:
        return []
    fillers = (
        Item.objects.filter(record_id=OuterRef("record_id"))
        .exclude(status__in=CANNOT_FILL)
        .exclude(material_type__circulates=False)
    )
    waiting = Hold.objects.filter(record_id__in=ids, status=HoldStatus.WAITING.value)
    stranded = waiting.annotate(has_copy=Exists(fillers)).filter(
        Q(copy_level=False, has_copy=False) | Q(copy_level=True, item__status__in=CANNOT_FILL)
    )
    counts = Counter(stranded.values_list("record_id", flat=True))
    titles = dict(Record.objects.filter(pk__in=counts).values_list("pk", "title"))
    return [Stranded(pk, titles[pk], counts[pk]) for pk in sorted(counts, key=titles.__getitem__)]
