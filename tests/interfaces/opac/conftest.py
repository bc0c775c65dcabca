"""An OPAC world on the real clock (the pages ask `now()`): three titles at two schools, three
students with PINs, a loan, a hold and a fine, built as the desk would have built them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.services import check_out
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.services import place_hold
from octavo.patrons.services import (
    GuardianFields,
    PatronFields,
    add_guardian,
    create_patron,
    set_pin,
)
from octavo.shared.clock import now

PIN = "4821"
ROSA = "rosa.reyes@example.org"
PARENT_PASSWORD = "our kids read every night"


@dataclass
class OpacWorld:
    records: dict[str, object]
    patrons: dict[str, object]
    hold: object  # Sam's hold on the owl book


def _patron(cli_actor, barcode: str, first: str, last: str, site: str, grade: str):
    patron = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode=barcode,
            first_name=first,
            last_name=last,
            patron_type="student",
            site_code=site,
            grade=grade,
        ),
        at=now(),
    )
    set_pin(actor=cli_actor, patron_id=patron.pk, pin=PIN, at=now())
    return patron


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The per-address limits count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def opac_world(district, cli_actor) -> OpacWorld:
    at = now()
    frog = create_record(
        actor=cli_actor,
        fields=RecordFields(
            title="Frog and Toad Are Friends",
            authors=("Lobel, Arnold",),
            publisher="Harper & Row",
            year=1970,
            subjects=("Frogs -- Juvenile fiction", "Friendship -- Juvenile fiction"),
            series=("An I can read book",),
            summary="Five stories about two friends who look after each other.",
            reading_level="2.5",
            call_number="E LOB",
        ),
        at=at,
    )
    owl = create_record(
        actor=cli_actor,
        fields=RecordFields(
            title="Owl at Home",
            authors=("Lobel, Arnold",),
            year=1975,
            subjects=("Owls -- Juvenile fiction",),
            call_number="E LOB",
        ),
        at=at,
    )
    gatos = create_record(
        actor=cli_actor,
        fields=RecordFields(
            title="Los gatos del barrio",
            authors=("Ortiz, Lucía",),
            year=2021,
            subjects=("Cats -- Juvenile fiction", "Gatos -- Ficción juvenil"),
            language="spa",
        ),
        at=at,
    )
    book = ItemFields(site_code="NES", material_type="book")
    add_items(actor=cli_actor, record_id=frog.pk, barcodes=["F1", "F2"], fields=book, at=at)
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["F3"],
        fields=ItemFields(site_code="SES", material_type="book"),
        at=at,
    )
    add_items(actor=cli_actor, record_id=owl.pk, barcodes=["O1"], fields=book, at=at)
    add_items(actor=cli_actor, record_id=gatos.pk, barcodes=["G1"], fields=book, at=at)
    ana = _patron(cli_actor, "P100", "Ana", "Reyes", "NES", "3")
    sam = _patron(cli_actor, "P300", "Sam", "Lund", "SES", "8")
    lee = _patron(cli_actor, "P400", "Lee", "Park", "NES", "9")
    check_out(actor=cli_actor, patron_barcode="P100", item_barcode="F1", at=at - timedelta(days=3))
    check_out(actor=cli_actor, patron_barcode="P400", item_barcode="O1", at=at - timedelta(days=2))
    hold = place_hold(
        actor=cli_actor, patron_barcode="P300", record_id=owl.pk, pickup_site_code="SES", at=at
    )
    charge(
        actor=cli_actor,
        patron=ana,
        charge_type=ChargeType.DAMAGED,
        amount=Decimal("3.50"),
        site=district.north,
        at=at,
    )
    return OpacWorld(
        records={"frog": frog, "owl": owl, "gatos": gatos},
        patrons={"ana": ana, "sam": sam, "lee": lee},
        hold=hold,
    )


@pytest.fixture
def logged_in(client: Client):
    """`logged_in("P100")`: the test client logged in to the OPAC with that card and PIN."""

    def log_in(card: str, pin: str = PIN) -> Client:
        response = client.post("/account/login", {"card": card, "pin": pin, "next": "/account"})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return log_in


@pytest.fixture
def family(opac_world, cli_actor):
    """Rosa is the guardian of Ana (grade 3, F1 out) and of Mia (grade 5, a hold on the frog
    book); Lee (grade 9) has another guardian."""
    ana, lee = opac_world.patrons["ana"], opac_world.patrons["lee"]
    mia = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P500",
            first_name="Mia",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
            grade="5",
        ),
        at=now(),
    )
    for child in (ana, mia):
        add_guardian(
            actor=cli_actor,
            patron_id=child.pk,
            fields=GuardianFields(name="Rosa Reyes", email=ROSA),
            at=now(),
        )
    add_guardian(
        actor=cli_actor,
        patron_id=lee.pk,
        fields=GuardianFields(name="Jin Park", email="jin.park@example.org"),
        at=now(),
    )
    hold = place_hold(
        actor=cli_actor,
        patron_barcode="P500",
        record_id=opac_world.records["frog"].pk,
        pickup_site_code="NES",
        at=now(),
    )
    return {"ana": ana, "mia": mia, "lee": lee, "mias_hold": hold}
