"""The desk and the staff patron pages through the Django test client: what a clerk sees after
each scan, who may override, check-in outcomes, receipts, the audited patron page, payments."""

from __future__ import annotations

import io
import wave
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.interfaces.staff.conftest import DESK_MORNING

from octavo.audit.models import AuditEntry
from octavo.circulation.models import Loan
from octavo.circulation.services import check_out
from octavo.fines.selectors import balance
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.holds.services import place_hold
from octavo.patrons.models import Patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

MORNING = DESK_MORNING


def scan(client, barcode, url="/staff/desk/"):
    """One scan, as a plain POST; the desk page it redirects to."""
    response = client.post(url, {"barcode": barcode})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


# --- check out -------------------------------------------------------------------------------


def test_scanning_a_card_shows_the_patron_and_asks_for_items(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "P100")
    assert "Reyes, Ana" in body
    assert "Ms. Lee" in body
    assert "Patron Ana Reyes: scan the items." in body
    assert '<label for="scan">Item barcode</label>' in body
    assert 'data-sound="/staff/desk/sounds/ok.wav"' in body


def test_an_item_scan_checks_out_in_one_step_and_shows_the_due_date(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    body = scan(client, "B1")
    # 1 Sept + 14 days: Tuesday 15 September, at closing time.
    assert "Checked out: due Sept. 15, 2026, 3:30 p.m." in body
    assert "Frog and Toad" in body
    assert Loan.objects.get(item__barcode="B1").patron == desk_day["ana"]
    assert Item.objects.get(barcode="B1").status == "checked_out"
    assert "1 item out" in body  # the patron panel lists the loan


def test_the_sound_is_played_once_not_on_every_reload(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    again = client.get("/staff/desk/").content.decode()
    assert 'data-sound=""' in again


def test_a_block_shows_every_reason_in_words(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P200")
    body = scan(client, "B1")
    assert "Not checked out." in body
    assert "The card has expired" in body
    assert "Owes more than the limit" in body
    assert "outcome-block" in body
    assert 'data-sound="/staff/desk/sounds/block.wav"' in body
    assert not Loan.objects.exists()


def test_the_patron_panel_lists_standing_blocks_before_any_scan(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "P200")
    assert "Before you scan" in body
    assert '<li data-reason="patron_expired"><strong>The card has expired</strong>' in body
    assert '<li data-reason="fines_over_limit"><strong>Owes more than the limit</strong>' in body


def test_a_student_helper_sees_the_block_without_an_override(client_as, desk_day):
    client = client_as(Role.STUDENT_HELPER)
    scan(client, "P200")
    body = scan(client, "B1")
    assert "The card has expired" in body
    assert "Override" not in body
    assert "/staff/desk/override/" not in body
    assert "A library technician or librarian can override this block." in body


def test_a_student_helper_posting_an_override_is_refused(client_as, desk_day):
    client = client_as(Role.STUDENT_HELPER)
    scan(client, "P200")
    data = {"action": "checkout", "item": "B1", "reasons": ["patron_expired", "fines_over_limit"]}
    response = client.post("/staff/desk/override/", data)
    assert response.status_code == 403
    assert not Loan.objects.exists()


def test_a_technician_overrides_a_block_and_it_is_audited(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P200")
    body = scan(client, "B1")
    assert 'id="override-button"' in body
    assert 'name="reasons" value="patron_expired"' in body
    assert 'name="note"' in body
    response = client.post(
        "/staff/desk/override/",
        {
            "action": "checkout",
            "item": "B1",
            "reasons": ["patron_expired", "fines_over_limit"],
            "note": "Renewal form signed today",
        },
    )
    assert response.status_code == 302
    body = client.get("/staff/desk/").content.decode()
    assert "Checked out: due Sept. 15, 2026" in body
    assert "Block overridden." in body
    assert Loan.objects.get(item__barcode="B1").patron == desk_day["ben"]
    entry = AuditEntry.objects.get(action="loan.override")
    assert entry.changes["overridden"][1] == ["patron_expired", "fines_over_limit"]
    assert entry.changes["note"][1] == "Renewal form signed today"


def test_an_item_out_to_someone_else_offers_no_override(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    scan(client, "P200")
    body = scan(client, "B1")
    assert "Already checked out" in body
    assert 'id="override-button"' not in body


def test_a_new_card_in_the_item_box_switches_patron(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    body = scan(client, "P200")
    assert "Okafor, Ben" in body
    assert "Patron Ben Okafor: scan the items." in body
    assert "Checked out:" not in body  # a new session: Ana's lines are gone


def test_an_item_scanned_first_is_named_as_an_item(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "B1")
    assert "B1 is an item, not a patron&#x27;s card: scan the patron&#x27;s card first." in body


def test_an_unknown_barcode_is_named(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    body = scan(client, "NOPE-42")
    assert "Not found" in body
    assert "NOPE-42" in body


def test_opening_the_desk_for_a_patron_writes_one_view_entry(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    scan(client, "B2")
    views = AuditEntry.objects.filter(action="patron.view", object_id=desk_day["ana"].pk)
    assert views.count() == 1


def test_renew_one_and_renew_all(client_as, desk_day, desk_clock):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    scan(client, "B2")
    desk_clock.at = MORNING + timedelta(days=7)  # Tuesday 8 September
    client.post("/staff/desk/renew/", {"item": "B1"})
    body = client.get("/staff/desk/").content.decode()
    assert "Renewed: due Sept. 22, 2026, 3:30 p.m." in body
    client.post("/staff/desk/renew-all/")
    assert Loan.objects.get(item__barcode="B1").renewals == 2
    assert Loan.objects.get(item__barcode="B2").renewals == 1
    client.post("/staff/desk/renew/", {"item": "B1"})  # a third time: no renewals left
    body = client.get("/staff/desk/").content.decode()
    assert "Not renewed." in body
    assert "No renewals left" in body


def test_the_receipt_lists_this_sessions_items_and_due_dates(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    scan(client, "B3")
    body = client.get("/staff/desk/receipt/").content.decode()
    assert "Ana Reyes" in body
    assert "Frog and Toad" in body
    assert "Owl at Home" in body
    assert body.count("Sept. 15, 2026, 3:30 p.m.") == 2
    assert "2 items" in body
    client.post("/staff/desk/finish/", {"mode": "checkout"})
    body = client.get("/staff/desk/receipt/").content.decode()
    assert "Frog and Toad" not in body


def test_htmx_gets_the_desk_panel_alone(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    response = client.post("/staff/desk/", {"barcode": "P100"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="desk-panel"')
    assert "<html" not in body
    assert "Reyes, Ana" in body


def test_an_empty_enter_does_nothing(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "   ")
    assert '<label for="scan">Patron card</label>' in body
    assert "outcome-block" not in body


# --- check in --------------------------------------------------------------------------------


def test_check_in_of_a_late_item_shows_the_fine_charged(client_as, desk_day, district, desk_clock):
    tech = district.users[Role.TECHNICIAN].actor()
    check_out(actor=tech, patron_barcode="P100", item_barcode="B1", at=MORNING)
    desk_clock.at = MORNING + timedelta(days=16)  # Thursday 17 September: two open days late
    body = scan(client_as(Role.TECHNICIAN), "B1", "/staff/desk/checkin/")
    assert "Returned." in body
    assert "Fine charged: 0.50 (2 open days late)." in body
    assert "outcome-attention" in body
    assert balance(desk_day["ana"].pk) == Decimal("0.50")


def test_check_in_at_another_site_starts_a_transit_with_a_slip(client_as, desk_day, district):
    tech = district.users[Role.TECHNICIAN].actor()
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(actor=admin, patron_barcode="P100", item_barcode="S1", at=MORNING, site_code="SES")
    body = scan(client_as(Role.TECHNICIAN), "S1", "/staff/desk/checkin/")
    assert tech.site_ids == frozenset({district.north.id})
    assert "In transit to SES South Elementary: put it on the transit cart." in body
    assert "/staff/desk/transit/S1/" in body
    slip = client_as(Role.TECHNICIAN).get("/staff/desk/transit/S1/").content.decode()
    assert "SES</strong> South Elementary" in slip
    assert "NES North Elementary" in slip
    assert "Owl at Home" in slip


def test_check_in_of_an_item_not_out_says_so(client_as, desk_day):
    body = scan(client_as(Role.TECHNICIAN), "B2", "/staff/desk/checkin/")
    assert "Was not checked out." in body
    assert "Back to the shelf." in body


def test_a_patron_card_scanned_at_check_in_is_named(client_as, desk_day):
    body = scan(client_as(Role.STUDENT_HELPER), "P100", "/staff/desk/checkin/")
    assert "is a patron&#x27;s card, not an item&#x27;s barcode" in body


def _owl_out_with_a_hold(desk_day, district, pickup: str) -> None:
    """B3 (Owl at Home, NES) is out to Sam; Ana waits for the title, to pick up at `pickup`."""
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(actor=admin, patron_barcode="P300", item_barcode="B3", at=MORNING, site_code="NES")
    owl = Item.objects.get(barcode="B3").record_id
    place_hold(
        actor=admin, patron_barcode="P100", record_id=owl, pickup_site_code=pickup, at=MORNING
    )


def test_check_in_traps_a_hold_with_a_slip_that_names_no_title(client_as, desk_day, district):
    _owl_out_with_a_hold(desk_day, district, pickup="NES")
    client = client_as(Role.TECHNICIAN)
    body = scan(client, "B3", "/staff/desk/checkin/")
    assert "A hold here: put it on the hold shelf with its slip." in body
    hold = Hold.objects.get(patron=desk_day["ana"])
    assert f"/staff/desk/holds/{hold.pk}/slip/" in body
    slip = client.get(f"/staff/desk/holds/{hold.pk}/slip/").content.decode()
    assert "<strong>Reyes</strong>, Ana" in slip
    assert "Pick up at: NES North Elementary" in slip
    assert "Owl at Home" not in slip
    panel = scan(client, "P100")  # Ana at the counter: her hold is waiting
    assert "Owl at Home: Ready on the hold shelf (NES)" in panel


def test_check_in_of_an_item_wanted_elsewhere_goes_in_transit_for_the_hold(
    client_as, desk_day, district
):
    _owl_out_with_a_hold(desk_day, district, pickup="SES")
    client = client_as(Role.TECHNICIAN)
    body = scan(client, "B3", "/staff/desk/checkin/")
    assert "A hold at SES South Elementary: put it on the transit cart." in body
    slip = client.get("/staff/desk/transit/B3/").content.decode()
    assert "For a hold: put it on the hold shelf when it arrives." in slip


def test_the_desk_speaks_spanish(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    client.cookies["octavo_language"] = "es"
    scan(client, "P200")
    body = scan(client, "B1")
    assert "No se prestó." in body
    assert "La tarjeta está vencida" in body


# --- sounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ok", "attention", "block"])
def test_each_sound_is_a_short_wav_file(client, name):
    response = client.get(f"/staff/desk/sounds/{name}.wav")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
    assert 0.05 < seconds < 0.6


def test_an_unknown_sound_is_not_found(client):
    assert client.get("/staff/desk/sounds/fanfare.wav").status_code == 404


# --- patron pages ----------------------------------------------------------------------------


def test_finding_a_patron_by_name_lists_them(client_as, desk_day):
    body = client_as(Role.STUDENT_HELPER).get("/staff/patrons/?q=reyes").content.decode()
    assert "Reyes, Ana" in body
    assert f"/staff/patrons/{desk_day['ana'].pk}/" in body


def test_a_scanned_card_opens_the_patron_at_once(client_as, desk_day):
    response = client_as(Role.TECHNICIAN).get("/staff/patrons/?q=P100")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/patrons/{desk_day['ana'].pk}/"


def test_the_patron_page_writes_a_patron_view_audit_entry(client_as, desk_day, district):
    body = client_as(Role.TECHNICIAN).get(f"/staff/patrons/{desk_day['ana'].pk}/").content.decode()
    assert "Reyes, Ana" in body
    entry = AuditEntry.objects.get(action="patron.view", object_id=desk_day["ana"].pk)
    assert entry.actor_username == district.users[Role.TECHNICIAN].username


def test_a_technician_sees_contact_details_and_the_ledger(client_as, desk_day):
    body = client_as(Role.TECHNICIAN).get(f"/staff/patrons/{desk_day['ben'].pk}/").content.decode()
    assert "Lost item" in body  # the ledger line
    assert "12.00" in body
    body = client_as(Role.TECHNICIAN).get(f"/staff/patrons/{desk_day['ana'].pk}/").content.decode()
    assert "ana.family@example.org" in body
    assert "Rosa Reyes" in body


def test_a_student_helper_sees_no_private_details(client_as, desk_day):
    client = client_as(Role.STUDENT_HELPER)
    ana = client.get(f"/staff/patrons/{desk_day['ana'].pk}/").content.decode()
    assert "Reyes, Ana" in ana
    assert "ana.family@example.org" not in ana
    assert "Rosa Reyes" not in ana
    assert "S-555" not in ana
    ben = client.get(f"/staff/patrons/{desk_day['ben'].pk}/").content.decode()
    assert "Balance: 12.00" in ben
    assert "Lost item" not in ben  # no ledger lines
    assert "Take a payment" in ben  # the desk takes payments
    assert "Waive" not in ben


def test_a_payment_reduces_the_balance(client_as, desk_day):
    client = client_as(Role.TECHNICIAN)
    url = f"/staff/patrons/{desk_day['ben'].pk}/"
    response = client.post(
        f"{url}pay/", {"pay-amount": "5.00", "pay-method": "check", "pay-reference": "1042"}
    )
    assert response.status_code == 302
    assert balance(desk_day["ben"].pk) == Decimal("7.00")
    body = client.get(url).content.decode()
    assert "Payment of 5.00 taken. The balance is now 7.00." in body
    assert "Check 1042" in body


def test_a_payment_larger_than_the_balance_is_refused_on_the_form(client_as, desk_day):
    client = client_as(Role.STUDENT_HELPER)
    url = f"/staff/patrons/{desk_day['ben'].pk}/pay/"
    response = client.post(url, {"pay-amount": "20.00", "pay-method": "cash"})
    assert response.status_code == 200
    assert "More than is owed" in response.content.decode()
    assert balance(desk_day["ben"].pk) == Decimal("12.00")


def test_a_site_librarian_waives_with_a_reason(client_as, desk_day):
    client = client_as(Role.SITE_LIBRARIAN)
    url = f"/staff/patrons/{desk_day['ben'].pk}/waive/"
    response = client.post(url, {"waive-amount": "12.00", "waive-reason": "Found the book"})
    assert response.status_code == 302
    assert balance(desk_day["ben"].pk) == Decimal("0.00")


def test_a_student_helper_may_not_waive(client_as, desk_day):
    url = f"/staff/patrons/{desk_day['ben'].pk}/waive/"
    data = {"waive-amount": "12.00", "waive-reason": "Asked nicely"}
    response = client_as(Role.STUDENT_HELPER).post(url, data)
    assert response.status_code == 403
    assert balance(desk_day["ben"].pk) == Decimal("12.00")


def test_a_technician_adds_a_community_patron(client_as, desk_day):
    data = {
        "barcode": "P900",
        "first_name": "Pat",
        "last_name": "Newman",
        "patron_type": "community",
        "site": "NES",
        "card_expires": "2027-06-30",
        "language": "es",
    }
    response = client_as(Role.TECHNICIAN).post("/staff/patrons/new/", data)
    assert response.status_code == 302
    patron = Patron.objects.get(barcode="P900")
    assert (patron.patron_type.code, patron.home_site.code) == ("community", "NES")
    assert patron.card_expires == date(2027, 6, 30)
    assert AuditEntry.objects.filter(action="patron.create", object_id=patron.pk).exists()


def test_a_card_barcode_already_in_use_is_shown_on_the_form(client_as, desk_day):
    data = {
        "barcode": "P100",
        "first_name": "Pat",
        "last_name": "Newman",
        "patron_type": "community",
        "site": "NES",
        "language": "en",
    }
    response = client_as(Role.TECHNICIAN).post("/staff/patrons/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["barcode"]
    assert "Already in use" in response.content.decode()


def test_a_technician_corrects_a_grade_and_only_that_is_changed(client_as, desk_day):
    ana = desk_day["ana"]
    client = client_as(Role.TECHNICIAN)
    form = client.get(f"/staff/patrons/{ana.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["grade"] = "4"
    response = client.post(f"/staff/patrons/{ana.pk}/edit/", data)
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.grade == "4"
    entry = AuditEntry.objects.get(action="patron.update", object_id=ana.pk)
    assert entry.changes == {"grade": ["3", "4"]}


def test_the_navigation_shows_the_desk_and_patrons_only_to_roles_that_use_them(client_as):
    helper = client_as(Role.STUDENT_HELPER).get("/staff/").content.decode()
    assert 'href="/staff/desk/"' in helper
    assert 'href="/staff/patrons/"' in helper
    teacher = client_as(Role.TEACHER).get("/staff/").content.decode()
    assert 'href="/staff/desk/"' not in teacher
    assert 'href="/staff/patrons/"' not in teacher
