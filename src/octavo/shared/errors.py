"""The root of Octavo's exceptions and the reason codes every interface translates.

Each interface keeps one table from `Reason` to its own words (HTTP status, desk alert, SIP2
screen message); services raise, interfaces translate (STYLE.md, "Where logic goes" 5).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    PERMISSION_DENIED = "permission_denied"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - a reason code, not a password
    UNKNOWN_SITE = "unknown_site"
    UNAUTHENTICATED = "unauthenticated"
    # Circulation refusals (issue #4): each interface has its words for them.
    PATRON_BLOCKED = "patron_blocked"
    PATRON_EXPIRED = "patron_expired"
    FINES_OVER_LIMIT = "fines_over_limit"
    TOO_MANY_OVERDUES = "too_many_overdues"
    LIMIT_REACHED = "limit_reached"
    ITEM_NOT_FOR_LOAN = "item_not_for_loan"
    ITEM_ON_HOLD = "item_on_hold"
    ITEM_UNAVAILABLE = "item_unavailable"
    ITEM_CHECKED_OUT = "item_checked_out"  # to another patron: check it in first
    NO_RENEWALS_LEFT = "no_renewals_left"
    NOT_CHECKED_OUT = "not_checked_out"
    OVER_BALANCE = "over_balance"  # a payment larger than what is owed


class OctavoError(Exception):
    """An error a person can act on: a reason code, a message, and the field it concerns."""

    reason: Reason = Reason.INVALID

    def __init__(self, message: str, *, field: str | None = None, reason: Reason | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if reason is not None:
            self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(OctavoError):
    reason = Reason.INVALID


class NotFound(OctavoError):
    reason = Reason.NOT_FOUND


class Duplicate(OctavoError):
    reason = Reason.DUPLICATE


class PermissionDenied(OctavoError):
    reason = Reason.PERMISSION_DENIED
