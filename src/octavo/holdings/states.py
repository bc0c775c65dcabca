"""Item status values (MISSION.md, "Copies"). Transitions are added by the circulation issue."""

from __future__ import annotations

from enum import StrEnum


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    CHECKED_OUT = "checked_out"
    IN_TRANSIT = "in_transit"
    ON_HOLD_SHELF = "on_hold_shelf"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"


# Set and left only by the desk's actions (check-out, check-in, transits, the hold shelf),
# which keep the loan, the transit or the hold that goes with each: editing a copy never sets
# one (a "checked out" copy with no loan) nor leaves one (a loan left open on a copy marked
# available).
DESK_STATUSES = frozenset(
    {ItemStatus.CHECKED_OUT.value, ItemStatus.IN_TRANSIT.value, ItemStatus.ON_HOLD_SHELF.value}
)


def edit_refuses_status(old: str, new: str) -> str | None:
    """Why editing a copy may not change its status from `old` to `new`; None when it may."""
    if old == new:
        return None
    if old in DESK_STATUSES:
        return (
            f"the copy is {old.replace('_', ' ')}: its status changes at the desk (check it in "
            "first)"
        )
    if new in DESK_STATUSES:
        return (
            f"{new.replace('_', ' ')} is set at the desk, where the loan, transit or hold that "
            "goes with it is kept"
        )
    return None
