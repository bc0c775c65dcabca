"""Reading inventories (issue #8): which ones an actor may see, their progress, and their
reconciliation, the five lists.

Reconciliation is set-based SQL over the scans and the items, the same on SQLite and PostgreSQL
(issue #8, "Engineering"): one statement whose materialized CTE `seen` joins the inventory's
scans to the items by barcode (a LEFT JOIN: no item means "unknown"), and whose five branches,
joined by UNION ALL, are the five lists. The missing are the items in scope that the catalog
says are on the shelf (available) for which NOT EXISTS a scan. Python only puts the rows it is
given into lists. What is "in scope" is one SQL condition (`scope_sql`): the site, the location,
and for a range the items listed in InventoryRangeItem when the inventory started (shelf order
is Python's, octavo.catalog.callnumbers, so it cannot be a SQL comparison).

Lists overlap on purpose: a checked-out item of another school found on these shelves is both
misplaced and checked out on the shelf, and checking it in here sends it home in transit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import Count, Max

from octavo.accounts.rules import Action, decide
from octavo.catalog.callnumbers import shelf_key
from octavo.db import rows
from octavo.holdings.inventory_rules import ShelfRange
from octavo.holdings.models import Inventory, InventoryScan, Item
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

# The report's lists, in the order they are shown; `reconcile --json` keys.
KINDS = ("missing", "misplaced", "checked_out_on_shelf", "found", "unknown")
IN_CHUNK = 900  # barcodes per IN (...) list
EXPECTED = ItemStatus.AVAILABLE.value  # on the shelf, by the catalog
FOUND_STATUSES = (ItemStatus.LOST.value, ItemStatus.MISSING.value)


# Who may do what: starting, reconciling and finishing is catalog work at the site; scanning
# the shelves is also a job for anyone who circulates there (a student helper with a scanner).
MANAGE = (Action.CATALOG_EDIT,)
SCAN = (Action.CATALOG_EDIT, Action.CIRCULATE)


@dataclass(frozen=True)
class Reconciliation:
    """The five lists of barcodes, each sorted."""

    missing: tuple[str, ...] = ()
    misplaced: tuple[str, ...] = ()
    checked_out_on_shelf: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    finished: bool = False  # the recorded report of a finished inventory

    @classmethod
    def of(cls, lists: Mapping[str, Iterable[str]], *, finished: bool = False) -> Reconciliation:
        def listed(kind: str) -> tuple[str, ...]:
            return tuple(str(barcode) for barcode in lists.get(kind, ()))

        return cls(
            missing=listed("missing"),
            misplaced=listed("misplaced"),
            checked_out_on_shelf=listed("checked_out_on_shelf"),
            found=listed("found"),
            unknown=listed("unknown"),
            finished=finished,
        )

    def as_dict(self) -> dict[str, list[str]]:
        return {kind: list(getattr(self, kind)) for kind in KINDS}

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in KINDS}


@dataclass(frozen=True)
class Progress:
    expected: int  # items in scope the catalog says are on the shelf
    expected_seen: int  # of them, scanned
    scanned: int  # distinct barcodes scanned, whatever they are

    @property
    def percent(self) -> int:
        return 100 if not self.expected else int(100 * self.expected_seen / self.expected)


@dataclass(frozen=True)
class Seen:
    """One scanned barcode as reconciliation sees it."""

    barcode: str
    known: bool
    status: str  # "" when unknown
    in_scope: bool

    @property
    def kinds(self) -> tuple[str, ...]:
        if not self.known:
            return ("unknown",)
        found = [] if self.in_scope else ["misplaced"]
        if self.status == ItemStatus.CHECKED_OUT.value:
            found.append("checked_out_on_shelf")
        elif self.status in FOUND_STATUSES:
            found.append("found")
        return tuple(found)


@dataclass(frozen=True)
class ItemLine:
    """An item as the report and the scanning page show it."""

    barcode: str
    title: str
    call_number: str
    site_code: str
    location_code: str
    status: str
    last_seen_at: datetime | None


# --- finding and checking ---------------------------------------------------------------------


def allowed(actor: Actor, site_id: int, actions: Sequence[Action]) -> None:
    for action in actions:
        if decide(actor, action, site_id=site_id):
            return
    raise PermissionDenied(decide(actor, actions[0], site_id=site_id).reason, field="site")


def found_inventory(inventory_id: int, *, lock: bool = False) -> Inventory:
    query = Inventory.objects.select_related("site", "location")
    if lock:
        query = query.select_for_update(of=("self",))
    inventory = query.filter(pk=inventory_id).first()
    if inventory is None:
        raise NotFound(f"no inventory {inventory_id}", field="inventory")
    return inventory


def get_inventory(*, actor: Actor, inventory_id: int, manage: bool = False) -> Inventory:
    """The inventory, if the actor may scan for it (`manage`: reconcile and finish it)."""
    inventory = found_inventory(inventory_id)
    allowed(actor, inventory.site_id, MANAGE if manage else SCAN)
    return inventory


def must_be_open(inventory: Inventory) -> None:
    if inventory.status != Inventory.Status.OPEN:
        ended = "cancelled" if inventory.status == Inventory.Status.CANCELLED else "finished"
        raise InvalidInput(
            f"inventory {inventory.pk} was {ended} on {inventory.finished_at:%Y-%m-%d}: start "
            "another to scan again",
            field="inventory",
        )


def inventories(*, actor: Actor, limit: int = 100) -> list[Inventory]:
    """The latest inventories at the sites where the actor may scan, open ones first."""
    found = Inventory.objects.select_related("site", "location").order_by(
        "-status", "-started_at", "-id"
    )  # "open" sorts after "finished": descending puts it first
    if not actor.is_district_admin:
        found = found.filter(site_id__in=actor.site_ids)
    return [i for i in found[: limit * 2] if _may(actor, i.site_id, SCAN)][:limit]


def _may(actor: Actor, site_id: int, actions: Sequence[Action]) -> bool:
    return any(decide(actor, action, site_id=site_id) for action in actions)


def may_manage(actor: Actor, inventory: Inventory) -> bool:
    return _may(actor, inventory.site_id, MANAGE)


def scope_text(inventory: Inventory) -> str:
    """`NES`, `NES FIC`, `NES FIC 500-599`: what an inventory covers."""
    parts = [inventory.site.code]
    if inventory.location_id is not None and inventory.location is not None:
        parts.append(inventory.location.code)
    if inventory.has_range:
        parts.append(str(ShelfRange(inventory.range_first, inventory.range_last)))
    return " ".join(parts)


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


# --- the SQL of reconciliation -----------------------------------------------------------------


def scope_sql(inventory: Inventory) -> tuple[str, list[Any]]:
    """The SQL condition on an item `i` of being in the inventory's scope, and its parameters."""
    sql, params = "i.site_id = %s", [inventory.site_id]
    if inventory.location_id is not None:
        sql, params = sql + " AND i.location_id = %s", [*params, inventory.location_id]
    if inventory.has_range:
        sql += (
            " AND EXISTS (SELECT 1 FROM holdings_inventoryrangeitem r "
            "WHERE r.inventory_id = %s AND r.item_id = i.id)"
        )
        params.append(inventory.pk)
    return sql, params


def scanned_sql(inventory: Inventory) -> tuple[str, list[Any]]:
    """The SQL condition on an item `i` of having been scanned in the inventory."""
    return (
        "EXISTS (SELECT 1 FROM holdings_inventoryscan s "
        "WHERE s.inventory_id = %s AND s.barcode = i.barcode)",
        [inventory.pk],
    )


def _seen_sql(inventory: Inventory, barcode: str | None = None) -> tuple[str, list[Any]]:
    scope, scope_params = scope_sql(inventory)
    sql = (
        "SELECT s.barcode AS barcode, i.id AS item_id, i.status AS status, "  # noqa: S608
        f"CASE WHEN i.id IS NOT NULL AND {scope} THEN 1 ELSE 0 END AS in_scope "
        "FROM holdings_inventoryscan s LEFT JOIN holdings_item i ON i.barcode = s.barcode "
        "WHERE s.inventory_id = %s"
    )
    params = [*scope_params, inventory.pk]
    if barcode is not None:
        sql, params = sql + " AND s.barcode = %s", [*params, barcode]
    return sql, params


# Kinds by number in the SQL (a literal string's type differs between the databases).
_MISSING, _MISPLACED, _CHECKED_OUT, _FOUND, _UNKNOWN = range(5)


def _reconcile_sql(inventory: Inventory, *, with_missing: bool) -> tuple[str, list[Any]]:
    """The five lists in one statement: (kind, barcode) rows, by kind then barcode.

    WITH seen AS MATERIALIZED (scans LEFT JOIN items, each with in_scope 0/1)
      SELECT unknown, barcode FROM seen WHERE no item
      UNION ALL SELECT misplaced ... WHERE an item, not in scope
      UNION ALL SELECT checked out ... WHERE status checked_out
      UNION ALL SELECT found ... WHERE status lost or missing
      UNION ALL SELECT missing, barcode FROM items WHERE in scope, available, NOT EXISTS a scan
    """
    seen_sql, seen_params = _seen_sql(inventory)
    scope, scope_params = scope_sql(inventory)
    scanned, scanned_params = scanned_sql(inventory)
    branches = [
        f"SELECT {kind}, barcode FROM seen WHERE {condition}"  # noqa: S608 - constants only
        for kind, condition in (
            (_UNKNOWN, "item_id IS NULL"),
            (_MISPLACED, "item_id IS NOT NULL AND in_scope = 0"),
            (_CHECKED_OUT, "status = %s"),
            (_FOUND, "status IN (%s, %s)"),
        )
    ]
    params: list[Any] = [*seen_params, ItemStatus.CHECKED_OUT.value, *FOUND_STATUSES]
    if with_missing:
        missing = f"SELECT {_MISSING}, i.barcode FROM holdings_item i WHERE {scope} "  # noqa: S608
        branches.append(missing + f"AND i.status = %s AND NOT {scanned}")
        params += [*scope_params, EXPECTED, *scanned_params]
    union = " UNION ALL ".join(branches)
    return f"WITH seen AS MATERIALIZED ({seen_sql}) {union} ORDER BY 1, 2", params


def live_reconciliation(inventory: Inventory, *, with_missing: bool = True) -> Reconciliation:
    lists: list[list[str]] = [[] for _ in KINDS]
    for kind, barcode in rows.table(*_reconcile_sql(inventory, with_missing=with_missing)):
        lists[int(kind)].append(barcode)
    return Reconciliation.of(dict(zip(KINDS, lists, strict=True)))


def live_progress(inventory: Inventory) -> Progress:
    scope, scope_params = scope_sql(inventory)
    scanned, scanned_params = scanned_sql(inventory)
    expected = f"SELECT COUNT(*) FROM holdings_item i WHERE {scope} AND i.status = %s"  # noqa: S608
    distinct = "SELECT COUNT(*) FROM holdings_inventoryscan WHERE inventory_id = %s"
    sql = f"SELECT ({distinct}), ({expected}), ({expected} AND {scanned})"
    params = [inventory.pk, *scope_params, EXPECTED, *scope_params, EXPECTED, *scanned_params]
    scans, expected_count, seen_count = rows.table(sql, params)[0]
    return Progress(expected=int(expected_count), expected_seen=int(seen_count), scanned=int(scans))


# --- reading: progress, reconciliation, one scan -------------------------------------------------


def progress(*, actor: Actor, inventory_id: int) -> Progress:
    """How far the scanning has got: live while open, as recorded once finished."""
    inventory = get_inventory(actor=actor, inventory_id=inventory_id)
    if inventory.status == Inventory.Status.FINISHED:
        return Progress(
            expected=inventory.expected_count,
            expected_seen=inventory.expected_count - inventory.missing_count,
            scanned=inventory.scanned_count,
        )
    return live_progress(inventory)


def reconcile(*, actor: Actor, inventory_id: int) -> Reconciliation:
    """The five lists: live while the inventory is open, as recorded when it was finished."""
    inventory = get_inventory(actor=actor, inventory_id=inventory_id, manage=True)
    if inventory.status == Inventory.Status.FINISHED:
        return Reconciliation.of(inventory.report, finished=True)
    return live_reconciliation(inventory)


def seen(inventory_id: int, barcode: str) -> Seen | None:
    """How reconciliation sees one scanned barcode now (None: not scanned in this inventory)."""
    inventory = found_inventory(inventory_id)
    found = rows.table(*_seen_sql(inventory, barcode))
    if not found:
        return None
    code, item_id, status, in_scope = found[0]
    return Seen(code, item_id is not None, status or "", bool(in_scope))


_ITEM_LINES = (
    "SELECT i.barcode, r.title, i.call_prefix, i.call_class, i.call_cutter, i.call_volume, "
    "i.copy_number, s.code, l.code, i.status, i.last_seen_at FROM holdings_item i "
    "JOIN catalog_record r ON r.id = i.record_id JOIN district_site s ON s.id = i.site_id "
    "LEFT JOIN district_location l ON l.id = i.location_id WHERE i.barcode IN ({marks})"
)


def item_lines(barcodes: Sequence[str]) -> list[ItemLine]:
    """The items with these barcodes, in shelf order (site, location, call number); barcodes no
    item has are left out."""
    lines = []
    for chunk in chunks(list(barcodes), IN_CHUNK):
        sql = _ITEM_LINES.format(marks=", ".join(["%s"] * len(chunk)))
        for row in rows.table(sql, chunk):
            code, title, prefix, cls, cutter, volume, copy, site, loc, status, seen_at = row
            call = " ".join(p for p in (prefix, cls, cutter, volume) if p)
            lines.append(
                ItemLine(
                    barcode=code,
                    title=title,
                    call_number=f"{call} c.{copy}" if copy else call,
                    site_code=site,
                    location_code=loc or "",
                    status=status,
                    last_seen_at=rows.converted(Item, "last_seen_at", seen_at),
                )
            )
    keys: dict[str, Any] = {}

    def order(line: ItemLine) -> tuple[Any, ...]:
        key = keys.get(line.call_number)
        if key is None:
            key = keys[line.call_number] = shelf_key(line.call_number)
        return (line.site_code, line.location_code, key, line.barcode)

    return sorted(lines, key=order)


def scanned_count(inventory_id: int) -> int:
    """The distinct barcodes scanned so far: cheap enough to show after every scan (progress
    counts the expected items too, which takes a moment on a large site)."""
    return InventoryScan.objects.filter(inventory_id=inventory_id).count()


def scans_by_source(inventory_id: int) -> list[dict[str, Any]]:
    """Who scanned how much, from which page, device or file (several people scan at once)."""
    return list(
        InventoryScan.objects.filter(inventory_id=inventory_id)
        .values("source", "scanned_by")
        .annotate(count=Count("id"), last=Max("scanned_at"))
        .order_by("-last", "source")
    )
