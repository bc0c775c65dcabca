"""Reading circulation for the desk: what a check-out by a patron would meet before any item is
scanned, the patron whose card is scanned, a loan about to be marked lost and what that costs.

Nothing here decides anew: standing blocks are the pure check-out rules
(octavo.policy.rules.checkout_blocks) asked about an item that raises nothing itself, with
the same policy and the same patron view the check-out service uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.callnumbers import shelf_key
from octavo.circulation.models import Loan
from octavo.circulation.services import _patron_view
from octavo.circulation.states import LoanStatus
from octavo.db import rows
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.patrons.models import Patron
from octavo.policy import rules
from octavo.policy.rules import Block, ItemView
from octavo.policy.selectors import calendar_for, rules_for
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied

# An item that raises no block of its own: on the shelf, lendable, wanted by nobody else. The
# blocks a check-out meets with it are the patron's alone.
NEUTRAL_ITEM = ItemView(status="available", circulates=True, on_hold_for_someone_else=False)


def standing_blocks(*, patron_id: int, site_id: int, at: datetime) -> list[Block]:
    """The blocks any check-out by this patron at this site would meet now, whatever the item:
    card blocked or expired, owing over the limit, too many overdues, at the item limit of the
    policy row for any material type (the wildcard)."""
    patron = Patron.objects.filter(pk=patron_id).first()
    if patron is None:
        raise NotFound(f"no patron {patron_id}", field="patron")
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound(f"no site {site_id}", field="site")
    return standing_blocks_of(patron, site_id=site.id, at=at)


def standing_blocks_of(patron: Patron, *, site_id: int, at: datetime) -> list[Block]:
    """standing_blocks for a patron already read (a kiosk's, on every request)."""
    resolved = rules_for(
        site_id=site_id, patron_type_id=patron.patron_type_id, material_type_id=None
    )
    view = _patron_view(patron, at=at, material_type_id=resolved.material_type_id)
    today = calendar_for(site_id).local_date(at)
    return rules.checkout_blocks(view, NEUTRAL_ITEM, resolved.rules, today=today)


_LOAN_LINES = (
    "SELECT i.barcode, l.due_at FROM circulation_loan l JOIN holdings_item i ON i.id = l.item_id "
    "WHERE l.patron_id = %s AND l.status = 'open' ORDER BY l.due_at, l.id"
)


def open_loan_lines(patron_id: int) -> list[tuple[str, datetime]]:
    """The patron's open loans as (item barcode, due), the first due first: a kiosk's list."""
    return [
        (barcode, rows.converted(Loan, "due_at", due))
        for barcode, due in rows.table(_LOAN_LINES, [patron_id])
    ]


def patron_for_desk(*, actor: Actor, barcode: str) -> Patron | None:
    """The patron whose card this is, from any home site: a visiting patron may borrow at any
    site's desk (check_out allows it). The exact card barcode only; finding patrons by name
    stays limited to the actor's sites (patrons.selectors.find_patrons). A duplicate's card,
    merged into another record, finds that record."""
    if not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} may not {Action.CIRCULATE.value}")
    code = barcode.strip()
    if not code:
        return None
    patron = Patron.objects.select_related("patron_type", "home_site").filter(barcode=code).first()
    if patron is not None and patron.merged_into_id is not None:  # a merged duplicate's card
        patron = Patron.objects.select_related("patron_type", "home_site").get(
            pk=patron.merged_into_id
        )
    return patron


def open_loan_of(*, actor: Actor, item_barcode: str) -> Loan | None:
    """The open loan of the item with this barcode (its item, title and patron), for a desk
    about to act on it."""
    if not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} may not {Action.CIRCULATE.value}")
    return (
        Loan.objects.select_related("item", "item__record", "patron", "site")
        .filter(item__barcode=item_barcode.strip(), status=LoanStatus.OPEN.value)
        .first()
    )


@dataclass(frozen=True)
class LostCost:
    """What marking a loan lost charges (circulation.services.mark_lost)."""

    price: Decimal  # the item's replacement cost
    processing_fee: Decimal  # the policy's, for the loan's site, patron type, material type

    @property
    def total(self) -> Decimal:
        return self.price + self.processing_fee


def lost_cost(loan: Loan) -> LostCost:
    """The charges mark_lost would make for this loan, by the same policy row it reads."""
    resolved = rules_for(
        site_id=loan.site_id,
        patron_type_id=loan.patron_type_id,
        material_type_id=loan.item.material_type_id,
    )
    return LostCost(
        price=Decimal(loan.item.price or 0).quantize(Decimal("0.01")),
        processing_fee=Decimal(resolved.rules.processing_fee).quantize(Decimal("0.01")),
    )


@dataclass(frozen=True)
class Copy:
    """One copy of a title as a reader sees it: where it stands and whether it is in."""

    site_code: str
    site_name: str
    location: str
    call_number: str
    status: str  # octavo.holdings.states.ItemStatus value
    due_at: datetime | None  # when it is out
    public_note: str


def copies_of(record_id: int) -> list[Copy]:
    """A record's copies (withdrawn ones left out), site by site in shelf order, each with the
    due date of its open loan. Two queries, whatever the number of copies."""
    items = list(
        Item.objects.filter(record_id=record_id)
        .exclude(status=ItemStatus.WITHDRAWN.value)
        .select_related("site", "location")
    )
    due = dict(
        Loan.objects.filter(item__record_id=record_id, status=LoanStatus.OPEN.value).values_list(
            "item_id", "due_at"
        )
    )
    items.sort(key=lambda i: (i.site.code, shelf_key(i.call_number), i.barcode))
    return [
        Copy(
            site_code=i.site.code,
            site_name=i.site.name,
            location=i.location.name if i.location else "",
            call_number=i.call_number,
            status=i.status,
            due_at=due.get(i.pk),
            public_note=i.public_note,
        )
        for i in items
    ]
