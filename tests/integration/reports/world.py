"""A small district for the report tests: two schools in two time zones, a dozen copies, a
dozen patrons, circulation statistics, loans, holds and a ledger, each written here with a known
answer. `World` keeps what was written, so a test can count the answer itself in Python and
compare it with what the report's SQL says.

Asked for on 15 October 2026 at noon in Los Angeles; the school year began on 1 July.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.models import CirculationEvent, Loan
from octavo.district.models import Site
from octavo.fines.services import charge, pay, waive
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.models import Hold
from octavo.patrons.models import Patron
from octavo.patrons.services import PatronFields, create_patron

LA, DENVER = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/Denver")
AT = datetime(2026, 10, 15, 12, 0, tzinfo=LA).astimezone(UTC)
TODAY = date(2026, 10, 15)
YEAR_START = date(2026, 7, 1)
BEFORE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # items and patrons entered before the year


def la(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA).astimezone(UTC)  # type: ignore[misc]


def denver(*args: int) -> datetime:
    return datetime(*args, tzinfo=DENVER).astimezone(UTC)  # type: ignore[misc]


# (barcode, record key, site, call prefix, class, cutter, copy, material type, acquired, status,
#  entered at)
ITEMS = [
    ("N1", "frogs", "NES", "", "597.8", "FRO", "", "book", date(2026, 8, 10), "available", BEFORE),
    ("N2", "frogs", "NES", "", "597.8", "FRO", "2", "book", date(2015, 1, 1), "available", BEFORE),
    ("N3", "sky", "NES", "", "523.1", "NIG", "", "book", None, "available", la(2026, 9, 1, 9, 0)),
    ("N4", "poems", "NES", "", "811.54", "POE", "", "book", date(2000, 5, 1), "available", BEFORE),
    ("N5", "key", "NES", "FIC", "", "HID", "", "book", date(2019, 1, 1), "available", BEFORE),
    ("N6", "george", "NES", "", "92", "WAS", "", "book", date(2006, 3, 1), "available", BEFORE),
    ("N7", "python", "NES", "", "005.133", "LEA", "", "av", date(2021, 2, 1), "available", BEFORE),
    (
        "N8", "poems", "NES", "", "811.54", "POE", "3", "book", date(2001, 1, 1), "withdrawn",
        la(2026, 10, 12, 10, 0),
    ),
    ("N9", "key", "NES", "FIC", "", "HID", "2", "book", date(2019, 1, 1), "lost", BEFORE),
    ("S1", "frogs", "SES", "", "597.8", "FRO", "", "book", date(2012, 1, 1), "available", BEFORE),
    ("S2", "key", "SES", "FIC", "", "HID", "", "book", date(2019, 1, 1), "lost", BEFORE),
    ("S3", "sky", "SES", "", "523.1", "NIG", "", "book", date(2022, 1, 1), "available", BEFORE),
]  # fmt: skip

RECORDS = {
    "frogs": RecordFields(title="Frogs and toads", authors=("Lobel, Arnold",), year=2010),
    "sky": RecordFields(title="The night sky", authors=("Rey, H. A.",), year=2021),
    "poems": RecordFields(title="Poems for a rainy day", authors=("Silverstein, Shel",), year=1995),
    "key": RecordFields(title="The hidden key", authors=("Ortiz, Ana",), year=2018),
    "george": RecordFields(title="George Washington", authors=("Adler, David",), year=2005),
    "python": RecordFields(title="Learning Python", authors=("Lutz, Mark",)),
}

# (card, first, last, type, site, grade, homeroom, card expires, status)
PATRONS = [
    ("P1", "Ana", "Reyes", "student", "NES", "3", "Lee", None, "active"),
    ("P2", "Ben", "Okafor", "student", "NES", "3", "Lee", None, "active"),
    ("P3", "Cy", "Park", "student", "NES", "K", "Park", None, "active"),
    ("P4", "Dee", "Ortiz", "student", "NES", "4", "Ortiz", date(2026, 10, 25), "active"),
    ("P5", "Tom", "Lee", "teacher", "NES", "", "", date(2026, 11, 24), "active"),
    ("P6", "Eve", "Smith", "student", "NES", "4", "Ortiz", date(2026, 10, 20), "expired"),
    ("P7", "Fay", "Brown", "student", "NES", "2", "Park", None, "active"),
    ("P8", "Gus", "Green", "student", "NES", "2", "Park", date(2026, 11, 1), "active"),
    ("P9", "Sam", "Lund", "student", "SES", "5", "Diaz", None, "active"),
    ("P10", "Sue", "Hall", "student", "SES", "5", "Diaz", date(2026, 10, 15), "active"),
]

# (kind, site, item, patron card or None, when): the statistics rows.
EVENTS = [
    ("check_out", "NES", "N1", "P1", la(2026, 9, 2, 8, 15)),
    ("check_out", "NES", "N4", "P2", la(2026, 9, 2, 8, 40)),
    ("check_in", "NES", "N4", "P2", la(2026, 9, 9, 14, 5)),
    ("renew", "NES", "N1", "P1", la(2026, 9, 16, 10, 30)),
    ("check_out", "NES", "N6", "P3", la(2026, 9, 16, 10, 45)),
    ("check_out", "NES", "N7", "P5", la(2026, 10, 1, 15, 20)),
    ("check_in", "NES", "N7", "P5", la(2026, 10, 8, 7, 55)),
    ("check_out", "NES", "N1", "P1", la(2026, 6, 15, 9, 0)),  # last school year
    # Late on the 14th in Los Angeles: already the 15th in UTC.
    ("check_out", "NES", "N3", None, la(2026, 10, 14, 23, 30)),
    ("check_out", "SES", "S1", "P9", denver(2026, 9, 3, 8, 15)),
    ("check_out", "SES", "S3", "P9", denver(2026, 9, 3, 8, 20)),
    ("check_in", "SES", "S3", "P9", denver(2026, 9, 10, 12, 0)),
    ("check_in", "SES", "N1", "P1", denver(2026, 10, 2, 9, 0)),  # returned at the other school
    ("renew", "NES", "N6", "P3", la(2026, 10, 16, 9, 0)),  # after the report's day
]

# (patron, item, checked out, due, status): loans. An open loan is overdue when due before AT.
LOANS = [
    ("P1", "N1", la(2026, 9, 2, 8, 15), AT - timedelta(days=5), "open"),
    ("P1", "N2", la(2026, 10, 1, 9, 0), AT + timedelta(days=5), "open"),
    ("P2", "N4", la(2026, 9, 20, 9, 0), AT - timedelta(days=1), "open"),
    ("P3", "N6", la(2026, 9, 16, 10, 45), AT - timedelta(days=20), "open"),
    ("P9", "S1", denver(2026, 9, 3, 8, 15), AT - timedelta(days=3), "open"),
    ("P4", "N3", la(2026, 9, 5, 9, 0), la(2026, 9, 19, 15, 0), "returned"),
]

# (patron, pickup site, placed, ready)
HOLDS = [
    ("P5", "NES", AT - timedelta(days=10), AT - timedelta(days=7)),
    ("P1", "NES", la(2026, 10, 3, 10, 0), la(2026, 10, 13, 22, 0)),
    ("P5", "NES", AT - timedelta(days=3), None),
    ("P2", "NES", la(2026, 5, 1, 10, 0), la(2026, 5, 5, 10, 0)),
    ("P9", "SES", AT - timedelta(days=6), AT - timedelta(days=5)),
]


@dataclass
class World:
    sites: dict[str, Site]
    items: dict[str, Item]
    patrons: dict[str, Patron]
    record_ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def report_world(district, cli_actor) -> World:
    Site.objects.filter(code="SES").update(time_zone="America/Denver")
    sites = {s.code: s for s in Site.objects.all()}
    record_ids = {
        key: create_record(actor=cli_actor, fields=fields, at=BEFORE).pk
        for key, fields in RECORDS.items()
    }
    items: dict[str, Item] = {}
    for code, record, site, prefix, klass, cutter, copy, kind, got, status, at in ITEMS:
        fields = ItemFields(
            site_code=site,
            call_prefix=prefix,
            call_class=klass,
            call_cutter=cutter,
            copy_number=copy,
            material_type=kind,
            acquired_on=got,
            status=status,
            price=Decimal("12.95"),
        )
        (items[code],) = add_items(
            actor=cli_actor, record_id=record_ids[record], barcodes=[code], fields=fields, at=at
        )
    patrons: dict[str, Patron] = {}
    for card, first, last, kind, site, grade, homeroom, expires, status in PATRONS:
        patrons[card] = create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=card,
                first_name=first,
                last_name=last,
                patron_type=kind,
                site_code=site,
                grade=grade,
                homeroom=homeroom,
                card_expires=expires,
            ),
            at=BEFORE,
        )
        if status != "active":
            Patron.objects.filter(pk=patrons[card].pk).update(status=status)
    for kind, site, item, card, at in EVENTS:
        patron = patrons[card] if card else None
        CirculationEvent.objects.create(
            kind=kind,
            at=at,
            site=sites[site],
            item=items[item],
            patron_type_id=patron.patron_type_id if patron else None,
            grade=patron.grade if patron else "",
        )
    for card, item, out, due, status in LOANS:
        patron = patrons[card]
        Loan.objects.create(
            item=items[item],
            patron=patron,
            patron_type_id=patron.patron_type_id,
            grade=patron.grade,
            site=items[item].site,
            status=status,
            checked_out_at=out,
            due_at=due,
            ended_at=None if status == "open" else due,
        )
    for card, pickup, placed, ready in HOLDS:
        Hold.objects.create(
            patron=patrons[card],
            record_id=record_ids["frogs"],
            pickup_site=sites[pickup],
            status="ready" if ready else "waiting",
            placed_at=placed,
            ready_at=ready,
        )
    _ledger(cli_actor, sites, items, patrons)
    return World(sites=sites, items=items, patrons=patrons, record_ids=record_ids)


def _ledger(actor, sites, items, patrons) -> None:
    """Ben lost N9 (15.00, NES): 10.00 paid at SES, 2.00 waived at NES. Cy's overdue fine of
    0.75 is paid. Gus owes 1.00 from last year. Sam lost S2 (20.00, SES) and has paid nothing."""
    lost = charge(
        actor=None,
        patron=patrons["P2"],
        charge_type=ChargeType.LOST,
        amount=Decimal("15.00"),
        site=sites["NES"],
        at=AT - timedelta(days=30),
        item=items["N9"],
    )
    pay(
        actor=actor,
        patron_id=patrons["P2"].pk,
        amount="10.00",
        method="cash",
        site_code="SES",
        at=AT - timedelta(days=20),
        charge_id=lost.pk,
    )
    waive(
        actor=actor,
        patron_id=patrons["P2"].pk,
        amount="2.00",
        reason="damaged already",
        site_code="NES",
        at=AT - timedelta(days=19),
        charge_id=lost.pk,
    )
    fine = charge(
        actor=None,
        patron=patrons["P3"],
        charge_type=ChargeType.OVERDUE,
        amount=Decimal("0.75"),
        site=sites["NES"],
        at=AT - timedelta(days=10),
    )
    pay(
        actor=actor,
        patron_id=patrons["P3"].pk,
        amount="0.75",
        method="card",
        site_code="NES",
        at=AT - timedelta(days=9),
        charge_id=fine.pk,
    )
    charge(
        actor=None,
        patron=patrons["P8"],
        charge_type=ChargeType.OVERDUE,
        amount=Decimal("1.00"),
        site=sites["NES"],
        at=la(2026, 5, 1, 10, 0),
    )
    charge(
        actor=None,
        patron=patrons["P9"],
        charge_type=ChargeType.LOST,
        amount=Decimal("20.00"),
        site=sites["SES"],
        at=AT - timedelta(days=2),
        item=items["S2"],
    )
