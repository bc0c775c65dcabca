"""Holds, visiting patrons, lost items, claims returned, refunds and override notes through the
Django test client: what a clerk sees and what each action did."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.interfaces.staff.conftest import DESK_MORNING

from octavo.audit.models import AuditEntry
from octavo.circulation.models import Loan
from octavo.circulation.services import check_in, check_out, mark_lost
from octavo.fines.selectors import balance
from octavo.fines.services import pay
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.holds.services import place_hold
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

MORNING = DESK_MORNING


def scan(client, barcode, url="/staff/desk/"):
    response = client.post(url, {"barcode": barcode})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


def follow(client, response):
    assert response.status_code == 302, response.content.decode()[:800]
    return client.get(response["Location"]).content.decode()


def _record(barcode: str) -> int:
    return Item.objects.get(barcode=barcode).record_id


@pytest.fixture
def admin(district):
    return district.users[Role.DISTRICT_ADMIN].actor()


# --- the patron panel ------------------------------------------------------------------------


def test_a_visiting_patrons_card_works_at_the_desk(client_as, desk_day, district):
    client = client_as(Role.TECHNICIAN)
    body = scan(client, "P300")  # Sam, whose home site is SES, at the NES desk
    assert "Lund, Sam" in body
    assert "visiting" in body
    assert "A patron of SES: the policy of this site applies." in body
    assert "/staff/patrons/" not in body.split('class="card patron-panel"')[1]  # no record link
    body = scan(client, "B1")
    assert "Checked out: due" in body
    assert Loan.objects.get(item__barcode="B1").patron == desk_day["sam"]
    entry = AuditEntry.objects.get(action="patron.view", object_id=desk_day["sam"].pk)
    assert entry.site_id == district.north.id


def test_the_patron_search_page_still_finds_only_home_site_patrons(client_as, desk_day):
    response = client_as(Role.TECHNICIAN).get("/staff/patrons/?q=P300")
    assert response.status_code == 200
    assert "Lund, Sam" not in response.content.decode()


def test_the_patron_panel_shows_the_item_limit_before_any_scan(client_as, desk_day, admin):
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(max_items=1)
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=MORNING)
    body = scan(client_as(Role.TECHNICIAN), "P100")
    assert '<li data-reason="limit_reached"><strong>Has as many items as allowed</strong>' in body
    assert "The patron already has 1 items out (the limit is 1)" in body


def test_a_patron_in_good_standing_has_no_standing_blocks(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "P100")
    assert "Before you scan" not in body


# --- the override note -----------------------------------------------------------------------


def test_an_override_without_a_note_is_not_done_and_asks_for_one(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P200")
    scan(client, "B1")
    data = {"action": "checkout", "item": "B1", "reasons": ["patron_expired", "fines_over_limit"]}
    body = follow(client, client.post("/staff/desk/override/", data))
    assert not Loan.objects.exists()
    assert "Write why the block is overridden." in body
    assert 'id="override-button"' in body
    assert not AuditEntry.objects.filter(action="loan.override").exists()


# --- lost and claims returned ----------------------------------------------------------------


def test_mark_lost_shows_the_charge_first_then_charges_it(client_as, desk_day, admin):
    Item.objects.filter(barcode="B1").update(price=Decimal("17.99"))
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        processing_fee=Decimal("5.00")
    )
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=MORNING)
    client = client_as(Role.TECHNICIAN)
    panel = scan(client, "P100")
    assert "/staff/desk/loans/B1/lost/" in panel
    assert "/staff/desk/loans/B1/claim-returned/" in panel
    confirm = client.get("/staff/desk/loans/B1/lost/").content.decode()
    assert "17.99" in confirm
    assert "5.00" in confirm
    assert "Mark lost and charge 22.99" in confirm
    assert balance(desk_day["ana"].pk) == Decimal("0.00")  # nothing until confirmed
    body = follow(client, client.post("/staff/desk/loans/B1/lost/", {"back": "desk"}))
    assert "Marked lost: 22.99 charged." in body
    assert balance(desk_day["ana"].pk) == Decimal("22.99")
    assert Item.objects.get(barcode="B1").status == "lost"
    assert "0 items out" in body


def test_claims_returned_from_the_patron_page_ends_the_loan_without_a_fine(
    client_as, desk_day, admin, desk_clock
):
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=MORNING)
    desk_clock.at = MORNING + timedelta(days=30)
    client = client_as(Role.TECHNICIAN)
    ana = desk_day["ana"]
    page = client.get(f"/staff/patrons/{ana.pk}/").content.decode()
    assert "/staff/desk/loans/B1/claim-returned/?back=patron" in page
    confirm = client.get("/staff/desk/loans/B1/claim-returned/?back=patron").content.decode()
    assert 'name="back" value="patron"' in confirm
    response = client.post("/staff/desk/loans/B1/claim-returned/", {"back": "patron"})
    assert response["Location"] == f"/staff/patrons/{ana.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "B1: claims returned recorded; the item is missing until it is found." in body
    assert not Loan.objects.filter(status="open").exists()
    assert Item.objects.get(barcode="B1").status == "missing"
    assert balance(ana.pk) == Decimal("0.00")


def test_a_lost_item_found_at_check_in_says_what_was_credited(client_as, desk_day, admin):
    Item.objects.filter(barcode="B1").update(price=Decimal("17.99"))
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=MORNING)
    mark_lost(actor=admin, item_barcode="B1", at=MORNING)
    body = scan(client_as(Role.TECHNICIAN), "B1", "/staff/desk/checkin/")
    assert "Lost item found: 17.99 credited." in body
    assert "outcome-attention" in body


def test_a_credit_is_refunded_at_the_patron_page(client_as, desk_day, admin):
    Item.objects.filter(barcode="B1").update(price=Decimal("17.99"))
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=MORNING)
    mark_lost(actor=admin, item_barcode="B1", at=MORNING)
    ana = desk_day["ana"]
    pay(actor=admin, patron_id=ana.pk, amount="17.99", method="cash", site_code="NES", at=MORNING)
    check_in(actor=admin, item_barcode="B1", at=MORNING, site_code="NES")
    assert balance(ana.pk) == Decimal("-17.99")
    helper = client_as(Role.STUDENT_HELPER).get(f"/staff/patrons/{ana.pk}/").content.decode()
    assert "Refund the credit" not in helper
    client = client_as(Role.TECHNICIAN)
    page = client.get(f"/staff/patrons/{ana.pk}/").content.decode()
    assert "The library owes this patron 17.99." in page
    data = {"refund-amount": "20.00", "refund-method": "cash"}
    refused = client.post(f"/staff/patrons/{ana.pk}/refund/", data)
    assert refused.status_code == 200
    assert "More than is owed" in refused.content.decode()
    data["refund-amount"] = "17.99"
    body = follow(client, client.post(f"/staff/patrons/{ana.pk}/refund/", data))
    assert "Refund of 17.99 given. The balance is now 0.00." in body
    assert balance(ana.pk) == Decimal("0.00")


# --- holds -----------------------------------------------------------------------------------


def test_a_hold_is_placed_from_the_record_page(client_as, desk_day):
    client = client_as(Role.STUDENT_HELPER)
    owl = _record("B3")
    page = client.get(f"/staff/catalog/{owl}/").content.decode()
    assert "Place a hold" in page
    data = {"hold-patron": "P100", "hold-pickup": "NES", "hold-item": ""}
    body = follow(client, client.post(f"/staff/catalog/{owl}/hold/", data))
    assert "Hold placed for Ana Reyes on Owl at Home: number 1 in the queue." in body
    hold = Hold.objects.get(patron=desk_day["ana"])
    assert (hold.record_id, hold.copy_level, hold.pickup_site.code) == (owl, False, "NES")


def test_a_copy_level_hold_from_the_record_page(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    owl = _record("B3")
    data = {"hold-patron": "P300", "hold-pickup": "NES", "hold-item": "S1"}
    follow(client, client.post(f"/staff/catalog/{owl}/hold/", data))
    hold = Hold.objects.get(patron=desk_day["sam"])
    assert hold.copy_level and hold.item.barcode == "S1"


def test_a_refused_hold_says_why_on_the_form(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    owl = _record("B3")
    data = {"hold-patron": "P200", "hold-pickup": "NES", "hold-item": ""}
    response = client.post(f"/staff/catalog/{owl}/hold/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The card has expired: The patron&#x27;s card has expired" in body
    data["hold-patron"] = "NOBODY"
    body = client.post(f"/staff/catalog/{owl}/hold/", data).content.decode()
    assert "Not found: No patron &#x27;NOBODY&#x27;" in body
    assert not Hold.objects.exists()


def test_a_teacher_sees_no_hold_form_on_a_record(client_as, desk_day):
    page = client_as(Role.TEACHER).get(f"/staff/catalog/{_record('B3')}/").content.decode()
    assert "Place a hold" not in page


def test_the_patron_page_places_lists_suspends_resumes_and_cancels_holds(
    client_as, desk_day, admin
):
    owl = _record("B3")
    earlier = MORNING - timedelta(hours=1)
    place_hold(
        actor=admin, patron_barcode="P300", record_id=owl, pickup_site_code="SES", at=earlier
    )
    ana = desk_day["ana"]
    client = client_as(Role.TECHNICIAN)
    url = f"/staff/patrons/{ana.pk}/"
    body = follow(client, client.post(f"{url}holds/", {"hold-item": "B3", "hold-pickup": "NES"}))
    assert "Hold placed for Ana Reyes on Owl at Home: number 2 in the queue." in body
    hold = Hold.objects.get(patron=ana)
    assert not hold.copy_level
    assert "Waiting in the queue" in body
    assert f"/staff/holds/{hold.pk}/cancel/" in body

    body = follow(client, client.post(f"/staff/holds/{hold.pk}/suspend/", {"until": "2026-09-20"}))
    assert "Hold suspended until Sept. 20, 2026." in body
    assert "suspended until Sept. 20, 2026" in body
    hold.refresh_from_db()
    assert hold.suspended_until == date(2026, 9, 20)
    body = follow(client, client.post(f"/staff/holds/{hold.pk}/suspend/", {"resume": "1"}))
    assert "The hold is back in the queue." in body
    hold.refresh_from_db()
    assert hold.suspended_until is None

    body = follow(client, client.post(f"/staff/holds/{hold.pk}/cancel/"))
    assert "Hold cancelled." in body
    hold.refresh_from_db()
    assert hold.status == "cancelled"


def test_suspending_until_a_past_day_is_refused_with_a_message(client_as, desk_day, admin):
    hold = place_hold(
        actor=admin,
        patron_barcode="P100",
        record_id=_record("B3"),
        pickup_site_code="NES",
        at=MORNING,
    )
    client = client_as(Role.TECHNICIAN)
    body = follow(client, client.post(f"/staff/holds/{hold.pk}/suspend/", {"until": "2026-08-01"}))
    assert "Suspend until a day after today" in body
    hold.refresh_from_db()
    assert hold.suspended_until is None


def test_a_hold_on_a_copy_from_the_patron_page_needs_a_known_barcode(client_as, desk_day):
    ana = desk_day["ana"]
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/patrons/{ana.pk}/holds/", {"hold-item": "NOPE", "hold-pickup": "NES"}
    )
    assert response.status_code == 200
    assert "No item with barcode &#x27;NOPE&#x27;" in response.content.decode()


def test_the_pull_list_shows_copies_on_the_shelf_for_waiting_holds(client_as, desk_day, admin):
    place_hold(
        actor=admin,
        patron_barcode="P100",
        record_id=_record("B1"),
        pickup_site_code="NES",
        at=MORNING,
    )
    place_hold(
        actor=admin,
        patron_barcode="P300",
        record_id=_record("S1"),
        pickup_site_code="SES",
        at=MORNING,
    )
    body = client_as(Role.TECHNICIAN).get("/staff/holds/pull/").content.decode()
    assert "Pull list" in body
    assert "B1" in body and "Frog and Toad" in body
    assert "B3" in body  # Owl at Home: the NES copy, for Sam's hold at SES
    # Not among the lines (the page's random CSRF token may hold the letters "S1").
    assert re.search(r">\s*S1\s*<", body) is None
    assert "data-print" in body
    south = client_as(Role.DISTRICT_ADMIN).get("/staff/holds/pull/?site=SES").content.decode()
    assert 'value="SES" selected' in south
    assert "S1" in south and "Frog and Toad" not in south


def test_the_hold_shelf_lists_ready_holds_and_expires_the_overdue_ones(
    client_as, desk_day, admin, desk_clock
):
    hold = place_hold(
        actor=admin,
        patron_barcode="P100",
        record_id=_record("B2"),
        pickup_site_code="NES",
        at=MORNING,
    )
    check_in(actor=admin, item_barcode="B2", at=MORNING, site_code="NES")  # trapped here
    client = client_as(Role.TECHNICIAN)
    body = client.get("/staff/holds/shelf/").content.decode()
    assert "Reyes, Ana" in body
    assert "B2" in body
    assert "past its last day" not in body
    desk_clock.at = MORNING + timedelta(days=30)
    body = client.get("/staff/holds/shelf/").content.decode()
    assert "past its last day" in body
    body = follow(client, client.post("/staff/holds/shelf/expire/"))
    assert "1 hold expired." in body
    hold.refresh_from_db()
    assert hold.status == "expired"
    assert "The hold shelf is empty." in body


def test_the_desk_links_to_the_pull_list_and_the_hold_shelf(client_as, desk_day):
    body = client_as(Role.STUDENT_HELPER).get("/staff/desk/").content.decode()
    assert 'href="/staff/holds/pull/"' in body
    assert 'href="/staff/holds/shelf/"' in body


def test_the_new_pages_speak_spanish(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    client.cookies["octavo_language"] = "es"
    body = client.get("/staff/holds/shelf/").content.decode()
    assert "Hold shelf" not in body
    assert "Expire overdue holds now" not in body
