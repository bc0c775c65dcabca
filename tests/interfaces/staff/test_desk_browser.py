"""A technician's desk in a real Chromium, from the keyboard alone. The morning: scan a patron,
check out two items, print the receipt, meet a block and override it, then check in a late item
(a fine) and an item from another site (a transit). The whole day: check-ins with a hold and a
transit, a class checking out, a lost book paid for, a roster update. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from tests.conftest import PASSWORD, T0, seed_defaults
from tests.integration.patrons.oneroster_files import org, user, write_roster, zip_roster
from tests.interfaces.staff.conftest import DESK_MORNING

# The browser, and the audit log's triggers around a live server's flush, as the staff browser
# test sets them up (importing that module also skips this one when there is no Chromium).
from tests.interfaces.staff.test_staff_browser import (  # noqa: F401
    ARTIFACTS,
    _audit_triggers_back,
    _flushable_audit_log,
    browser_page,
)

from octavo.circulation.models import Loan
from octavo.circulation.services import check_out
from octavo.fines.selectors import balance
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.models import Hold
from octavo.holds.services import place_hold
from octavo.patrons.models import Patron
from octavo.patrons.roster import import_roster
from octavo.shared.actor import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

_LEDGER_TRIGGERS = importlib.import_module("octavo.fines.migrations.0002_append_only")


def _ledger_triggers(install: bool) -> None:
    with connection.schema_editor() as editor:
        (_LEDGER_TRIGGERS.forwards if install else _LEDGER_TRIGGERS.backwards)(None, editor)


@pytest.fixture(scope="module")
def _ledger_triggers_back(django_db_blocker):
    """Put the fines ledger's append-only triggers back after this module's last flush."""
    yield
    with django_db_blocker.unblock():
        _ledger_triggers(install=False)  # idempotent: a test may have failed before dropping
        _ledger_triggers(install=True)


@pytest.fixture(autouse=True)
def _flushable_ledger(_ledger_triggers_back, transactional_db):
    """The ledger, like the audit log, refuses the live server's closing flush: drop its
    triggers just before it (the module fixture restores them)."""
    yield
    _ledger_triggers(install=False)


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    seed_defaults()  # an earlier live-server test's flush emptied every table


def scan(page, barcode: str) -> None:
    """Type a barcode as a scanner does, Enter included, into whatever has the focus."""
    page.keyboard.type(barcode)
    page.keyboard.press("Enter")


def test_a_desk_morning_from_the_keyboard(
    live_server,
    district,
    desk_day,
    desk_clock,
    browser_page,  # noqa: F811 - the imported fixture
):
    # Sam (a South Elementary student) borrowed S1 at SES last week; he drops it at NES.
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(
        actor=admin,
        patron_barcode="P300",
        item_barcode="S1",
        at=DESK_MORNING - timedelta(days=7),
        site_code="SES",
    )
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/staff/login/?next=/staff/desk/")
    page.get_by_label("Username").focus()
    page.keyboard.type(district.users[Role.TECHNICIAN].username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # Check out: the focus starts in the scan box, which asks for a card, then for items.
    expect(page.get_by_label("Patron card")).to_be_focused()
    scan(page, "P100")
    expect(page.get_by_role("heading", name="Reyes, Ana")).to_be_visible()
    expect(page.get_by_label("Item barcode")).to_be_focused()
    scan(page, "B1")
    latest = page.locator("#desk-latest")
    expect(latest).to_contain_text("Checked out: due Sept. 15, 2026, 3:30 p.m.")
    expect(page.locator("body")).to_have_attribute("data-last-sound", "/staff/desk/sounds/ok.wav")
    expect(page.get_by_label("Item barcode")).to_be_focused()
    scan(page, "B3")
    expect(latest).to_contain_text("Owl at Home")
    expect(page.get_by_role("heading", name="2 items out")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "desk-checkout.png"), full_page=True)

    # The receipt, as it prints.
    page.goto(f"{live_server.url}/staff/desk/receipt/")
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Frog and Toad")
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "desk-receipt-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/staff/desk/")

    # Ben: an expired card and 12.00 owed. The block says why, in a colour, words and a sound.
    expect(page.get_by_label("Item barcode")).to_be_focused()
    scan(page, "P200")
    expect(page.get_by_role("heading", name="Okafor, Ben")).to_be_visible()
    scan(page, "B2")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not checked out.")
    expect(alert).to_contain_text("The card has expired")
    expect(alert).to_contain_text("Owes more than the limit")
    expect(page.locator("body")).to_have_attribute(
        "data-last-sound", "/staff/desk/sounds/block.wav"
    )
    page.screenshot(path=str(ARTIFACTS / "desk-block.png"), full_page=True)
    # Tab past the Enter button to the override's note, then its button; Escape would bring
    # the focus back.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    note = page.get_by_label("Why? A short note for the audit log")
    expect(note).to_be_focused()
    page.keyboard.press("Tab")
    override = page.get_by_role("button", name="Override: check out anyway")
    expect(override).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_label("Item barcode")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Card renewed at the office")
    page.keyboard.press("Enter")
    expect(latest).to_contain_text("Checked out:")
    expect(latest).to_contain_text("Block overridden.")
    assert Loan.objects.get(item__barcode="B2").patron_id == desk_day["ben"].pk

    # Check in, sixteen days on: Shift+Tab from the scan box reaches the mode links.
    desk_clock.at = DESK_MORNING + timedelta(days=16)
    expect(page.get_by_label("Item barcode")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Check in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check in")
    expect(page.get_by_label("Item barcode")).to_be_focused()
    scan(page, "B1")
    expect(latest).to_contain_text("Returned.")
    expect(latest).to_contain_text("Fine charged: 0.50 (2 open days late).")
    expect(page.locator("body")).to_have_attribute(
        "data-last-sound", "/staff/desk/sounds/attention.wav"
    )
    scan(page, "S1")
    expect(latest).to_contain_text("In transit to SES South Elementary")
    expect(page.get_by_label("Item barcode")).to_be_focused()
    scan(page, "B1")  # a second scan of a book already back
    expect(latest).to_contain_text("Was not checked out.")
    expect(latest).to_contain_text("Back to the shelf.")
    page.screenshot(path=str(ARTIFACTS / "desk-checkin.png"), full_page=True)
    assert balance(desk_day["ana"].pk) == Decimal("0.50")

    # The transit slip, as it prints.
    page.get_by_role("link", name="Transit slip S1").click()
    expect(page.get_by_role("heading", name="In transit")).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "desk-transit-slip-print.png"), full_page=True)

    # Ana pays her fine at the patron page: the ledger shows the charge and the payment.
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/staff/patrons/?q=P100")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reyes, Ana")
    page.get_by_label("Amount").first.fill("0.50")
    page.get_by_label("Reference").fill("")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Payment of 0.50 taken. The balance is now 0.00."
    )
    expect(page.locator(".ledger")).to_contain_text("Overdue fine")
    page.screenshot(path=str(ARTIFACTS / "staff-patron.png"), full_page=True)
    assert balance(desk_day["ana"].pk) == Decimal("0.00")


def test_a_whole_day_at_the_desk_from_the_keyboard(
    live_server,
    district,
    desk_day,
    desk_clock,
    cli_actor,
    tmp_path,
    browser_page,  # noqa: F811 - the imported fixture
):
    """Issue #4, "Done when": morning check-ins with a hold and a transit, a class checking
    out, a lost book paid for, a roster update, all in the browser."""
    # Last week: the district's roster brought Cara, Dev and Eli in (3rd grade at NES); Ana
    # borrowed Frog and Toad (B1) and Owl at Home (B3); Sam borrowed S1 at South; Cara put a
    # hold on Frog and Toad.
    roster = _roster(tmp_path / "week1", [CARA, DEV, ELI])
    import_roster(actor=cli_actor, path=roster, at=DESK_MORNING - timedelta(days=8))
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    last_week = DESK_MORNING - timedelta(days=7)
    for patron, item, site in (("P100", "B1", "NES"), ("P100", "B3", "NES"), ("P300", "S1", "SES")):
        check_out(
            actor=admin, patron_barcode=patron, item_barcode=item, at=last_week, site_code=site
        )
    Item.objects.filter(barcode="B3").update(price=Decimal("15.00"))
    frog = Item.objects.get(barcode="B1").record_id
    place_hold(
        actor=admin, patron_barcode="S401", record_id=frog, pickup_site_code="NES", at=last_week
    )
    add_items(
        actor=cli_actor,
        record_id=frog,
        barcodes=["B4", "B5"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    page = browser_page
    page.goto(f"{live_server.url}/staff/login/?next=/staff/desk/checkin/")
    page.get_by_label("Username").focus()
    page.keyboard.type(district.users[Role.TECHNICIAN].username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # Morning check-ins: Frog and Toad is Cara's hold; S1 goes home to South.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check in")
    latest = page.locator("#desk-latest")
    scan(page, "B1")
    expect(latest).to_contain_text("A hold here: put it on the hold shelf with its slip.")
    scan(page, "S1")
    expect(latest).to_contain_text("In transit to SES South Elementary")
    page.goto(f"{live_server.url}/staff/desk/checkin/")  # the slip of the first line
    hold = Hold.objects.get(status="ready")
    page.goto(f"{live_server.url}/staff/desk/holds/{hold.pk}/slip/")
    slip = page.locator("article.slip")
    expect(slip).to_contain_text("Diaz")
    expect(slip).not_to_contain_text("Frog and Toad")  # the hold shelf faces the public
    page.screenshot(path=str(ARTIFACTS / "day-hold-slip.png"), full_page=True)

    # A class checks out: each card, then each book, scanned into the one box.
    page.goto(f"{live_server.url}/staff/desk/")
    expect(page.get_by_label("Patron card")).to_be_focused()
    for card, item, name in (("S401", "B1", "Diaz, Cara"), ("S402", "B4", "Shah, Dev"),
                             ("S403", "B5", "Moss, Eli")):  # fmt: skip
        scan(page, card)
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        scan(page, item)
        expect(latest).to_contain_text("Checked out: due")
    page.screenshot(path=str(ARTIFACTS / "day-class.png"), full_page=True)
    assert Hold.objects.get(pk=hold.pk).status == "fulfilled"  # Cara's hold, picked up

    # Ana lost Owl at Home: marked lost from her record, then she pays for it.
    page.goto(f"{live_server.url}/staff/patrons/?q=P100")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reyes, Ana")
    page.get_by_role("link", name="Mark lost B3").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mark lost")
    page.keyboard.press("Enter")  # the confirming button has the focus
    expect(page.get_by_role("heading", level=1)).to_have_text("Reyes, Ana")
    owed = balance(desk_day["ana"].pk)
    assert owed >= Decimal("15.00")
    page.get_by_label("Amount").first.focus()
    page.keyboard.type(f"{owed}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The balance is now 0.00.")
    assert balance(desk_day["ana"].pk) == Decimal("0.00")

    # The roster update: Fay is new, Eli has left (expired, not deleted: he has B5 out).
    page.goto(f"{live_server.url}/staff/patrons/roster/")
    upload = page.get_by_label("OneRoster 1.1 export (.zip)")
    upload.set_input_files(str(_roster(tmp_path / "week2", [CARA, DEV, FAY])))
    upload.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 new, 0 changed, 1 leaving")
    expect(page.locator("#roster-leaving")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "day-roster-diff.png"), full_page=True)
    assert not Patron.objects.filter(barcode="S404").exists()  # a dry run changes nothing
    page.get_by_role("button", name="Apply the roster").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Roster applied: 1 new, 0 changed, 1")
    assert Patron.objects.get(barcode="S404").first_name == "Fay"
    assert Patron.objects.get(barcode="S403").status == "expired"
    assert Loan.objects.filter(item__barcode="B5", status="open").count() == 1


CARA = ("u-cara", "Cara", "Diaz", "S401")
DEV = ("u-dev", "Dev", "Shah", "S402")
ELI = ("u-eli", "Eli", "Moss", "S403")
FAY = ("u-fay", "Fay", "Ito", "S404")


def _roster(folder, students) -> object:
    folder = write_roster(
        folder,
        orgs=[org("org-nes", "North Elementary", "NES")],
        users=[user(sid, first, last, card, grades="03") for sid, first, last, card in students],
    )
    return zip_roster(folder, folder.parent / f"{folder.name}.zip")
