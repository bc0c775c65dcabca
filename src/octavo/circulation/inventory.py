"""An inventory's moves on items (issue #8): finishing it marks the missing as missing by the item
transition table, and the report's actions check items in on the spot through `check_in`, the
desk's own service. So a lost item found on the shelf has its replacement charge credited as the
policy says (services._credit_found), a checked-out one ends its loan (with any overdue fine),
a hold waiting for the title traps it, and a copy of another school goes home in transit:
exactly what a check-in at that site's desk does.

Why here and not in octavo.holdings.inventory, which owns inventories: holdings sits below
circulation in the layers contract (pyproject.toml), so it may neither call check_in nor read
circulation's transition table. The interfaces call these three; everything else about an
inventory (start, scans, progress, reconcile) is octavo.holdings.inventory.
"""

from __future__ import annotations

from datetime import datetime

from octavo.circulation.services import CheckinResult, check_in
from octavo.circulation.states import ItemEvent, advance_item
from octavo.holdings import inventory as inventories
from octavo.holdings import inventory_selectors
from octavo.holdings.models import Inventory
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput


def finish(*, actor: Actor, inventory_id: int, at: datetime) -> Inventory:
    """Close the inventory: the items in scope that are on the shelf by the catalog and were not
    scanned become missing; the report is kept (octavo.holdings.inventory.close)."""
    missing = advance_item(ItemStatus.AVAILABLE, ItemEvent.MARK_MISSING)
    return inventories.close(
        actor=actor, inventory_id=inventory_id, at=at, missing_status=missing.value
    )


def check_in_on_shelf(
    *, actor: Actor, inventory_id: int, barcode: str, at: datetime
) -> CheckinResult:
    """A checked-out item scanned on the shelf: check it in at the inventory's site."""
    return _check_in(actor, inventory_id, barcode, at, "checked_out_on_shelf")


def restore_found(*, actor: Actor, inventory_id: int, barcode: str, at: datetime) -> CheckinResult:
    """A lost or missing item scanned on the shelf: check it in at the inventory's site, which
    makes it available again and credits a lost charge back as the policy says."""
    return _check_in(actor, inventory_id, barcode, at, "found")


_WORDS = {
    "checked_out_on_shelf": "checked out but scanned on the shelf",
    "found": "lost or missing but scanned on the shelf",
}


def _check_in(
    actor: Actor, inventory_id: int, barcode: str, at: datetime, kind: str
) -> CheckinResult:
    inventory = inventory_selectors.get_inventory(
        actor=actor, inventory_id=inventory_id, manage=True
    )
    if inventory.status != Inventory.Status.OPEN:
        raise InvalidInput(
            f"inventory {inventory.pk} is finished: check the item in at the desk",
            field="inventory",
        )
    code = barcode.strip()
    seen = inventory_selectors.seen(inventory.pk, code)
    if seen is None or kind not in seen.kinds:
        raise InvalidInput(
            f"{code or '(blank)'} is not {_WORDS[kind]} in inventory {inventory.pk}",
            field="barcode",
        )
    return check_in(actor=actor, item_barcode=seen.barcode, at=at, site_code=inventory.site.code)
