"""The OPAC's words for the services' reasons: what a student or parent reads.

STYLE.md, "Where logic goes" 5: each interface keeps one table from `Reason` to its own words.
These speak to the card holder ("your card"), where the desk's speak to the clerk.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from octavo.shared.errors import OctavoError, Reason

PATRON_WORDS: dict[Reason, Promise] = {
    Reason.INVALID: _("Something in the form needs another look."),
    Reason.NOT_FOUND: _("We could not find that."),
    Reason.DUPLICATE: _("You already have this."),
    Reason.PERMISSION_DENIED: _("That is not something this account can do."),
    Reason.UNAUTHENTICATED: _("Please log in again."),
    Reason.PATRON_BLOCKED: _("Your card is blocked. Please see the librarian."),
    Reason.PATRON_EXPIRED: _("Your card has expired. Please see the librarian."),
    Reason.FINES_OVER_LIMIT: _("You owe more than the limit. Please see the librarian."),
    Reason.TOO_MANY_OVERDUES: _("Please return your overdue items first."),
    Reason.LIMIT_REACHED: _("You already have as many as you are allowed."),
    Reason.ITEM_NOT_FOR_LOAN: _("This title cannot be borrowed."),
    Reason.ITEM_ON_HOLD: _("Someone else is waiting for this item, so it cannot be renewed."),
    Reason.ITEM_UNAVAILABLE: _("This item is not available."),
    Reason.ITEM_CHECKED_OUT: _("This item is checked out."),
    Reason.NO_RENEWALS_LEFT: _("This item has been renewed as many times as allowed."),
    Reason.NOT_CHECKED_OUT: _("This item is not checked out to you."),
}


def patron_text(exc: OctavoError) -> str:
    """The first reason a service gave, in the reader's words (never the service's own message,
    which is written for staff and may name records the reader should not see)."""
    return str(PATRON_WORDS.get(exc.reason, PATRON_WORDS[Reason.INVALID]))
