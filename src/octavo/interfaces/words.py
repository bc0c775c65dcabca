"""Words for catalog codes that every human-facing interface shows: formats, languages and
item statuses. The staff side and the OPAC read the same table, so a book is a "Book" on both.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from octavo.catalog.mapping import Format
from octavo.holdings.states import ItemStatus

FORMAT_LABELS: dict[str, Promise] = {
    Format.BOOK: _("Book"),
    Format.PERIODICAL: _("Periodical"),
    Format.BRAILLE: _("Braille"),
    Format.AUDIO: _("Sound recording"),
    Format.MUSIC: _("Music recording"),
    Format.SCORE: _("Printed music"),
    Format.VIDEO: _("Video"),
    Format.PICTURE: _("Picture"),
    Format.MAP: _("Map"),
    Format.KIT: _("Kit"),
    Format.OBJECT: _("Object"),
    Format.ERESOURCE: _("Electronic resource"),
    Format.OTHER: _("Other"),
}

# MARC language codes (MARC Code List for Languages) a school district meets most; any other
# code is shown as it is.
LANGUAGE_LABELS: dict[str, Promise] = {
    "eng": _("English"),
    "spa": _("Spanish"),
    "fre": _("French"),
    "ger": _("German"),
    "ita": _("Italian"),
    "por": _("Portuguese"),
    "chi": _("Chinese"),
    "jpn": _("Japanese"),
    "kor": _("Korean"),
    "vie": _("Vietnamese"),
    "tgl": _("Tagalog"),
    "hmn": _("Hmong"),
    "ara": _("Arabic"),
    "rus": _("Russian"),
    "lat": _("Latin"),
}

STATUS_LABELS: dict[str, Promise] = {
    ItemStatus.AVAILABLE: _("Available"),
    ItemStatus.CHECKED_OUT: _("Checked out"),
    ItemStatus.IN_TRANSIT: _("In transit"),
    ItemStatus.ON_HOLD_SHELF: _("On the hold shelf"),
    ItemStatus.IN_REPAIR: _("In repair"),
    ItemStatus.LOST: _("Lost"),
    ItemStatus.MISSING: _("Missing"),
    ItemStatus.WITHDRAWN: _("Withdrawn"),
}


def shown(table: dict[str, Promise], code: str) -> str:
    """A code's words, or the code itself for one this table does not know."""
    return str(table.get(code, code))
