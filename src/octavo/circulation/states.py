"""Loan states and the item status moves circulation makes. Pure: no Django.

Every move is a row in a table; a move that is not there raises (STYLE.md, "States move
through tables").
"""

from __future__ import annotations

from enum import StrEnum

from octavo.holdings.states import ItemStatus
from octavo.shared.errors import InvalidInput, Reason


class LoanStatus(StrEnum):
    OPEN = "open"
    RETURNED = "returned"
    LOST = "lost"  # billed as lost; a later check-in ends it as returned-after-lost
    CLAIMED_RETURNED = "claimed_returned"  # the patron says it came back; no fines accrue


class LoanEvent(StrEnum):
    RENEW = "renew"
    CHECK_IN = "check_in"
    MARK_LOST = "mark_lost"
    CLAIM_RETURNED = "claim_returned"


LOAN_TRANSITIONS: dict[tuple[LoanStatus, LoanEvent], LoanStatus] = {
    (LoanStatus.OPEN, LoanEvent.RENEW): LoanStatus.OPEN,
    (LoanStatus.OPEN, LoanEvent.CHECK_IN): LoanStatus.RETURNED,
    (LoanStatus.OPEN, LoanEvent.MARK_LOST): LoanStatus.LOST,
    (LoanStatus.OPEN, LoanEvent.CLAIM_RETURNED): LoanStatus.CLAIMED_RETURNED,
}


class ItemEvent(StrEnum):
    CHECK_OUT = "check_out"
    CHECK_IN = "check_in"  # at its own site, no hold waiting
    CHECK_IN_FOR_HOLD = "check_in_for_hold"
    CHECK_IN_ELSEWHERE = "check_in_elsewhere"  # returned at another site: goes home
    ARRIVE = "arrive"  # a transit reaches its site
    MARK_LOST = "mark_lost"
    CLAIM_RETURNED = "claim_returned"
    # An inventory is finished and the item, on the shelf by the catalog, was not scanned
    # (issue #8); checking it in is how it comes back when found.
    MARK_MISSING = "mark_missing"
    # Item care and weeding (issue #8): to repair or mending and back, and out of the
    # collection for good (octavo.circulation.care, octavo.circulation.weeding).
    SEND_TO_REPAIR = "send_to_repair"
    BACK_FROM_REPAIR = "back_from_repair"
    WITHDRAW = "withdraw"


_SHELF_OR_AWAY = (
    ItemStatus.AVAILABLE,
    ItemStatus.CHECKED_OUT,
    ItemStatus.IN_TRANSIT,
    ItemStatus.ON_HOLD_SHELF,
    ItemStatus.LOST,
    ItemStatus.MISSING,
)

ITEM_TRANSITIONS: dict[tuple[ItemStatus, ItemEvent], ItemStatus] = {
    (ItemStatus.AVAILABLE, ItemEvent.CHECK_OUT): ItemStatus.CHECKED_OUT,
    # A hold shelf item goes out to the patron it waits for (the service checks who).
    (ItemStatus.ON_HOLD_SHELF, ItemEvent.CHECK_OUT): ItemStatus.CHECKED_OUT,
    # A lost or missing item on the desk has been found: it can go straight out.
    (ItemStatus.LOST, ItemEvent.CHECK_OUT): ItemStatus.CHECKED_OUT,
    (ItemStatus.MISSING, ItemEvent.CHECK_OUT): ItemStatus.CHECKED_OUT,
    # Checking in is how a found item comes back, whatever was thought of it.
    **{(s, ItemEvent.CHECK_IN): ItemStatus.AVAILABLE for s in _SHELF_OR_AWAY},
    **{(s, ItemEvent.CHECK_IN_FOR_HOLD): ItemStatus.ON_HOLD_SHELF for s in _SHELF_OR_AWAY},
    **{(s, ItemEvent.CHECK_IN_ELSEWHERE): ItemStatus.IN_TRANSIT for s in _SHELF_OR_AWAY},
    (ItemStatus.IN_TRANSIT, ItemEvent.ARRIVE): ItemStatus.AVAILABLE,
    (ItemStatus.CHECKED_OUT, ItemEvent.MARK_LOST): ItemStatus.LOST,
    (ItemStatus.CHECKED_OUT, ItemEvent.CLAIM_RETURNED): ItemStatus.MISSING,
    (ItemStatus.AVAILABLE, ItemEvent.MARK_MISSING): ItemStatus.MISSING,
    (ItemStatus.AVAILABLE, ItemEvent.SEND_TO_REPAIR): ItemStatus.IN_REPAIR,
    # Back on the shelf; the service then routes it as a check-in would (a hold may want it).
    (ItemStatus.IN_REPAIR, ItemEvent.BACK_FROM_REPAIR): ItemStatus.AVAILABLE,
    # Weeded from the shelf, or judged beyond mending. A copy that is out, on its way or
    # waiting for a hold is withdrawn once it is back (the weeding list says it was skipped).
    (ItemStatus.AVAILABLE, ItemEvent.WITHDRAW): ItemStatus.WITHDRAWN,
    (ItemStatus.IN_REPAIR, ItemEvent.WITHDRAW): ItemStatus.WITHDRAWN,
}


class IllegalMove(InvalidInput):
    reason = Reason.INVALID


def advance_loan(status: LoanStatus, event: LoanEvent) -> LoanStatus:
    try:
        return LOAN_TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalMove(f"a {status.value} loan cannot {event.value.replace('_', ' ')}") from None


def advance_item(status: ItemStatus, event: ItemEvent) -> ItemStatus:
    try:
        return ITEM_TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalMove(
            f"an item that is {status.value.replace('_', ' ')} cannot "
            f"{event.value.replace('_', ' ')}"
        ) from None


class EventKind(StrEnum):
    CHECK_OUT = "check_out"
    CHECK_IN = "check_in"
    RENEW = "renew"
