"""Which patrons' library cards to print (issue #8, "patron cards"): a list of card barcodes,
the patrons added since a day at a site, or a range of card barcodes. Reads only.

A card is printed by someone who may change patrons at the patron's home site (PATRON_EDIT:
issuing a card is patron work); the labels themselves are drawn by octavo.holdings.labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from octavo.accounts.rules import Action, decide
from octavo.district.selectors import site_by_code
from octavo.holdings.labels.content import Batch, Label, WantedBarcode, read_barcode_lines
from octavo.holdings.labels.select import MAX_LABELS, check_since, collect, range_wanted
from octavo.patrons.models import Patron
from octavo.patrons.states import PatronStatus
from octavo.shared.actor import Actor


def _card(actor: Actor) -> Callable[[Patron], Label | str]:
    def make(patron: Patron) -> Label | str:
        if not decide(actor, Action.PATRON_EDIT, site_id=patron.home_site_id):
            return f"a patron of {patron.home_site.code}, where {actor.username} issues no cards"
        if patron.status == PatronStatus.MERGED.value:
            return "merged into another patron record: print that record's card"
        return Label(
            key=patron.barcode,
            barcode=patron.barcode,
            name=f"{patron.first_name} {patron.last_name}".strip(),
            library=patron.home_site.name,
        )

    return make


def _by_barcode(barcodes: Iterable[str]) -> dict[str, Patron]:
    wanted = list(barcodes)
    found: dict[str, Patron] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for patron in Patron.objects.select_related("home_site").filter(barcode__in=chunk):
            found[patron.barcode] = patron
    return found


def cards_listed(*, actor: Actor, lines: Iterable[str]) -> Batch:
    wanted, skipped = read_barcode_lines(lines)
    found = _by_barcode(w.barcode for w in wanted)
    return collect(wanted, found, _card(actor), skipped=skipped, missing="no patron with this card")


def cards_in_range(*, actor: Actor, text: str) -> Batch:
    wanted = range_wanted(text)
    found = _by_barcode(w.barcode for w in wanted)
    return collect(wanted, found, _card(actor), missing="no patron", gaps=True)


def cards_added_since(*, actor: Actor, since: date, at: datetime, site_code: str = "") -> Batch:
    """The patrons added from the start of `since` to `at` whose home is the site with this
    code (or any site the actor issues cards for), oldest first."""
    site = (
        site_by_code(actor=actor, code=site_code, action=Action.PATRON_EDIT) if site_code else None
    )
    start = check_since(since, at, site)
    patrons = Patron.objects.select_related("home_site").filter(
        created_at__gte=start, created_at__lte=at
    )
    if site is not None:
        patrons = patrons.filter(home_site=site)
    elif not actor.is_district_admin:
        patrons = patrons.filter(home_site_id__in=actor.site_ids)
    rows = list(patrons.order_by("created_at", "barcode")[: MAX_LABELS + 1])
    wanted = [WantedBarcode(0, p.barcode) for p in rows]
    return collect(wanted, {p.barcode: p for p in rows}, _card(actor), missing="no patron")
