"""A card holder's own actions in the OPAC, at the service level: renewals, holds and the
reading history choice, with the same rules as the desk and nothing beyond their own account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.history import choose_reading_history, reading_history
from octavo.circulation.models import Loan
from octavo.circulation.services import cancel_hold, check_in, check_out, renew_own
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.models import Hold
from octavo.holds.services import place_hold
from octavo.patrons.models import Patron
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Actor, Role
from octavo.shared.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(district, cli_actor):
    book = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=book.pk,
        barcodes=["O1", "O2"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    people = {}
    for barcode, first, grade in (("P1", "Ana", "3"), ("P2", "Lee", "9")):
        people[first] = create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=barcode,
                first_name=first,
                last_name="Test",
                patron_type="student",
                site_code="NES",
                grade=grade,
            ),
            at=T0,
        )
    check_out(actor=cli_actor, patron_barcode="P1", item_barcode="O1", at=T0)
    check_out(actor=cli_actor, patron_barcode="P2", item_barcode="O2", at=T0)
    return {"book": book, **people}


def me(patron) -> Actor:
    return Actor.card_holder(patron.pk, patron.barcode)


def test_a_card_holder_renews_their_own_loan_by_the_desks_rules(shelf):
    result = renew_own(actor=me(shelf["Ana"]), item_barcode="O1", at=T0 + timedelta(days=3))
    assert result.loan.renewals == 1
    assert result.due_at > T0 + timedelta(days=3)


def test_another_patrons_loan_is_not_found_for_a_card_holder(shelf):
    with pytest.raises(NotFound):
        renew_own(actor=me(shelf["Ana"]), item_barcode="O2", at=T0)
    with pytest.raises(NotFound):
        renew_own(actor=me(shelf["Ana"]), item_barcode="NO-SUCH", at=T0)
    assert Loan.objects.get(item__barcode="O2", status="open").renewals == 0


def test_staff_accounts_cannot_use_the_card_holders_renewal(shelf, district):
    technician = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(PermissionDenied):
        renew_own(actor=technician, item_barcode="O1", at=T0)


def test_a_card_holder_places_a_hold_for_themselves_only(shelf):
    ana = shelf["Ana"]
    hold = place_hold(actor=me(ana), record_id=shelf["book"].pk, pickup_site_code="SES", at=T0)
    assert hold.patron_id == ana.pk and hold.pickup_site.code == "SES"
    with pytest.raises(PermissionDenied):
        place_hold(
            actor=me(ana),
            patron_id=shelf["Lee"].pk,
            record_id=shelf["book"].pk,
            pickup_site_code="NES",
            at=T0,
        )
    # A barcode naming someone else is ignored: the hold is the card holder's or nothing.
    with pytest.raises(Exception, match="already has a hold"):
        place_hold(
            actor=me(ana),
            patron_barcode="P2",
            record_id=shelf["book"].pk,
            pickup_site_code="NES",
            at=T0,
        )
    assert not Hold.objects.filter(patron=shelf["Lee"]).exists()


def test_a_card_holder_cancels_their_own_hold_but_not_anothers(shelf, cli_actor):
    book = shelf["book"].pk
    ana_hold = place_hold(actor=me(shelf["Ana"]), record_id=book, pickup_site_code="NES", at=T0)
    lee_hold = place_hold(
        actor=cli_actor, patron_barcode="P2", record_id=book, pickup_site_code="NES", at=T0
    )
    with pytest.raises(NotFound):
        cancel_hold(actor=me(shelf["Ana"]), hold_id=lee_hold.pk, at=T0)
    assert Hold.objects.get(pk=lee_hold.pk).status == "waiting"
    cancel_hold(actor=me(shelf["Ana"]), hold_id=ana_hold.pk, at=T0)
    assert Hold.objects.get(pk=ana_hold.pk).status == "cancelled"


def test_turning_the_history_off_forgets_what_it_kept(shelf, cli_actor):
    lee = shelf["Lee"]
    choose_reading_history(actor=me(lee), patron_id=lee.pk, keep=True, at=T0)
    check_in(actor=cli_actor, item_barcode="O2", at=T0 + timedelta(days=1))
    (line,) = reading_history(lee.pk)
    assert line.title == "Owl at Home"
    forgotten = choose_reading_history(actor=me(lee), patron_id=lee.pk, keep=False, at=T0)
    assert forgotten == 1
    assert reading_history(lee.pk) == []
    assert not Patron.objects.get(pk=lee.pk).keeps_reading_history


def test_a_young_child_cannot_turn_on_their_own_history_but_their_parent_can(shelf):
    ana = shelf["Ana"]  # grade 3
    with pytest.raises(PermissionDenied):
        choose_reading_history(actor=me(ana), patron_id=ana.pk, keep=True, at=T0)
    parent = Actor.parent("rosa@example.org", frozenset({ana.pk}))
    choose_reading_history(actor=parent, patron_id=ana.pk, keep=True, at=T0)
    assert Patron.objects.get(pk=ana.pk).keeps_reading_history


def test_a_teenagers_parent_does_not_choose_for_them(shelf):
    lee = shelf["Lee"]  # grade 9
    parent = Actor.parent("jin@example.org", frozenset({lee.pk}))
    with pytest.raises(PermissionDenied):
        choose_reading_history(actor=parent, patron_id=lee.pk, keep=True, at=T0)


def test_staff_change_the_history_choice_where_they_may_edit_patrons(shelf, district):
    lee = shelf["Lee"]
    technician = district.users[Role.TECHNICIAN].actor()  # at North, Lee's home site
    choose_reading_history(actor=technician, patron_id=lee.pk, keep=True, at=T0)
    assert Patron.objects.get(pk=lee.pk).keeps_reading_history
    helper = district.users[Role.STUDENT_HELPER].actor()
    with pytest.raises(PermissionDenied):
        choose_reading_history(actor=helper, patron_id=lee.pk, keep=False, at=T0)
