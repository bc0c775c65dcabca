"""Shelf reading (issue #8): scan the books along a shelf in the order they stand; Octavo names
each one out of call-number order and where it belongs, and each one that does not belong on
these shelves at all. Nothing is written: a shelf read is checked, the books are moved by hand.

The order check is pure (octavo.holdings.weeding_rules.read_shelf: a longest run already in
order stays, everything else is out of place). What is read here: each scan cleaned as an
inventory scan is (inventory_rules.read_line: scanner framing off, wrong check digits named),
and the items the barcodes belong to (inventory_selectors.item_lines). A book of another site,
another location, a withdrawn one, one with no call number, an unknown or unreadable barcode,
a second scan of the same book: each is named and left out of the order check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from octavo.district.models import Location, Site
from octavo.holdings.inventory_rules import LineProblem, read_line
from octavo.holdings.inventory_selectors import SCAN, ItemLine, allowed, item_lines
from octavo.holdings.states import ItemStatus
from octavo.holdings.weeding_rules import read_shelf
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound

MAX_SCANS = 2000  # a shelf, or a whole range: more is two shelf reads


class Problem(StrEnum):
    """Why a scan is left out of the order check."""

    NOT_READ = "not_read"  # not a barcode (LineProblem says why)
    UNKNOWN = "unknown"  # no item has the barcode
    REPEATED = "repeated"  # the same book scanned again
    OTHER_SITE = "other_site"
    OTHER_LOCATION = "other_location"
    WITHDRAWN = "withdrawn"
    NO_CALL_NUMBER = "no_call_number"


@dataclass(frozen=True)
class ShelfBook:
    """One scan, at `position` (from 1) along the shelf. `misplaced`: out of order, belonging
    after the scan at `after` and before the one at `before` (None: first, last on the shelf)."""

    position: int
    text: str  # the barcode as read (or the scan as typed, when not read)
    item: ItemLine | None = None
    problem: Problem | None = None
    detail: str = ""  # for NOT_READ: the reader's words
    misplaced: bool = False
    after: int | None = None
    before: int | None = None

    @property
    def in_order_check(self) -> bool:
        return self.item is not None and self.problem is None


@dataclass(frozen=True)
class ShelfReading:
    site: Site
    location: Location | None
    books: tuple[ShelfBook, ...]

    @property
    def misplaced(self) -> tuple[ShelfBook, ...]:
        return tuple(b for b in self.books if b.misplaced)

    @property
    def problems(self) -> tuple[ShelfBook, ...]:
        return tuple(b for b in self.books if b.problem is not None)

    def at(self, position: int | None) -> ShelfBook | None:
        if position is None or not 1 <= position <= len(self.books):
            return None
        return self.books[position - 1]


def shelf_site(
    *, actor: Actor, site_code: str, location_code: str = ""
) -> tuple[Site, Location | None]:
    """The site (and location) of a shelf read, if the actor may scan there."""
    site = Site.objects.filter(code=site_code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {site_code!r}", field="site")
    allowed(actor, site.id, SCAN)
    location = None
    if location_code.strip():
        location = Location.objects.filter(site=site, code=location_code.strip().upper()).first()
        if location is None:
            raise InvalidInput(
                f"{site.code} has no location {location_code.strip().upper()!r}", field="location"
            )
    return site, location


def read_scans(
    *, actor: Actor, site_code: str, scans: Sequence[str], location_code: str = ""
) -> ShelfReading:
    """The shelf as scanned: every scan in order, each checked, the books out of order named."""
    site, location = shelf_site(actor=actor, site_code=site_code, location_code=location_code)
    if len(scans) > MAX_SCANS:
        raise InvalidInput(
            f"at most {MAX_SCANS} scans in one shelf read: start over for the next shelves",
            field="barcode",
        )
    read = [read_line(text) for text in scans]
    found = {line.barcode: line for line in item_lines([r for r in read if isinstance(r, str)])}
    books: list[ShelfBook] = []
    seen: set[str] = set()
    for position, (text, result) in enumerate(zip(scans, read, strict=True), start=1):
        if isinstance(result, LineProblem):
            shown = " ".join(text.split())[:64]
            books.append(ShelfBook(position, shown, problem=Problem.NOT_READ, detail=result.detail))
            continue
        item = found.get(result)
        problem = _problem(item, site, location) if result not in seen else Problem.REPEATED
        seen.add(result)
        books.append(ShelfBook(position, result, item=item, problem=problem))
    checked = [b for b in books if b.in_order_check]
    for out in read_shelf([b.item.call_number for b in checked if b.item is not None]):
        book = checked[out.position]
        books[book.position - 1] = replace(
            book,
            misplaced=True,
            after=checked[out.after].position if out.after is not None else None,
            before=checked[out.before].position if out.before is not None else None,
        )
    return ShelfReading(site, location, tuple(books))


def _problem(item: ItemLine | None, site: Site, location: Location | None) -> Problem | None:
    if item is None:
        return Problem.UNKNOWN
    if item.status == ItemStatus.WITHDRAWN.value:
        return Problem.WITHDRAWN
    if item.site_code != site.code:
        return Problem.OTHER_SITE
    if location is not None and item.location_code != location.code:
        return Problem.OTHER_LOCATION
    if not item.call_number.strip():
        return Problem.NO_CALL_NUMBER
    return None
