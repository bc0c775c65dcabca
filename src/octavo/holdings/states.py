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
