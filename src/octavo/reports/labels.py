"""The words reports put in their rows: Dewey classes, grades, item statuses, charge types."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from octavo.holdings.states import ItemStatus

# The ten main classes of the Dewey Decimal Classification (OCLC's summaries, shortened).
DEWEY_CLASSES = (
    _("000-099 Computers, information and general works"),
    _("100-199 Philosophy and psychology"),
    _("200-299 Religion"),
    _("300-399 Social sciences"),
    _("400-499 Language"),
    _("500-599 Science"),
    _("600-699 Technology"),
    _("700-799 Arts and recreation"),
    _("800-899 Literature"),
    _("900-999 History and geography"),
)
NO_DEWEY = _("No Dewey number (fiction, easy, other)")

# The same words as the catalog's (octavo.interfaces.words), so one translation serves both.
ITEM_STATUSES = {
    ItemStatus.AVAILABLE: _("Available"),
    ItemStatus.CHECKED_OUT: _("Checked out"),
    ItemStatus.IN_TRANSIT: _("In transit"),
    ItemStatus.ON_HOLD_SHELF: _("On the hold shelf"),
    ItemStatus.IN_REPAIR: _("In repair"),
    ItemStatus.LOST: _("Lost"),
    ItemStatus.MISSING: _("Missing"),
    ItemStatus.WITHDRAWN: _("Withdrawn"),
}


def grade_label(grade: str) -> str:
    return grade if grade else gettext("No grade")


def status_label(status: str) -> str:
    try:
        return str(ITEM_STATUSES[ItemStatus(status)])
    except ValueError:
        return status
