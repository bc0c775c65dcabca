"""Circulation policy as data, resolved before any decision (STYLE.md, "Where logic goes" 4),
and the decisions made with it: may this patron take this item, may this loan be renewed,
what does a late return cost. Pure: no Django; time, patron and item come in as frozen views.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from octavo.shared.calendar import Calendar
from octavo.shared.errors import Reason


@dataclass(frozen=True, slots=True)
class LoanRules:
    loan_days: int = 14
    loan_hours: int = 0
    max_items: int = 5
    renewals: int = 2
    fine_per_day: Decimal = Decimal("0")
    fine_cap: Decimal | None = None
    grace_days: int = 0
    hold_limit: int = 5
    hold_shelf_days: int = 7
    lost_after_days: int | None = None
    processing_fee: Decimal = Decimal("0")
    max_balance: Decimal = Decimal("10")
    max_overdues: int = 3


@dataclass(frozen=True, slots=True)
class RuleRow:
    """One row of the matrix; None is the wildcard."""

    site_id: int | None
    patron_type_id: int | None
    material_type_id: int | None
    rules: LoanRules


@dataclass(frozen=True, slots=True)
class Resolved:
    rules: LoanRules
    # The material type the row is specific to (None: any). The item limit counts the
    # patron's loans of that material type only when the row is specific to one.
    material_type_id: int | None
    # The winning row's other two keys (None: any), so a screen can say which row applied.
    site_id: int | None = None
    patron_type_id: int | None = None


def resolve(
    rows: Iterable[RuleRow], *, site_id: int, patron_type_id: int, material_type_id: int | None
) -> Resolved:
    """The most specific row that matches. Site outranks patron type, which outranks material
    type, as in Koha's circulation rules: a site's own row for students beats a district row
    for students and books."""
    matching = [
        r
        for r in rows
        if r.site_id in (None, site_id)
        and r.patron_type_id in (None, patron_type_id)
        and r.material_type_id in (None, material_type_id)
    ]
    if not matching:
        # The district-wide row is created with the database and cannot be deleted; this is
        # a library whose data is broken, not a refusal to explain to a patron.
        raise LookupError("no circulation policy row matches, not even the district default")
    best = max(
        matching,
        key=lambda r: (
            r.site_id is not None,
            r.patron_type_id is not None,
            r.material_type_id is not None,
        ),
    )
    return Resolved(best.rules, best.material_type_id, best.site_id, best.patron_type_id)


@dataclass(frozen=True, slots=True)
class PatronView:
    status: str  # octavo.patrons.states.PatronStatus value
    card_expires: date | None
    balance: Decimal
    overdue_count: int
    loans_counted: int  # open loans that count against this rule's item limit


@dataclass(frozen=True, slots=True)
class ItemView:
    status: str  # octavo.holdings.states.ItemStatus value
    circulates: bool  # the material type may be checked out
    on_hold_for_someone_else: bool


# The blocks a check-out can meet, each with the words the desk shows (interfaces translate
# them by code). Order: what the clerk should read first.
CHECKOUT_BLOCKS = (
    Reason.PATRON_BLOCKED,
    Reason.PATRON_EXPIRED,
    Reason.FINES_OVER_LIMIT,
    Reason.TOO_MANY_OVERDUES,
    Reason.LIMIT_REACHED,
    Reason.ITEM_NOT_FOR_LOAN,
    Reason.ITEM_ON_HOLD,
    Reason.ITEM_UNAVAILABLE,
)
# Item statuses a check-out takes the item from. Lost or missing items found on the desk go
# out too: scanning one is how it turns up.
_LENDABLE = frozenset({"available", "on_hold_shelf", "lost", "missing"})


@dataclass(frozen=True, slots=True)
class Block:
    reason: Reason
    message: str


def checkout_blocks(
    patron: PatronView, item: ItemView, rules: LoanRules, *, today: date
) -> list[Block]:
    """Every reason this check-out should not happen, in CHECKOUT_BLOCKS order."""
    blocks = []
    if patron.status == "blocked":
        blocks.append(Block(Reason.PATRON_BLOCKED, "the patron's card is blocked"))
    if patron.status == "expired" or (patron.card_expires and patron.card_expires < today):
        blocks.append(Block(Reason.PATRON_EXPIRED, "the patron's card has expired"))
    if patron.balance > rules.max_balance:
        blocks.append(
            Block(
                Reason.FINES_OVER_LIMIT,
                f"the patron owes {patron.balance}, more than the limit of {rules.max_balance}",
            )
        )
    if patron.overdue_count > rules.max_overdues:
        blocks.append(
            Block(
                Reason.TOO_MANY_OVERDUES,
                f"the patron has {patron.overdue_count} overdue items "
                f"(more than {rules.max_overdues})",
            )
        )
    if patron.loans_counted >= rules.max_items:
        blocks.append(
            Block(
                Reason.LIMIT_REACHED,
                f"the patron already has {patron.loans_counted} items out "
                f"(the limit is {rules.max_items})",
            )
        )
    if not item.circulates:
        blocks.append(Block(Reason.ITEM_NOT_FOR_LOAN, "this item is not for loan"))
    if item.on_hold_for_someone_else:
        blocks.append(Block(Reason.ITEM_ON_HOLD, "this item is on hold for another patron"))
    if item.status not in _LENDABLE:
        blocks.append(
            Block(
                Reason.ITEM_UNAVAILABLE,
                f"this item is {item.status.replace('_', ' ')} and cannot go out",
            )
        )
    return blocks


def renewal_blocks(
    patron: PatronView,
    rules: LoanRules,
    *,
    renewals_done: int,
    on_hold_for_someone_else: bool,
    today: date,
) -> list[Block]:
    blocks = []
    if patron.status == "blocked":
        blocks.append(Block(Reason.PATRON_BLOCKED, "the patron's card is blocked"))
    if patron.status == "expired" or (patron.card_expires and patron.card_expires < today):
        blocks.append(Block(Reason.PATRON_EXPIRED, "the patron's card has expired"))
    if renewals_done >= rules.renewals:
        blocks.append(
            Block(
                Reason.NO_RENEWALS_LEFT,
                f"renewed {renewals_done} times already (the limit is {rules.renewals})",
            )
        )
    if on_hold_for_someone_else:
        blocks.append(Block(Reason.ITEM_ON_HOLD, "another patron is waiting for this item"))
    return blocks


def overdue_fine(
    *, due: datetime, returned: datetime, rules: LoanRules, calendar: Calendar
) -> tuple[int, Decimal]:
    """(open days late, fine) for a return at `returned`.

    Only days the site was open count: a book due before winter break and returned after it
    owes nothing for the break. Within the grace days nothing is owed; past them, every late
    day is charged, up to the cap.
    """
    if returned <= due:
        return 0, Decimal("0.00")
    late = calendar.open_days_between(calendar.local_date(due), calendar.local_date(returned))
    if late == 0 and rules.loan_hours:
        late = 1  # an hour loan back late the same day
    if late <= rules.grace_days or rules.fine_per_day <= 0:
        return late, Decimal("0.00")
    fine = rules.fine_per_day * late
    if rules.fine_cap is not None:
        fine = min(fine, rules.fine_cap)
    return late, fine.quantize(Decimal("0.01"))
