"""Fixtures for the staff screens: a fresh Spanish catalog, logged-in clients, two locations, and
a desk morning (items, patrons, a fixed clock) for the desk and patron pages."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.test import Client
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.models import OpeningHours
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.staff import (
    desk_print_views,
    desk_views,
    holds_views,
    loan_views,
    patron_views,
    roster_views,
)
from octavo.patrons.services import GuardianFields, PatronFields, add_guardian, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role


@pytest.fixture
def client_as(district, client: Client):
    """`client_as(Role.X)`: the test client logged in with the district's account for X."""

    def log_in(role: Role | None) -> Client:
        if role is not None:
            client.force_login(district.users[role])
        return client

    return log_in


@pytest.fixture
def locations(district, cli_actor):
    """One location at North Elementary (NES/FIC) and one at South Elementary (SES/REF)."""
    from octavo.district.services import add_location

    return {
        "NES": add_location(
            actor=cli_actor, site=district.north, code="FIC", name="Fiction", at=T0
        ),
        "SES": add_location(
            actor=cli_actor, site=district.south, code="REF", name="Reference", at=T0
        ),
    }


# Tuesday 1 September 2026, 08:00 at the sites (Pacific time): the desk's morning.
DESK_MORNING = T0.replace(hour=15)


@pytest.fixture
def desk_clock(monkeypatch):
    """The desk's clock, fixed at DESK_MORNING; `clock.at = ...` moves it."""

    class Clock:
        at = DESK_MORNING

    clock = Clock()
    monkeypatch.setattr(desk_views, "now", lambda: clock.at)
    monkeypatch.setattr(patron_views, "now", lambda: clock.at)
    monkeypatch.setattr(desk_print_views, "now", lambda: clock.at)
    monkeypatch.setattr(holds_views, "now", lambda: clock.at)
    monkeypatch.setattr(loan_views, "now", lambda: clock.at)
    monkeypatch.setattr(roster_views, "now", lambda: clock.at)
    return clock


@pytest.fixture
def desk_day(district, cli_actor, desk_clock):
    """North and South Elementary open Monday to Friday 08:00-15:30, fines of 0.25 a day; three
    books at NES (B1-B3) and one at SES (S1); at NES Ana (3rd grade) and Ben, whose card
    expired in June and who owes 12.00; at SES Sam."""
    for weekday in range(5):
        for site in (district.north, district.south):
            OpeningHours.objects.create(
                site=site, weekday=weekday, opens=time(8), closes=time(15, 30)
            )
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        fine_per_day=Decimal("0.25")
    )
    frog = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    owl = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["B1", "B2"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["B3"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["S1"],
        fields=ItemFields(site_code="SES", material_type="book"),
        at=T0,
    )
    ana = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P100",
            first_name="Ana",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
            grade="3",
            homeroom="Ms. Lee",
            student_id="S-555",
            email="ana.family@example.org",
        ),
        at=T0,
    )
    add_guardian(
        actor=cli_actor,
        patron_id=ana.pk,
        fields=GuardianFields(name="Rosa Reyes", phone="555-0100"),
        at=T0,
    )
    ben = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P200",
            first_name="Ben",
            last_name="Okafor",
            patron_type="student",
            site_code="NES",
            card_expires=date(2026, 6, 30),
        ),
        at=T0,
    )
    charge(
        actor=cli_actor,
        patron=ben,
        charge_type=ChargeType.LOST,
        amount=Decimal("12.00"),
        site=district.north,
        at=T0,
    )
    sam = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P300",
            first_name="Sam",
            last_name="Lund",
            patron_type="student",
            site_code="SES",
        ),
        at=T0,
    )
    return {"ana": ana, "ben": ben, "sam": sam}
