"""Placing, cancelling and suspending holds. The only code that writes holds, except the
trapping and fulfilling that circulation does when an item is checked in or out (it calls
`trap` and `fulfil` here, in its own transaction).

A hold is refused (Refused, with reasons, as a check-out is) when the patron's card is
blocked or expired, when they are at their hold limit, when they already have an active hold
on the title, or when the title has no copy that may be lent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q

from octavo.accounts.rules import Action, decide, decide_own, may_ever
from octavo.catalog.models import Record
from octavo.db import rows
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.holds.states import ACTIVE, HoldEvent, HoldStatus, advance
from octavo.patrons.models import Patron
from octavo.policy.rules import Block
from octavo.policy.selectors import calendar_for, rules_for
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, OctavoError, PermissionDenied, Reason

_ACTIVE = [s.value for s in ACTIVE]


class HoldRefused(OctavoError):
    def __init__(self, blocks: list[Block]):
        super().__init__("; ".join(b.message for b in blocks), reason=blocks[0].reason)
        self.blocks = tuple(blocks)


def _require(actor: Actor, site_id: int) -> None:
    decision = decide(actor, Action.CIRCULATE, site_id=site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def place_hold(
    *,
    actor: Actor,
    patron_id: int | None = None,
    patron_barcode: str = "",
    record_id: int,
    pickup_site_code: str,
    at: datetime,
    item_barcode: str = "",
) -> Hold:
    """A title-level hold (any copy), or a copy-level one when an item is named. Staff place
    holds at the pickup site they work at; a card holder in the OPAC (Actor.card_holder)
    places their own, for pickup at any active site."""
    own = bool(actor.patron_ids)
    if own:
        if patron_id is None and len(actor.patron_ids) == 1:
            (patron_id,) = actor.patron_ids
        if patron_id is None:
            raise InvalidInput("say whose hold this is", field="patron")
        decision = decide_own(actor, Action.SELF_SERVICE, patron_id=patron_id)
        if not decision:
            raise PermissionDenied(decision.reason, field="patron")
        patron_barcode = ""
    elif not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} may not place holds")
    site = Site.objects.filter(code=pickup_site_code.strip().upper(), is_active=True).first()
    if site is None:
        raise NotFound(f"no pickup site {pickup_site_code!r}", field="pickup_site")
    if not own:
        _require(actor, site.id)
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"no record {record_id}", field="record")
    item = None
    if item_barcode.strip():
        item = Item.objects.filter(barcode=item_barcode.strip(), record=record).first()
        if item is None:
            raise NotFound(
                f"record {record_id} has no item {item_barcode.strip()!r}", field="item_barcode"
            )
    with transaction.atomic():
        patrons = Patron.objects.select_for_update(of=("self",)).select_related("patron_type")
        if patron_id is not None:
            patron = patrons.filter(pk=patron_id).first()
        else:
            patron = patrons.filter(barcode=patron_barcode.strip()).first()
        if patron is None:
            raise NotFound(
                f"no patron {patron_id if patron_id is not None else patron_barcode!r}",
                field="patron_barcode" if patron_id is None else "patron",
            )
        blocks = _hold_blocks(patron, record, site, at)
        if blocks:
            raise HoldRefused(blocks)
        return Hold.objects.create(
            patron=patron,
            record=record,
            item=item,
            copy_level=item is not None,
            pickup_site=site,
            status=HoldStatus.WAITING.value,
            placed_at=at,
        )


def _hold_blocks(patron: Patron, record: Record, site: Site, at: datetime) -> list[Block]:
    today = calendar_for(site.id).local_date(at)
    blocks = []
    if patron.status == "blocked":
        blocks.append(Block(Reason.PATRON_BLOCKED, "the patron's card is blocked"))
    if patron.status == "expired" or (patron.card_expires and patron.card_expires < today):
        blocks.append(Block(Reason.PATRON_EXPIRED, "the patron's card has expired"))
    limit = rules_for(
        site_id=site.id, patron_type_id=patron.patron_type_id, material_type_id=None
    ).rules.hold_limit
    active = Hold.objects.filter(patron=patron, status__in=_ACTIVE)
    if active.count() >= limit:
        blocks.append(
            Block(Reason.LIMIT_REACHED, f"the patron already has {limit} holds (the limit)")
        )
    if active.filter(record=record).exists():
        blocks.append(Block(Reason.DUPLICATE, "the patron already has a hold on this title"))
    lendable = Item.objects.filter(record=record).exclude(status="withdrawn")
    if not lendable.exclude(material_type__circulates=False).exists():
        blocks.append(
            Block(Reason.ITEM_NOT_FOR_LOAN, "this title has no copy that can be checked out")
        )
    return blocks


def _own_patron(actor: Actor, patron_id: int | None) -> int | None:
    """A card holder acts on their own holds only: the patron is theirs, whatever was asked."""
    if not actor.patron_ids:
        return patron_id
    if patron_id is None and len(actor.patron_ids) == 1:
        (patron_id,) = actor.patron_ids
    decision = decide_own(actor, Action.SELF_SERVICE, patron_id=patron_id or 0)
    if not decision:
        raise PermissionDenied(decision.reason, field="patron")
    return patron_id


def _locked_hold(hold_id: int) -> Hold:
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("patron", "pickup_site")
        .filter(pk=hold_id)
        .first()
    )
    if hold is None:
        raise NotFound(f"no hold {hold_id}", field="hold")
    return hold


def cancel_hold(
    *, actor: Actor, hold_id: int, at: datetime, patron_id: int | None = None
) -> tuple[Hold, Item | None]:
    """Cancel a hold. `patron_id`: only if it is this patron's (the OPAC: another patron's hold
    id is "not found", not "forbidden"). A card holder (Actor.card_holder) cancels only their
    own. Returns the hold and, when it had trapped an item, that item, which circulation then
    sends on (the next hold, or home)."""
    patron_id = _own_patron(actor, patron_id)
    with transaction.atomic():
        hold = _locked_hold(hold_id)
        if patron_id is not None and hold.patron_id != patron_id:
            raise NotFound(f"no hold {hold_id}", field="hold")
        if patron_id is None:
            _require(actor, hold.pickup_site_id)
        freed = hold.item if hold.status in (HoldStatus.IN_TRANSIT, HoldStatus.READY) else None
        _end(hold, HoldEvent.CANCEL, at)
        return hold, freed


def suspend_hold(
    *, actor: Actor, hold_id: int, until: date | None, at: datetime, patron_id: int | None = None
) -> Hold:
    """Pass a waiting hold over until `until` (None: resume now)."""
    patron_id = _own_patron(actor, patron_id)
    with transaction.atomic():
        hold = _locked_hold(hold_id)
        if patron_id is not None and hold.patron_id != patron_id:
            raise NotFound(f"no hold {hold_id}", field="hold")
        if patron_id is None:
            _require(actor, hold.pickup_site_id)
        if hold.status != HoldStatus.WAITING.value:
            raise InvalidInput("only a waiting hold can be suspended", field="hold")
        if until is not None and until <= calendar_for(hold.pickup_site_id).local_date(at):
            raise InvalidInput("suspend until a day after today", field="until")
        hold.suspended_until = until
        hold.save(update_fields=["suspended_until"])
        return hold


def _end(hold: Hold, event: HoldEvent, at: datetime) -> None:
    hold.status = advance(HoldStatus(hold.status), event).value
    hold.ended_at = at
    # Privacy: an ended hold keeps no patron unless they keep a reading history.
    if hold.patron is not None and not hold.patron.keeps_reading_history:
        hold.patron = None
    hold.save(update_fields=["status", "ended_at", "patron"])


# --- called by circulation, inside its transaction ----------------------------------------


def next_hold_for(item: Item, *, at: datetime) -> Hold | None:
    """The hold this item should fill: copy-level holds on it first, then the title's queue,
    oldest first, passing over suspended holds and holds already trapped. Asked on every
    check-in, so read by key (octavo.db.rows)."""
    return rows.one(
        Hold,
        "record_id = %s AND status = %s"
        " AND (suspended_until IS NULL OR suspended_until <= %s)"
        " AND (copy_level = %s OR item_id = %s)"
        " ORDER BY copy_level DESC, placed_at, id",
        [item.record_id, HoldStatus.WAITING.value, at.date(), False, item.pk],
        lock=True,
    )


def trap(hold: Hold, item: Item, *, here: Site, at: datetime) -> None:
    """The item is checked in at `here` and fills `hold`: onto the hold shelf when `here` is
    the pickup site, else in transit to it (circulation moves the item)."""
    hold.item = item
    hold.trapped_at = at
    if hold.pickup_site_id == here.id:
        make_ready(hold, at=at, event=HoldEvent.TRAP_HERE)
    else:
        hold.status = advance(HoldStatus(hold.status), HoldEvent.TRAP_ELSEWHERE).value
        hold.save(update_fields=["item", "trapped_at", "status"])


def make_ready(hold: Hold, *, at: datetime, event: HoldEvent = HoldEvent.ARRIVE) -> None:
    """On the pickup site's hold shelf: it waits there the policy's days, to closing time."""
    site = hold.pickup_site
    calendar = calendar_for(site.id)
    days = rules_for(
        site_id=site.id,
        patron_type_id=hold.patron.patron_type_id if hold.patron else 0,
        material_type_id=hold.item.material_type_id if hold.item else None,
    ).rules.hold_shelf_days
    last = calendar.next_open_day(calendar.local_date(at) + timedelta(days=days))
    hold.status = advance(HoldStatus(hold.status), event).value
    hold.ready_at = at
    hold.expires_at = calendar.closing_on(last)
    hold.save(update_fields=["item", "trapped_at", "status", "ready_at", "expires_at"])


def trapped_hold(item: Item) -> Hold | None:
    """The hold this item is trapped for (in transit to it, or on its shelf), if any."""
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("patron", "pickup_site")
        .filter(item=item, status__in=[HoldStatus.IN_TRANSIT.value, HoldStatus.READY.value])
        .first()
    )


def fulfil(patron: Patron, item: Item, *, at: datetime) -> Hold | None:
    """A check-out to `patron` fills their hold on this item's title, if they have one."""
    # Asked on every check-out, and nearly always answered "none": read by key (octavo.db.rows).
    hold = rows.one(
        Hold,
        f"patron_id = %s AND record_id = %s AND status IN ({', '.join(['%s'] * len(_ACTIVE))})"
        " ORDER BY placed_at",
        [patron.pk, item.record_id, *_ACTIVE],
        lock=True,
    )
    if hold is not None:
        hold.patron = patron
        hold.item = item
        hold.save(update_fields=["item"])
        _end(hold, HoldEvent.CHECK_OUT, at)
    return hold


def expire_ready_holds(*, at: datetime) -> list[tuple[Hold, Item]]:
    """Holds left on the shelf past their last day: expired. Returns each with its item, which
    circulation sends on (the next hold, or home). The nightly job calls this."""
    expired = []
    with transaction.atomic():
        due = (
            Hold.objects.select_for_update(of=("self",))
            .select_related("patron", "item")
            .filter(status=HoldStatus.READY.value, expires_at__lt=at)
        )
        for hold in due:
            item = hold.item
            _end(hold, HoldEvent.EXPIRE, at)
            if item is not None:
                expired.append((hold, item))
    return expired


def waiting_for_others(item: Item, patron: Patron, *, at: datetime) -> bool:
    """Is another patron waiting for this title (a renewal would keep it from them)?"""
    return (
        Hold.objects.filter(record_id=item.record_id, status=HoldStatus.WAITING.value)
        .exclude(patron=patron)
        .exclude(suspended_until__gt=at.date())
        .filter(Q(copy_level=False) | Q(item=item))
        .exists()
    )


def release(hold: Hold) -> None:
    """An item trapped for `hold` went to someone else (an override at the desk): the hold
    waits in the queue again, in its old place."""
    hold.status = advance(HoldStatus(hold.status), HoldEvent.RELEASE).value
    hold.item = None if not hold.copy_level else hold.item
    hold.trapped_at = hold.ready_at = hold.expires_at = None
    hold.save(update_fields=["status", "item", "trapped_at", "ready_at", "expires_at"])


def cancel_duplicate(hold: Hold, *, at: datetime) -> None:
    """Two patron records merged, each with a hold on the same title: the duplicate's waiting
    hold is cancelled (circulation.merge); the patron keeps the other and its place."""
    _end(hold, HoldEvent.CANCEL, at)
