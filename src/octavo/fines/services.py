"""Writing the ledger: charges, payments, waivers and refunds. Append-only: a mistake is set
right by a new entry, never by changing one (migration 0002 enforces it in the database).

A payment or waiver is applied to the patron's open charges oldest first, one entry per charge
settled, so every charge shows what settled it; what is left over (a patron paying ahead, when
policy allows credit) is an entry that names no charge.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.fines.errors import OverBalance
from octavo.fines.models import LedgerEntry
from octavo.fines.selectors import balance, open_charges
from octavo.fines.states import ChargeType, EntryKind, PaymentMethod
from octavo.holdings.models import Item
from octavo.patrons.models import Patron
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

CENT = Decimal("0.01")


def money(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals, from text or a Decimal (never a float)."""
    if isinstance(value, float | bool):
        raise InvalidInput("give the amount as text or a decimal, not a float", field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount of money", field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("must be more than 0", field=field)
    # Before quantize, which raises InvalidOperation for 1e30 (more digits than the context's
    # precision) instead of answering.
    if amount >= Decimal("10000000"):
        raise InvalidInput("too large", field=field)
    if amount != amount.quantize(CENT):
        raise InvalidInput("at most two decimals (cents)", field=field)
    return amount


def _require(actor: Actor, action: Action, site: Site) -> None:
    decision = decide(actor, action, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def _site(actor: Actor, action: Action, code: str) -> Site:
    site = Site.objects.filter(code=code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {code!r}", field="site")
    _require(actor, action, site)
    return site


def _locked_patron(patron_id: int) -> Patron:
    # The patron row is the lock for their ledger: two desks taking a payment at once must
    # not both see the same balance.
    patron = Patron.objects.select_for_update(of=("self",)).filter(pk=patron_id).first()
    if patron is None:
        raise NotFound(f"no patron {patron_id}", field="patron")
    return patron


def charge(
    *,
    actor: Actor | None,
    patron: Patron,
    charge_type: ChargeType,
    amount: Decimal,
    site: Site,
    at: datetime,
    item: Item | None = None,
    note: str = "",
    by: str = "",
) -> LedgerEntry:
    """A charge. Circulation calls this inside its own transaction (actor None: the rule
    decided, e.g. an overdue fine on check-in); staff charges (manual, damaged) need
    FINES_MANAGE at the site."""
    if actor is not None:
        _require(actor, Action.FINES_MANAGE, site)
    entry = LedgerEntry.objects.create(
        patron=patron,
        kind=EntryKind.CHARGE.value,
        charge_type=charge_type.value,
        amount=money(amount),
        item=item,
        site=site,
        note=note[:500],
        at=at,
        by=(actor.username if actor else by)[:150],
    )
    if actor is not None:
        _audit(actor, entry, "ledger.charge")
    return entry


def _audit(actor: Actor, entry: LedgerEntry, action: str) -> None:
    # The audit entry names the patron and the money, never the item's title (privacy).
    audit(
        actor=actor,
        action=action,
        object_type="patron",
        object_id=entry.patron_id,
        object_repr=f"patron {entry.patron_id}",
        site_id=entry.site_id,
        changes={
            "amount": [None, str(entry.amount)],
            "kind": [None, entry.charge_type or entry.kind],
        },
        at=entry.at,
    )


def _settle(
    *,
    actor: Actor,
    patron_id: int,
    kind: EntryKind,
    amount: object,
    site_code: str,
    at: datetime,
    charge_id: int | None,
    method: str = "",
    reference: str = "",
    note: str = "",
    allow_credit: bool = False,
) -> list[LedgerEntry]:
    if not may_ever(actor, Action.CIRCULATE):  # before any lookup: learn nothing
        raise PermissionDenied(f"role {actor.role.value} may not take payments")
    paid = money(amount)
    action = Action.CIRCULATE if kind is EntryKind.PAYMENT else Action.FINES_MANAGE
    site = _site(actor, action, site_code)
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        owed = balance(patron.pk)
        charges = open_charges(patron.pk)
        if charge_id is not None:
            charges = [(c, left) for c, left in charges if c.pk == charge_id]
            if not charges:
                raise NotFound(f"patron {patron.pk} has no open charge {charge_id}", field="charge")
        target = sum((left for _, left in charges), Decimal("0"))
        if paid > (target if charge_id is not None else owed) and not (
            allow_credit and kind is EntryKind.PAYMENT and charge_id is None
        ):
            raise OverBalance(
                f"{paid} is more than the {max(target if charge_id else owed, Decimal(0))} owed",
                field="amount",
            )
        entries = []
        rest = paid
        for open_charge, left in charges:
            if rest <= 0:
                break
            part = min(rest, left)
            entries.append(
                _entry(patron, kind, part, site, at, actor, open_charge, method, reference, note)
            )
            rest -= part
        if rest > 0:
            entries.append(
                _entry(patron, kind, rest, site, at, actor, None, method, reference, note)
            )
        for entry in entries:
            _audit(actor, entry, f"ledger.{kind.value}")
    return entries


def _entry(
    patron: Patron,
    kind: EntryKind,
    amount: Decimal,
    site: Site,
    at: datetime,
    actor: Actor,
    settles: LedgerEntry | None,
    method: str,
    reference: str,
    note: str,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        patron=patron,
        kind=kind.value,
        amount=amount,
        charge=settles,
        site=site,
        method=method,
        reference=reference[:100],
        note=note[:500],
        at=at,
        by=actor.username[:150],
    )


def pay(
    *,
    actor: Actor,
    patron_id: int,
    amount: object,
    method: str,
    site_code: str,
    at: datetime,
    reference: str = "",
    charge_id: int | None = None,
    allow_credit: bool = False,
) -> list[LedgerEntry]:
    """A payment (full or partial), in cash, by check or card (with its reference)."""
    if method not in {m.value for m in PaymentMethod}:
        known = ", ".join(m.value for m in PaymentMethod)
        raise InvalidInput(f"{method!r} is not a payment method ({known})", field="method")
    return _settle(
        actor=actor,
        patron_id=patron_id,
        kind=EntryKind.PAYMENT,
        amount=amount,
        site_code=site_code,
        at=at,
        charge_id=charge_id,
        method=method,
        reference=reference,
        allow_credit=allow_credit,
    )


def waive(
    *,
    actor: Actor,
    patron_id: int,
    amount: object,
    reason: str,
    site_code: str,
    at: datetime,
    charge_id: int | None = None,
) -> list[LedgerEntry]:
    if not reason.strip():
        raise InvalidInput("say why the charge is waived", field="reason")
    return _settle(
        actor=actor,
        patron_id=patron_id,
        kind=EntryKind.WAIVER,
        amount=amount,
        site_code=site_code,
        at=at,
        charge_id=charge_id,
        note=reason.strip(),
    )


def lost_charges_for(item: Item) -> list[LedgerEntry]:
    """The replacement-cost charges made for this item and not yet credited back."""
    charges = LedgerEntry.objects.filter(
        item=item, kind=EntryKind.CHARGE.value, charge_type=ChargeType.LOST.value
    ).select_related("patron", "site")
    return [c for c in charges if not c.settlements.filter(note="lost item returned").exists()]


def credit_charge(
    charge: LedgerEntry, *, site: Site, at: datetime, by: str, note: str
) -> LedgerEntry:
    """Take a whole charge off the patron's account (a waiver naming it). Paid or not: what
    was paid becomes credit, for a refund or the next fine. Circulation calls this when a lost
    item is found; no permission of its own (the rule decided)."""
    return LedgerEntry.objects.create(
        patron=charge.patron,
        kind=EntryKind.WAIVER.value,
        amount=charge.amount,
        charge=charge,
        site=site,
        note=note[:500],
        at=at,
        by=by[:150],
    )


def refund(
    *,
    actor: Actor,
    patron_id: int,
    amount: object,
    method: str,
    site_code: str,
    at: datetime,
    reference: str = "",
) -> LedgerEntry:
    """Hand back money the library owes the patron (a credit), never more than the credit."""
    paid = money(amount)
    site = _site(actor, Action.FINES_MANAGE, site_code)
    if method not in {m.value for m in PaymentMethod}:
        raise InvalidInput(f"{method!r} is not a payment method", field="method")
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        credit = -balance(patron.pk)
        if paid > credit:
            raise OverBalance(
                f"{paid} is more than the {max(credit, Decimal(0))} the library owes",
                field="amount",
            )
        entry = _entry(patron, EntryKind.REFUND, paid, site, at, actor, None, method, reference, "")
        _audit(actor, entry, "ledger.refund")
    return entry


def move_balance(*, from_patron: Patron, to_patron: Patron, at: datetime, by: str) -> Decimal:
    """Two patron records were one person (circulation.merge): what `from_patron` owes moves to
    `to_patron`, in the ledger's own terms, as nothing in it may be rewritten. Each open charge
    is waived on the duplicate (naming it) and charged again, for what is left of it, to the
    record that stays, with its type and item; a credit moves as a charge on the duplicate and
    a payment (method other) on the other record. Returns the amount moved (negative: a
    credit). The caller holds both patrons' rows."""
    note = f"patrons merged: {from_patron.barcode} into {to_patron.barcode}"
    moved = Decimal("0.00")
    for open_charge, left in open_charges(from_patron.pk):
        for patron, kind, settles in (
            (from_patron, EntryKind.WAIVER, open_charge),
            (to_patron, EntryKind.CHARGE, None),
        ):
            LedgerEntry.objects.create(
                patron=patron,
                kind=kind.value,
                charge_type=open_charge.charge_type if kind is EntryKind.CHARGE else "",
                amount=left,
                charge=settles,
                item=open_charge.item if kind is EntryKind.CHARGE else None,
                site=open_charge.site,
                note=note,
                at=at,
                by=by[:150],
            )
        moved += left
    rest = balance(from_patron.pk)  # what no open charge explains: a credit, normally
    if rest:
        amount = abs(rest)
        owes = rest > 0
        for patron, kind in (
            (from_patron, EntryKind.WAIVER if owes else EntryKind.CHARGE),
            (to_patron, EntryKind.CHARGE if owes else EntryKind.PAYMENT),
        ):
            LedgerEntry.objects.create(
                patron=patron,
                kind=kind.value,
                charge_type=ChargeType.MANUAL.value if kind is EntryKind.CHARGE else "",
                amount=amount,
                site=to_patron.home_site,
                method=PaymentMethod.OTHER.value if kind is EntryKind.PAYMENT else "",
                note=note,
                at=at,
                by=by[:150],
            )
        moved += rest
    return moved
