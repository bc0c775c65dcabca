"""Merging a duplicate from the patron's page: the card asked for, what would move shown,
then the merge; mistakes named on the form (issue #4, "Patrons")."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.circulation.models import Loan
from octavo.circulation.services import check_out
from octavo.fines.selectors import balance
from octavo.patrons.models import Patron
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(desk_day, district, cli_actor):
    """Ana's second record (card S-9) with B3 out."""
    create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="S-9",
            first_name="Ana",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
        ),
        at=T0,
    )
    check_out(
        actor=district.users[Role.DISTRICT_ADMIN].actor(),
        patron_barcode="S-9",
        item_barcode="B3",
        at=T0,
    )
    return desk_day


def test_the_page_shows_what_would_move_then_merges(client_as, duplicate) -> None:
    client = client_as(Role.TECHNICIAN)
    ana = duplicate["ana"]
    shown = client.get(f"/staff/patrons/{ana.pk}/merge/", {"duplicate": "S-9"})
    text = shown.content.decode()
    assert "From S-9 (Reyes, Ana)" in text and "Merge S-9 into this record" in text
    assert Loan.objects.get(item__barcode="B3").patron.barcode == "S-9"  # nothing moved yet
    done = client.post(f"/staff/patrons/{ana.pk}/merge/", {"duplicate": "S-9"}, follow=True)
    assert "S-9 merged into this record: 1 loans, 0 holds" in done.content.decode()
    assert Loan.objects.get(item__barcode="B3").patron_id == ana.pk
    assert Patron.objects.get(barcode="S-9").status == "merged"
    assert balance(ana.pk) == Decimal("0.00")


def test_a_wrong_card_is_named_on_the_form(client_as, duplicate) -> None:
    client = client_as(Role.TECHNICIAN)
    ana = duplicate["ana"]
    for card, words in (("P100", "own card"), ("NOPE", "no patron with barcode 'NOPE'")):
        response = client.post(f"/staff/patrons/{ana.pk}/merge/", {"duplicate": card})
        assert response.status_code == 200
        assert words in html.unescape(response.content.decode())
    assert Patron.objects.get(barcode="S-9").status == "active"


def test_a_merged_record_points_to_the_one_that_stayed(client_as, duplicate) -> None:
    client = client_as(Role.TECHNICIAN)
    ana = duplicate["ana"]
    client.post(f"/staff/patrons/{ana.pk}/merge/", {"duplicate": "S-9"})
    merged = Patron.objects.get(barcode="S-9")
    page = client.get(f"/staff/patrons/{merged.pk}/").content.decode()
    assert "Merged into another record" in page
    assert f'href="/staff/patrons/{ana.pk}/"' in page
