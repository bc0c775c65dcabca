"""Check out, check in, renew. The only code that writes loans; the desk, the API and the SIP2
server all call these (STYLE.md, "The one rule").

Each action is one transaction. The item row is locked first, then the patron's: two desks
scanning the same item, or the same patron's card, wait for each other instead of both
passing the checks; the partial unique index on open loans (models.Loan) catches anything
that gets past the locks.

Privacy (issue #4): when a loan ends, the patron link is cleared in the same transaction
unless the patron keeps a reading history; no audit entry pairs a patron with an item.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from octavo.accounts.rules import Action, decide, decide_own, may_ever
from octavo.audit.services import record as audit
from octavo.circulation.errors import Refused
from octavo.circulation.models import CirculationEvent, Loan
from octavo.circulation.states import (
    EventKind,
    ItemEvent,
    LoanEvent,
    LoanStatus,
    advance_item,
    advance_loan,
)
from octavo.db import rows
from octavo.district.models import Site
from octavo.district.selectors import site_by_id, site_id_by_code
from octavo.fines import services as fines
from octavo.fines.selectors import balance
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item, Transit
from octavo.holdings.states import ItemStatus
from octavo.holds import services as holds
from octavo.holds.models import Hold
from octavo.holds.states import HoldStatus
from octavo.patrons.models import Patron
from octavo.policy import rules
from octavo.policy.rules import Block, ItemView, PatronView
from octavo.policy.selectors import calendar_for, circulates, rules_for
from octavo.shared.actor import Actor
from octavo.shared.calendar import due_at
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied, Reason

# A second scan of the same item for the same patron this soon is the scanner repeating
# itself, not a request: it gets the first answer and changes nothing (issue #4, "Bad input").
DOUBLE_SCAN = timedelta(seconds=1)
# Blocks nobody overrides: the item is out to someone else, or is not on the shelf at all.
NEVER_OVERRIDDEN = frozenset({Reason.ITEM_CHECKED_OUT, Reason.ITEM_UNAVAILABLE})


@dataclass(frozen=True)
class CheckoutResult:
    loan: Loan
    due_at: datetime
    repeated: bool = False  # a double scan: the loan made a moment ago, nothing new
    overridden: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class CheckinResult:
    item: Item
    # Who had it (shown at the desk at the moment of return), None when it was not out.
    patron: Patron | None
    late_days: int = 0
    fine: Decimal = Decimal("0.00")
    # Where the item goes now: "shelf"; "hold_shelf" (here, for `hold`); or "transit" to
    # `to_site` (home, or to the pickup site of `hold`).
    destination: str = "shelf"
    to_site: Site | None = None
    was_checked_out: bool = False
    hold: Hold | None = None  # the hold this item now serves, for the slip
    credited: Decimal = Decimal("0.00")  # a lost item found: its replacement cost credited back


@dataclass(frozen=True)
class RenewResult:
    loan: Loan
    due_at: datetime
    overridden: tuple[Reason, ...] = ()


# --- finding what was scanned -------------------------------------------------------------


def _may_circulate(actor: Actor) -> None:
    """Before any lookup: someone who may not circulate anywhere learns nothing, not even
    whether a barcode exists. The site is checked once it is known (_desk_site)."""
    if not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} may not {Action.CIRCULATE.value}")


def _patron_id_by_barcode(barcode: str, *, field: str = "patron_barcode") -> int:
    """The patron's id only, for an action that locks the row later (renew all)."""
    code = barcode.strip()
    found = Patron.objects.filter(barcode=code).order_by().values_list("pk", flat=True).first()
    if found is None:
        raise _no_patron(code, field=field)
    return int(found)


def _no_patron(code: str, *, field: str = "patron_barcode") -> InvalidInput | NotFound:
    if code and Item.objects.filter(barcode=code).exists():
        return InvalidInput(f"{code} is an item's barcode, not a patron's card", field=field)
    return NotFound(f"no patron with barcode {code!r}", field=field)


def _no_item(code: str, *, field: str = "item_barcode") -> InvalidInput | NotFound:
    if code and Patron.objects.filter(barcode=code).exists():
        return InvalidInput(f"{code} is a patron's card, not an item's barcode", field=field)
    return NotFound(f"no item with barcode {code!r}", field=field)


def _find_locked_item(code: str) -> Item | None:
    return rows.one(Item, "barcode = %s", [code], lock=True)


def _locked_item(barcode: str) -> Item:
    """The scanned item, its row locked, inside the action's transaction: an unknown barcode
    is refused there, before anything is written."""
    code = barcode.strip()
    item = _find_locked_item(code)
    if item is None:
        raise _no_item(code)
    return item


def _locked_patron(patron_id: int) -> Patron:
    patron = rows.one(Patron, "id = %s", [patron_id], lock=True)
    if patron is None:
        raise NotFound(f"no patron {patron_id}", field="patron")
    return patron


def _desk_site(actor: Actor, site_code: str | None, item: Item) -> Site:
    """Where the action happens: the site named; else the one site the person works at (a
    technician at North checking in South's book is at North); else the item's own site."""
    if site_code:
        site_id = site_id_by_code(site_code.strip().upper())
        if site_id is None:
            raise NotFound(f"no site with code {site_code!r}", field="site")
        site = site_by_id(site_id)
    elif len(actor.site_ids) == 1:
        site = site_by_id(next(iter(actor.site_ids)))
    else:
        site = site_by_id(item.site_id)
    decision = decide(actor, Action.CIRCULATE, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    return site


def open_loan(item: Item) -> Loan | None:
    """The item's open loan, through the partial index on open loans (the desk's services and
    the kiosk's item information). An item on the shelf has none (its status says so, and the
    partial unique index on open loans would refuse a second one), so it is not looked for."""
    if item.status == ItemStatus.AVAILABLE.value:
        return None
    # 'open' written into the SQL, not bound: to use the partial index on open loans with a
    # bound value, SQLite prepares the statement again each time the value is bound (27
    # microseconds a lookup against 4 with the literal; docs/benchmarks.md, SIP2).
    return rows.one(Loan, "item_id = %s AND status = 'open'", [item.pk])


def _lent(actor: Actor, barcode: str, site_code: str | None) -> tuple[Item, Site, Loan, Patron]:
    """For an action on a loan (renew, lost, claimed returned): the item and its patron locked,
    the desk's site checked; refused when the item is not out."""
    item = _locked_item(barcode)
    site = _desk_site(actor, site_code, item)
    loan = open_loan(item)
    if loan is None or loan.patron_id is None:
        raise Refused([Block(Reason.NOT_CHECKED_OUT, f"{item.barcode} is not checked out")])
    return item, site, loan, _locked_patron(loan.patron_id)


def _patron_view(patron: Patron, *, at: datetime, material_type_id: int | None) -> PatronView:
    overdue, counted = _open_loan_counts(patron.pk, at=at, material_type_id=material_type_id)
    return PatronView(
        status=patron.status,
        card_expires=patron.card_expires,
        balance=balance(patron.pk),
        overdue_count=overdue,
        loans_counted=counted,
    )


_COUNTS = (
    "SELECT COALESCE(SUM(CASE WHEN l.due_at < %s THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN i.material_type_id = %s THEN 1 ELSE 0 END), 0), COUNT(*) "
    "FROM circulation_loan l JOIN holdings_item i ON i.id = l.item_id "
    "WHERE l.patron_id = %s AND l.status = 'open'"
)


def _open_loan_counts(
    patron_id: int, *, at: datetime, material_type_id: int | None
) -> tuple[int, int]:
    """(overdue at `at`, counted against a rule for `material_type_id`: of that material type,
    or all of them for a rule of any material type) over the patron's open loans."""
    # Sums: always one row.
    overdue, of_type, every = rows.table(_COUNTS, [rows.moment(at), material_type_id, patron_id])[0]
    return int(overdue), int(every if material_type_id is None else of_type)


def _item_view(item: Item, trapped: Hold | None, patron: Patron) -> ItemView:
    return ItemView(
        status=item.status,
        circulates=circulates(item.material_type_id),
        on_hold_for_someone_else=trapped is not None and trapped.patron_id != patron.pk,
    )


def _allow_overrides(
    actor: Actor,
    blocks: list[Block],
    overrides: Collection[str],
    *,
    site: Site,
    patron: Patron,
    action: str,
    at: datetime,
    note: str = "",
) -> tuple[Reason, ...]:
    """Raise Refused unless every block is overridden by someone allowed to; audit the
    override (the patron and the reasons, not the item)."""
    if not blocks:
        return ()
    wanted = {str(o) for o in overrides}
    standing = [b for b in blocks if b.reason.value not in wanted or b.reason in NEVER_OVERRIDDEN]
    if standing:
        raise Refused(standing)
    decision = decide(actor, Action.OVERRIDE, site_id=site.id)
    if not decision:
        raise PermissionDenied(f"{decision.reason}: {blocks[0].message}", field="override")
    reasons = tuple(b.reason for b in blocks)
    audit(
        actor=actor,
        action=f"{action}.override",
        object_type="patron",
        object_id=patron.pk,
        object_repr=f"{patron.barcode} {patron.last_name}, {patron.first_name}",
        site_id=site.id,
        changes={
            "overridden": [None, [r.value for r in reasons]],
            **({"note": [None, note.strip()[:500]]} if note.strip() else {}),
        },
        at=at,
    )
    return reasons


def _event(kind: EventKind, *, item: Item, site: Site, patron: Patron | None, at: datetime) -> None:
    rows.create(
        CirculationEvent(
            kind=kind.value,
            at=at,
            site=site,
            item=item,
            patron_type_id=patron.patron_type_id if patron else None,
            grade=patron.grade if patron else "",
        )
    )


# --- check out ----------------------------------------------------------------------------


def check_out(
    *,
    actor: Actor,
    patron_barcode: str,
    item_barcode: str,
    at: datetime,
    site_code: str | None = None,
    overrides: Collection[str] = frozenset(),
    override_note: str = "",
) -> CheckoutResult:
    """Lend the item to the patron, due by the policy for this site, patron type and material
    type; refused (Refused, with every block) unless each block is overridden by a role that
    may."""
    _may_circulate(actor)
    try:
        with transaction.atomic():
            return _check_out(
                actor, patron_barcode, item_barcode, at, site_code, overrides, override_note
            )
    except IntegrityError as error:
        # Two check-outs of one item passed the row lock (it cannot happen on either
        # database, but the index is the last word): the second one is refused.
        raise Refused([Block(Reason.ITEM_CHECKED_OUT, "this item was just checked out")]) from error


def _check_out(
    actor: Actor,
    patron_barcode: str,
    item_barcode: str,
    at: datetime,
    site_code: str | None,
    overrides: Collection[str],
    override_note: str,
) -> CheckoutResult:
    # The item's row is locked first, then the patron's (every action locks in this order).
    item_code, patron_code = item_barcode.strip(), patron_barcode.strip()
    item = _find_locked_item(item_code)
    patron = rows.one(Patron, "barcode = %s", [patron_code], lock=True)
    if patron is None:
        raise _no_patron(patron_code)
    if patron.merged_into_id is not None:  # a duplicate's card finds the record that stayed
        patron = _locked_patron(patron.merged_into_id)
    if item is None:
        raise _no_item(item_code)
    site = _desk_site(actor, site_code, item)
    current = open_loan(item)
    if current is not None:
        if current.patron_id == patron.pk and at - current.checked_out_at <= DOUBLE_SCAN:
            return CheckoutResult(current, current.due_at, repeated=True)
        whose = "this patron" if current.patron_id == patron.pk else "another patron"
        message = f"{item.barcode} is already checked out to {whose}"
        hint = ": renew it instead" if current.patron_id == patron.pk else ": check it in first"
        raise Refused([Block(Reason.ITEM_CHECKED_OUT, message + hint)])
    resolved = rules_for(
        site_id=site.id,
        patron_type_id=patron.patron_type_id,
        material_type_id=item.material_type_id,
    )
    view = _patron_view(patron, at=at, material_type_id=resolved.material_type_id)
    calendar = calendar_for(site.id)
    trapped = _trapped_hold(item)
    blocks = rules.checkout_blocks(
        view, _item_view(item, trapped, patron), resolved.rules, today=calendar.local_date(at)
    )
    overridden = _allow_overrides(
        actor, blocks, overrides, site=site, patron=patron, action="loan", at=at, note=override_note
    )
    due = due_at(
        start=at, days=resolved.rules.loan_days, hours=resolved.rules.loan_hours, calendar=calendar
    )
    loan = rows.create(
        Loan(
            item=item,
            patron=patron,
            patron_type_id=patron.patron_type_id,
            grade=patron.grade,
            site=site,
            status=LoanStatus.OPEN.value,
            checked_out_at=at,
            due_at=due,
        )
    )
    if trapped is not None and trapped.patron_id != patron.pk:
        holds.release(trapped)  # overridden: the other patron waits for the next copy
    holds.fulfil(patron, item, at=at)
    if item.status == ItemStatus.IN_TRANSIT.value:
        _close_transit(item, at)
    item.status = advance_item(ItemStatus(item.status), ItemEvent.CHECK_OUT).value
    # Seen at the desk: an inventory's "last seen" (issue #8) counts the desk's hands too.
    item.updated_at = item.last_seen_at = at
    rows.update(item, ["status", "updated_at", "last_seen_at"])
    _event(EventKind.CHECK_OUT, item=item, site=site, patron=patron, at=at)
    return CheckoutResult(loan, due, overridden=overridden)


def _trapped_hold(item: Item) -> Hold | None:
    """The hold the item is trapped for: only an item in transit or on the hold shelf can be."""
    if item.status not in (ItemStatus.IN_TRANSIT.value, ItemStatus.ON_HOLD_SHELF.value):
        return None
    return holds.trapped_hold(item)


# --- check in -----------------------------------------------------------------------------


def check_in(
    *, actor: Actor, item_barcode: str, at: datetime, site_code: str | None = None
) -> CheckinResult:
    """Take the item back at the desk's site: end its loan (charging any overdue fine as the
    policy says), clear the patron link unless they keep a reading history, and say where the
    item goes: its shelf, or in transit to its own site."""
    _may_circulate(actor)
    with transaction.atomic():
        item = _locked_item(item_barcode)
        site = _desk_site(actor, site_code, item)
        loan = open_loan(item)
        patron = None
        late, fine = 0, Decimal("0.00")
        credited = Decimal("0.00")
        if loan is not None:
            patron, late, fine = _end_loan(actor, loan, item, site, at)
        elif item.status == ItemStatus.LOST.value:
            credited = _credit_found(actor, item, site, at)
        destination, to_site, hold = _route(item, site, at)
        _event(EventKind.CHECK_IN, item=item, site=site, patron=patron, at=at)
    return CheckinResult(
        item=item,
        patron=patron,
        late_days=late,
        fine=fine,
        destination=destination,
        to_site=to_site,
        was_checked_out=loan is not None,
        hold=hold,
        credited=credited,
    )


def _end_loan(
    actor: Actor, loan: Loan, item: Item, site: Site, at: datetime
) -> tuple[Patron | None, int, Decimal]:
    patron = _locked_patron(loan.patron_id) if loan.patron_id else None
    late, fine = 0, Decimal("0.00")
    if patron is not None:
        resolved = rules_for(
            site_id=loan.site_id,
            patron_type_id=loan.patron_type_id,
            material_type_id=item.material_type_id,
        )
        late, fine = rules.overdue_fine(
            due=loan.due_at, returned=at, rules=resolved.rules, calendar=calendar_for(loan.site_id)
        )
        if fine > 0:
            fines.charge(
                actor=None,
                patron=patron,
                charge_type=ChargeType.OVERDUE,
                amount=fine,
                site=site,
                at=at,
                # The item stays on the charge only for a patron who keeps a history.
                item=item if patron.keeps_reading_history else None,
                note=f"returned {late} open day{'s' if late != 1 else ''} late",
                by=actor.username,
            )
    if patron is not None:
        _end(loan, LoanEvent.CHECK_IN, patron, site, at)
    else:
        loan.status = advance_loan(LoanStatus(loan.status), LoanEvent.CHECK_IN).value
        loan.ended_at, loan.returned_site = at, site
        loan.save(update_fields=["status", "ended_at", "returned_site"])
    return patron, late, fine


def _close_transit(item: Item, at: datetime) -> None:
    Transit.objects.filter(item=item, arrived_at__isnull=True).update(arrived_at=at)


def _send(item: Item, event: ItemEvent, *, here: Site, to: Site, at: datetime) -> None:
    if item.status == ItemStatus.IN_TRANSIT.value:
        _close_transit(item, at)
    item.status = advance_item(ItemStatus(item.status), event).value
    if event is ItemEvent.CHECK_IN_ELSEWHERE:
        rows.create(Transit(item=item, from_site=here, to_site=to, sent_at=at))
    item.updated_at = item.last_seen_at = at
    rows.update(item, ["status", "updated_at", "last_seen_at"])


def _route(item: Item, site: Site, at: datetime) -> tuple[str, Site | None, Hold | None]:
    """Where an item checked in at `site` goes: to the hold it is trapped for, else to the
    next hold in its title's queue, else home. Returns (destination, to_site, hold)."""
    hold = _trapped_hold(item)
    if hold is None:
        hold = holds.next_hold_for(item, at=at)
        if hold is not None:
            holds.trap(hold, item, here=site, at=at)
    elif hold.status == HoldStatus.IN_TRANSIT.value and hold.pickup_site_id == site.id:
        holds.make_ready(hold, at=at)  # arrived at the pickup site
    if hold is not None:
        if hold.pickup_site_id == site.id:
            _send(item, ItemEvent.CHECK_IN_FOR_HOLD, here=site, to=site, at=at)
            return "hold_shelf", None, hold
        _send(item, ItemEvent.CHECK_IN_ELSEWHERE, here=site, to=hold.pickup_site, at=at)
        return "transit", hold.pickup_site, hold
    if item.site_id != site.id:
        home = site_by_id(item.site_id)
        _send(item, ItemEvent.CHECK_IN_ELSEWHERE, here=site, to=home, at=at)
        return "transit", home, None
    event = ItemEvent.ARRIVE if item.status == ItemStatus.IN_TRANSIT.value else ItemEvent.CHECK_IN
    _send(item, event, here=site, to=site, at=at)
    return "shelf", None, None


def cancel_hold(
    *, actor: Actor, hold_id: int, at: datetime, patron_id: int | None = None
) -> tuple[Hold, str]:
    """Cancel a hold; an item waiting for it on the hold shelf goes to the next hold or home.
    Returns the hold and where its item went ("" when it had none on the shelf)."""
    with transaction.atomic():
        hold, item = holds.cancel_hold(actor=actor, hold_id=hold_id, at=at, patron_id=patron_id)
        if item is not None and item.status == ItemStatus.ON_HOLD_SHELF.value:
            locked = _locked_item(item.barcode)
            destination, _to, _next = _route(locked, hold.pickup_site, at)
            return hold, destination
    return hold, ""


def expire_holds(*, at: datetime) -> int:
    """Holds left on the shelf past their last day: expired, their items sent on."""
    with transaction.atomic():
        expired = holds.expire_ready_holds(at=at)
        for hold, item in expired:
            if item.status == ItemStatus.ON_HOLD_SHELF.value:
                _route(_locked_item(item.barcode), hold.pickup_site, at)
    return len(expired)


# --- renew --------------------------------------------------------------------------------


def renew(
    *,
    actor: Actor,
    item_barcode: str,
    at: datetime,
    site_code: str | None = None,
    overrides: Collection[str] = frozenset(),
    override_note: str = "",
    patron_barcode: str | None = None,
) -> RenewResult:
    """Extend an open loan by the policy's loan period from now (never shortening it).
    `patron_barcode`: only if the item is out to this patron (a kiosk renewing for the
    patron at it)."""
    _may_circulate(actor)
    with transaction.atomic():
        item, site, loan, patron = _lent(actor, item_barcode, site_code)
        if patron_barcode is not None and patron.barcode != patron_barcode.strip():
            raise Refused(
                [Block(Reason.NOT_CHECKED_OUT, f"{item.barcode} is not checked out to this patron")]
            )
        return _renew(actor, loan, item, patron, site, at, overrides, override_note)


def _renew(
    actor: Actor,
    loan: Loan,
    item: Item,
    patron: Patron,
    site: Site,
    at: datetime,
    overrides: Collection[str],
    override_note: str = "",
) -> RenewResult:
    resolved = rules_for(
        site_id=loan.site_id,
        patron_type_id=loan.patron_type_id,
        material_type_id=item.material_type_id,
    )
    calendar = calendar_for(loan.site_id)
    view = _patron_view(patron, at=at, material_type_id=resolved.material_type_id)
    blocks = rules.renewal_blocks(
        view,
        resolved.rules,
        renewals_done=loan.renewals,
        on_hold_for_someone_else=holds.waiting_for_others(item, patron, at=at),
        today=calendar.local_date(at),
    )
    overridden = _allow_overrides(
        actor,
        blocks,
        overrides,
        site=site,
        patron=patron,
        action="loan.renew",
        at=at,
        note=override_note,
    )
    due = due_at(
        start=at, days=resolved.rules.loan_days, hours=resolved.rules.loan_hours, calendar=calendar
    )
    loan.status = advance_loan(LoanStatus(loan.status), LoanEvent.RENEW).value
    loan.due_at = max(due, loan.due_at)
    loan.renewals += 1
    rows.update(loan, ["status", "due_at", "renewals"])
    _event(EventKind.RENEW, item=item, site=site, patron=patron, at=at)
    return RenewResult(loan, loan.due_at, overridden)


def renew_own(*, actor: Actor, item_barcode: str, at: datetime) -> RenewResult:
    """A card holder renews one of their own loans in the OPAC (Actor.card_holder). The same
    renewal rules as at the desk, at the loan's site, with no overrides. An item that is not
    out to them is "not found": the OPAC never tells one patron about another's loans."""
    if not may_ever(actor, Action.SELF_SERVICE) or not actor.patron_ids:
        raise PermissionDenied("renew_own is for a card holder's own loans", field="patron")
    with transaction.atomic():
        item = _find_locked_item(item_barcode.strip())
        loan = open_loan(item) if item is not None else None
        if item is None or loan is None or loan.patron_id is None:
            raise NotFound(f"no loan of {item_barcode.strip()!r} on this card", field="item")
        if not decide_own(actor, Action.SELF_SERVICE, patron_id=loan.patron_id):
            raise NotFound(f"no loan of {item_barcode.strip()!r} on this card", field="item")
        patron = _locked_patron(loan.patron_id)
        return _renew(actor, loan, item, patron, site_by_id(loan.site_id), at, frozenset())


@dataclass(frozen=True)
class RenewAllLine:
    item_barcode: str
    result: RenewResult | None
    refused: Refused | None


def renew_all(
    *, actor: Actor, patron_barcode: str, at: datetime, site_code: str | None = None
) -> list[RenewAllLine]:
    """Renew each of the patron's loans that may be renewed; say why for the others."""
    _may_circulate(actor)
    patron_id = _patron_id_by_barcode(patron_barcode)
    barcodes = list(
        Loan.objects.filter(patron_id=patron_id, status=LoanStatus.OPEN.value)
        .order_by("due_at", "item__barcode")
        .values_list("item__barcode", flat=True)
    )
    lines = []
    for barcode in barcodes:
        try:
            result = renew(actor=actor, item_barcode=barcode, at=at, site_code=site_code)
            lines.append(RenewAllLine(barcode, result, None))
        except Refused as refused:
            lines.append(RenewAllLine(barcode, None, refused))
    return lines


# --- lost, claimed returned, found ---------------------------------------------------------


@dataclass(frozen=True)
class LostResult:
    loan: Loan
    charged: Decimal  # replacement cost plus processing fee


def mark_lost(
    *, actor: Actor, item_barcode: str, at: datetime, site_code: str | None = None
) -> LostResult:
    """The patron lost it: the loan ends as lost, the item is lost, and the patron is charged
    the item's price (its replacement cost) plus the policy's processing fee. The charges name
    the item, so that a refund can follow if it turns up (check_in). It charges money, so it
    needs the right to manage fines at the desk's site (a student helper cannot)."""
    _may_circulate(actor)
    with transaction.atomic():
        item, site, loan, patron = _lent(actor, item_barcode, site_code)
        decision = decide(actor, Action.FINES_MANAGE, site_id=site.id)
        if not decision:
            raise PermissionDenied(decision.reason, field="site")
        resolved = rules_for(
            site_id=loan.site_id,
            patron_type_id=loan.patron_type_id,
            material_type_id=item.material_type_id,
        )
        charged = Decimal("0.00")
        for charge_type, amount, note in (
            (ChargeType.LOST, item.price, "replacement cost"),
            (ChargeType.PROCESSING, resolved.rules.processing_fee, "processing fee"),
        ):
            if amount:
                fines.charge(
                    actor=None,
                    patron=patron,
                    charge_type=charge_type,
                    amount=Decimal(amount),
                    site=site,
                    at=at,
                    item=item,
                    note=note,
                    by=actor.username,
                )
                charged += Decimal(amount)
        _end(loan, LoanEvent.MARK_LOST, patron, site, at)
        item.status = advance_item(ItemStatus(item.status), ItemEvent.MARK_LOST).value
        item.updated_at = at
        item.save(update_fields=["status", "updated_at"])
    return LostResult(loan, charged)


def claim_returned(
    *, actor: Actor, item_barcode: str, at: datetime, site_code: str | None = None
) -> Loan:
    """The patron says they brought it back: the loan ends with no fine and the item is
    missing until it is found (checked in)."""
    _may_circulate(actor)
    with transaction.atomic():
        item, site, loan, patron = _lent(actor, item_barcode, site_code)
        _end(loan, LoanEvent.CLAIM_RETURNED, patron, site, at)
        item.status = advance_item(ItemStatus(item.status), ItemEvent.CLAIM_RETURNED).value
        item.updated_at = at
        item.save(update_fields=["status", "updated_at"])
    return loan


def _end(loan: Loan, event: LoanEvent, patron: Patron, site: Site, at: datetime) -> None:
    loan.status = advance_loan(LoanStatus(loan.status), event).value
    loan.ended_at = at
    loan.returned_site = site if event is LoanEvent.CHECK_IN else None
    if not patron.keeps_reading_history:
        loan.patron = None
    rows.update(loan, ["status", "ended_at", "returned_site", "patron"])


def _credit_found(actor: Actor, item: Item, site: Site, at: datetime) -> Decimal:
    """A lost item has come back: its replacement cost is credited back to whoever was charged
    (what was unpaid is waived; what was paid becomes credit, refunded at the desk). The
    processing fee stands: the work was done."""
    credited = Decimal("0.00")
    for entry in fines.lost_charges_for(item):
        fines.credit_charge(entry, site=site, at=at, by=actor.username, note="lost item returned")
        credited += Decimal(entry.amount)
    return credited


def open_loans(patron: Patron) -> list[Loan]:
    """The patron's loans, soonest due first (the desk's list)."""
    return list(
        Loan.objects.filter(patron=patron, status=LoanStatus.OPEN.value)
        .select_related("item", "item__record")
        .order_by("due_at", "item__barcode")
    )
