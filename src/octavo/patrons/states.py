"""Patron status values and the moves between them. Pure: no Django."""

from __future__ import annotations

from enum import StrEnum

from octavo.shared.errors import InvalidInput


class PatronStatus(StrEnum):
    ACTIVE = "active"
    # Stopped by staff (a note says why): no check-outs, holds or renewals until lifted.
    BLOCKED = "blocked"
    # The card has run out, or the student left the district (a roster import never deletes a
    # patron who may have loans or charges: issue #4).
    EXPIRED = "expired"
    # A duplicate record folded into another (merged_into): its loans, holds, charges and
    # guardians moved there; its card still finds the patron it was merged into.
    MERGED = "merged"


class PatronEvent(StrEnum):
    BLOCK = "block"  # staff stop the card, with a note
    UNBLOCK = "unblock"
    EXPIRE = "expire"  # left the roster, graduated (rollover), or the card ran out
    RETURN = "return"  # back on the roster, or the card renewed
    MERGE = "merge"  # a duplicate, folded into the patron record that stays


# Every legal move (STYLE.md, "States move through tables"). A blocked patron who leaves is
# expired: the block's note stays on the record for when they come back.
TRANSITIONS: dict[tuple[PatronStatus, PatronEvent], PatronStatus] = {
    (PatronStatus.ACTIVE, PatronEvent.BLOCK): PatronStatus.BLOCKED,
    (PatronStatus.BLOCKED, PatronEvent.UNBLOCK): PatronStatus.ACTIVE,
    (PatronStatus.ACTIVE, PatronEvent.EXPIRE): PatronStatus.EXPIRED,
    (PatronStatus.BLOCKED, PatronEvent.EXPIRE): PatronStatus.EXPIRED,
    (PatronStatus.EXPIRED, PatronEvent.RETURN): PatronStatus.ACTIVE,
    (PatronStatus.ACTIVE, PatronEvent.MERGE): PatronStatus.MERGED,
    (PatronStatus.BLOCKED, PatronEvent.MERGE): PatronStatus.MERGED,
    (PatronStatus.EXPIRED, PatronEvent.MERGE): PatronStatus.MERGED,
}


def advance(status: PatronStatus, event: PatronEvent) -> PatronStatus:
    """The status after `event`; an illegal move (unblocking an active patron...) raises."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidInput(
            f"a patron who is {status.value} cannot be given {event.value!r}", field="status"
        ) from None
