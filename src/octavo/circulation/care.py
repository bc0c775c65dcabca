"""Item care (issue #8): send an item to repair or mending and take it back, mark it damaged
(charging the last borrower, or the patron named, when staff choose to), and read an item's
history. Each change moves the item through the transition table where its status changes, and
writes one audit entry on the item: the item's history is its audit entries, with its
circulation statistics rows (octavo.audit; circulation.CirculationEvent).

Privacy (issue #4): no audit entry pairs a patron with an item. The damage charge is the fines
ledger's (it names the item, as a lost charge does, so the patron sees what it is for), and its
own audit entry names the patron and the amount; the item's entry says only that it was charged.

The damage charge. The policy matrix has no rule for damage (octavo.policy.rules.LoanRules), so
no charge is ever made by a rule: staff choose to charge and say how much. What policy allows is
this: at most the item's price (its replacement cost, what mark_lost charges for a lost item),
and only by someone who may manage fines at the item's site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.models import AuditEntry
from octavo.audit.services import record as audit
from octavo.circulation.models import CirculationEvent, Loan
from octavo.circulation.services import _route
from octavo.circulation.states import ItemEvent, advance_item
from octavo.db import rows
from octavo.district.models import Site
from octavo.district.selectors import site_by_id
from octavo.fines import services as fines
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.holds.models import Hold
from octavo.patrons.models import Patron
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

# Mending is desk work as much as collection work: a technician, a librarian, and a student
# helper who finds a torn page (seeds: "identify damaged or deteriorating items ... and route
# them appropriately for repair or withdrawal").
CARE = (Action.CATALOG_EDIT, Action.CIRCULATE)
DAMAGED = "damaged"  # the condition mark_damaged writes (weeding_rules.WORN lists it)
MAX_NOTE = 500


def _may_care(actor: Actor, site_id: int | None = None) -> None:
    if site_id is None:
        if not any(may_ever(actor, action) for action in CARE):
            raise PermissionDenied(f"role {actor.role.value} may not look after items")
        return
    for action in CARE:
        if decide(actor, action, site_id=site_id):
            return
    raise PermissionDenied(decide(actor, CARE[0], site_id=site_id).reason, field="site")


def _locked_item(actor: Actor, barcode: str) -> Item:
    _may_care(actor)  # before any lookup: learn nothing
    code = barcode.strip()
    item = rows.one(Item, "barcode = %s", [code], lock=True) if code else None
    if item is None:
        raise NotFound(f"no item with barcode {code!r}", field="item_barcode")
    _may_care(actor, item.site_id)
    return item


def _note(note: str) -> str:
    text = " ".join(note.split())
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters", field="note")
    return text


def _title(item: Item) -> str:
    found = rows.values("SELECT title FROM catalog_record WHERE id = %s", [item.record_id])
    return str(found[0]) if found else ""


def _audit(
    actor: Actor, item: Item, action: str, changes: dict[str, list[Any]], at: datetime
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="item",
        object_id=item.barcode,
        object_repr=f"{item.barcode} {_title(item)[:200]}",
        site_id=item.site_id,
        changes=changes,
        at=at,
    )


def _move(item: Item, event: ItemEvent, at: datetime) -> str:
    before = item.status
    item.status = advance_item(ItemStatus(item.status), event).value
    item.updated_at = at
    rows.update(item, ["status", "updated_at"])
    return before


def send_to_repair(*, actor: Actor, item_barcode: str, at: datetime, note: str = "") -> Item:
    """The item goes to repair or mending: off the shelf (status in repair) until it is back."""
    text = _note(note)
    with transaction.atomic():
        item = _locked_item(actor, item_barcode)
        before = _move(item, ItemEvent.SEND_TO_REPAIR, at)
        changes: dict[str, list[Any]] = {"status": [before, item.status]}
        if text:
            changes["note"] = [None, text]
        _audit(actor, item, "item.repair", changes, at)
    return item


@dataclass(frozen=True)
class BackResult:
    item: Item
    # Where it goes now, as after a check-in: "shelf"; "hold_shelf" (here, for `hold`); or
    # "transit" to `to_site` (the pickup site of `hold`).
    destination: str
    to_site: Site | None
    hold: Hold | None


def back_from_repair(
    *, actor: Actor, item_barcode: str, at: datetime, note: str = "", condition: str = ""
) -> BackResult:
    """The item is mended: it is available again and, like a check-in at its own site, goes to
    a hold waiting for its title if there is one. `condition`: its condition now (e.g. good)."""
    text = _note(note)
    new_condition = " ".join(condition.split())
    if len(new_condition) > 32:  # holdings.models.Item.condition
        raise InvalidInput("a condition is at most 32 characters", field="condition")
    with transaction.atomic():
        item = _locked_item(actor, item_barcode)
        before = _move(item, ItemEvent.BACK_FROM_REPAIR, at)
        changes: dict[str, list[Any]] = {"status": [before, item.status]}
        if new_condition and new_condition != item.condition:
            changes["condition"] = [item.condition, new_condition]
            item.condition = new_condition
            rows.update(item, ["condition"])
        destination, to_site, hold = _route(item, site_by_id(item.site_id), at)
        if item.status != ItemStatus.AVAILABLE.value:
            changes["status"] = [before, item.status]  # trapped for a hold
        if text:
            changes["note"] = [None, text]
        _audit(actor, item, "item.repair_done", changes, at)
    return BackResult(item, destination, to_site, hold)


@dataclass(frozen=True)
class DamageResult:
    item: Item
    charged: Decimal  # 0.00 when no charge was made
    patron: Patron | None  # who was charged


def mark_damaged(
    *,
    actor: Actor,
    item_barcode: str,
    at: datetime,
    note: str = "",
    charge: object = None,
    patron_barcode: str = "",
    repair: bool = False,
) -> DamageResult:
    """The item is damaged: its condition says so, with what happened in `note`. With `charge`
    (an amount), the patron with `patron_barcode` is charged for it, or else the last borrower
    if Octavo still knows who that is; `repair`: it goes to repair at once."""
    text = _note(note)
    amount = fines.money(charge, field="charge") if charge not in (None, "") else None
    with transaction.atomic():
        item = _locked_item(actor, item_barcode)
        patron = None
        if amount is not None:
            decision = decide(actor, Action.FINES_MANAGE, site_id=item.site_id)
            if not decision:
                raise PermissionDenied(decision.reason, field="charge")
            if item.price is not None and amount > item.price:
                raise InvalidInput(
                    f"a damage charge is at most the item's price, {item.price} (what a lost "
                    "copy costs)",
                    field="charge",
                )
            patron = _patron_to_charge(item, patron_barcode)
        changes: dict[str, list[Any]] = {}
        if item.condition != DAMAGED:
            changes["condition"] = [item.condition, DAMAGED]
            item.condition = DAMAGED
            item.updated_at = at
            rows.update(item, ["condition", "updated_at"])
        if text:
            changes["note"] = [None, text]
        if amount is not None and patron is not None:
            fines.charge(
                actor=actor,
                patron=patron,
                charge_type=ChargeType.DAMAGED,
                amount=amount,
                site=site_by_id(item.site_id),
                at=at,
                item=item,
                note=f"damaged: {text}" if text else "damaged",
            )
            changes["charged"] = [None, str(amount)]
        if changes:  # marked damaged again with nothing to add: nothing to record
            _audit(actor, item, "item.damaged", changes, at)
        if repair and item.status != ItemStatus.IN_REPAIR.value:
            before = _move(item, ItemEvent.SEND_TO_REPAIR, at)
            _audit(actor, item, "item.repair", {"status": [before, item.status]}, at)
    return DamageResult(item, amount or Decimal("0.00"), patron)


def _patron_to_charge(item: Item, patron_barcode: str) -> Patron:
    code = patron_barcode.strip()
    if code:
        found = Patron.objects.filter(barcode=code).first()
        if found is None:
            raise NotFound(f"no patron with barcode {code!r}", field="patron_barcode")
        if found.merged_into_id is not None:  # a duplicate's card finds the record that stayed
            found = Patron.objects.get(pk=found.merged_into_id)
        return found
    loan = Loan.objects.filter(item=item).order_by("-checked_out_at", "-id").first()
    if loan is None:
        raise InvalidInput(
            f"{item.barcode} has never been lent: scan the card of the patron to charge",
            field="patron_barcode",
        )
    if loan.patron_id is None:
        raise InvalidInput(
            f"{item.barcode}'s last loan no longer names its patron (their reading history is "
            "off): scan the card of the patron to charge",
            field="patron_barcode",
        )
    return Patron.objects.get(pk=loan.patron_id)


def last_borrower(*, actor: Actor, item_barcode: str) -> Patron | None:
    """Who had the item last, if Octavo still knows: the patron of its open loan, or of its
    last loan while they keep a reading history. None otherwise. For staff who may charge."""
    item = Item.objects.filter(barcode=item_barcode.strip()).first()
    if item is None:
        raise NotFound(f"no item with barcode {item_barcode.strip()!r}", field="item_barcode")
    if not decide(actor, Action.FINES_MANAGE, site_id=item.site_id):
        return None
    loan = Loan.objects.filter(item=item).order_by("-checked_out_at", "-id").first()
    if loan is None or loan.patron_id is None:
        return None
    return Patron.objects.filter(pk=loan.patron_id).first()


# --- the item's history ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One event in an item's life: a staff change (an audit entry: `action` is its code, `by`
    who, `changes` what) or a circulation (`action` is check_out, check_in or renew; `by` is
    empty: statistics rows name no patron and no clerk)."""

    at: datetime
    action: str
    by: str
    site_id: int | None
    changes: dict[str, Any]
    circulation: bool


def item_history(*, actor: Actor, item_barcode: str, limit: int = 200) -> list[HistoryLine]:
    """The item's audit entries and circulation rows, newest first (at most `limit`)."""
    _may_care(actor)
    code = item_barcode.strip()
    item = Item.objects.filter(barcode=code).first() if code else None
    if item is None:
        raise NotFound(f"no item with barcode {code!r}", field="item_barcode")
    changes = [
        HistoryLine(e.at, e.action, e.actor_username, e.site_id, dict(e.changes), False)
        for e in AuditEntry.objects.filter(object_type="item", object_id=item.barcode).order_by(
            "-at", "-id"
        )[:limit]
    ]
    moves = [
        HistoryLine(at, kind, "", site_id, {}, True)
        for kind, at, site_id in CirculationEvent.objects.filter(item=item)
        .order_by("-at", "-id")
        .values_list("kind", "at", "site_id")[:limit]
    ]
    return sorted(changes + moves, key=lambda line: line.at, reverse=True)[:limit]
