"""The public catalog in a real Chromium: a student's journey from the keyboard (search, a
facet, a record, log in, a hold placed and cancelled, a renewal, Spanish, log out), and every
page type checked with axe-core against WCAG 2.0-2.2 A and AA in English and Spanish, with
screenshots at phone and desktop widths in test-artifacts/ (opac-<page>-<width>[-es].png)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from tests.interfaces.opac.conftest import PARENT_PASSWORD, PIN, ROSA

# Chromium's path and flags and the screenshot folder, as the staff browser test sets them up
# (importing that module also skips this one when there is no Chromium).
from tests.interfaces.staff.test_staff_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

from octavo.catalog import search_index
from octavo.catalog.models import Record
from octavo.circulation.models import Loan
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holds.selectors import active_holds
from octavo.holds.services import place_hold
from octavo.lists.services import add_entry, create_list
from octavo.patrons.models import ParentAccount, Patron
from octavo.shared.clock import now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# axe-core's tags for WCAG 2.0, 2.1 and 2.2 A and AA (its one 2.2 rule, target-size, is AA).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the module; each test gets its own context (cookies, session)."""
    # Playwright's sync API runs an asyncio loop in this thread for as long as it is open;
    # Django refuses ORM calls from such a thread unless told they are safe (nothing is async).
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def world(flushable_append_only, opac_world):
    """The OPAC world on a database the live server's thread can read: committed, the seeds
    put back after an earlier test's flush, the append-only triggers dropped before the next."""
    yield opac_world
    # The live server's flush empties the tables but not SQLite's full-text index.
    search_index.remove(Record.objects.values_list("id", flat=True))


def test_a_student_finds_a_book_holds_it_renews_a_loan_and_reads_in_spanish(
    live_server, world, page
):
    url = live_server.url
    ana = world.patrons["ana"]

    # From the keyboard: the skip link, the search box, Enter.
    page.goto(f"{url}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search for")).to_be_focused()
    page.keyboard.type("lobel")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=lobel"))
    expect(page.get_by_role("heading", level=2, name="2 titles")).to_be_visible()

    # A facet narrows the results to one year's book, and marks itself chosen.
    facets = page.get_by_role("navigation", name="Narrow the results")
    facets.get_by_role("link", name=re.compile(r"^1975 \(1\)")).click()
    expect(page.get_by_role("heading", level=2, name="1 title")).to_be_visible()
    expect(facets.locator("a[aria-current='true']")).to_contain_text("1975")
    page.get_by_role("link", name="Owl at Home").click()

    # The record: where the copy is, and a hold, which needs a login first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Owl at Home")
    expect(page.get_by_role("heading", name="Where to find it")).to_be_visible()
    expect(page.get_by_text("1 person is waiting for this title.")).to_be_visible()
    page.get_by_role("link", name="Place a hold").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    page.get_by_label("Library card number").fill("P100")
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.keyboard.press("Enter")

    # Back at the hold form: pick it up at South Elementary.
    expect(page.get_by_role("heading", level=1)).to_have_text("Place a hold")
    page.get_by_label("Pick it up at").select_option(label="South Elementary")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your hold on Owl at Home is placed. We will tell you when it is ready at South Elementary."
    )
    holds = page.locator("table.holds")
    expect(holds).to_contain_text("number 2 in line")  # Sam asked first
    expect(holds).to_contain_text("South Elementary")
    (hold,) = active_holds(ana.pk)
    assert hold.pickup_site.code == "SES"

    # Renew the loan she has out.
    before = Loan.objects.get(item__barcode="F1", status="open").due_at
    page.get_by_role("button", name="Renew Frog and Toad Are Friends").click()
    expect(page.get_by_role("status")).to_contain_text("Renewed Frog and Toad Are Friends: now due")
    loan = Loan.objects.get(item__barcode="F1", status="open")
    assert loan.renewals == 1 and loan.due_at > before

    # Cancel the hold.
    page.get_by_role("button", name="Cancel the hold on Owl at Home").click()
    expect(page.get_by_role("status")).to_contain_text("Your hold on Owl at Home is cancelled.")
    expect(page.get_by_text("No holds.")).to_be_visible()
    assert active_holds(ana.pk) == []

    # Spanish is one button, and it sticks on the next page (a cookie, not the session).
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["octavo_language"] == "es"
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Buscar").click()
    expect(page).to_have_url(f"{url}/search")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Buscar")).to_be_visible()

    # Log out: the account is gone from this browser, the language stays.
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(f"{url}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="Iniciar sesión")).to_be_visible()
    page.goto(f"{url}/account")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))


def _parent_account(at) -> None:
    """Rosa's login, as the e-mailed link would have set it (the link itself is tested through
    a real SMTP server in test_opac_parents.py)."""
    from django.contrib.auth.hashers import make_password

    ParentAccount.objects.create(
        email=ROSA, password_hash=make_password(PARENT_PASSWORD), created_at=at
    )


def test_a_parent_sees_both_children_and_no_one_else(live_server, world, family, page):
    url = live_server.url
    _parent_account(now())
    page.goto(f"{url}/account/login")
    page.get_by_role("link", name="Log in with your e-mail address").click()
    page.get_by_label("E-mail address").fill(ROSA)
    page.get_by_label("Password").fill(PARENT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{url}/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your children's accounts")
    expect(page.get_by_role("heading", level=2)).to_have_text(["Ana Reyes", "Mia Reyes"])
    main = page.locator("main")
    expect(main).to_contain_text("Frog and Toad Are Friends")  # Ana's loan, Mia's hold
    for other in ("Lee", "Sam", "Owl at Home"):
        expect(main).not_to_contain_text(other)
    # Nothing to renew or cancel for a child; Ana (grade 3) gets her reading history switch.
    expect(page.get_by_role("button", name=re.compile("^Renew"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
    page.get_by_label("Keep a list of what Ana borrows").check()
    page.locator("form[action$='/history']").first.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The reading history is on.")
    assert Patron.objects.get(pk=family["ana"].pk).keeps_reading_history
    page.screenshot(path=str(ARTIFACTS / "opac-parent-account-desktop.png"), full_page=True)


def _violations(page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as it is now, one line per failing node:
    the rule, its impact, what to fix, and where."""
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(map(str, node['target']))}"
        f" -- {' '.join(node.get('failureSummary', '').split())}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_type_passes_axe_at_phone_and_desktop_widths(
    live_server, world, family, page, cli_actor, language
):
    url = live_server.url
    # Lee (grade 9, chooses his own reading history) with a loan someone waits for, a hold,
    # and a fine: every table of the account page has a row.
    lee = world.patrons["lee"]
    frog, gatos = world.records["frog"], world.records["gatos"]
    place_hold(
        actor=cli_actor, patron_barcode="P400", record_id=frog.pk, pickup_site_code="NES", at=now()
    )
    charge(
        actor=cli_actor,
        patron=lee,
        charge_type=ChargeType.LOST,
        amount=Decimal("12.00"),
        site=lee.home_site,
        at=now(),
    )
    if language == "es":
        page.context.add_cookies([{"name": "octavo_language", "value": "es", "url": url}])
    suffix = "-es" if language == "es" else ""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []

    def check(name: str) -> None:
        """axe at both widths (the phone layout stacks differently), and a screenshot of each."""
        expect(page.locator("html")).to_have_attribute("lang", language)
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            problems.extend(f"{name} ({width}): {line}" for line in _violations(page))
            # Nothing makes the page scroll sideways (WCAG 1.4.10, reflow, at a phone's width).
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > viewport["width"]:
                problems.append(f"{name} ({width}): the page is {wide} px wide")
            page.screenshot(
                path=str(ARTIFACTS / f"opac-{name}-{width}{suffix}.png"), full_page=True
            )
        page.set_viewport_size(DESKTOP)

    page.goto(f"{url}/")
    check("home")
    # A subject search with a facet chosen: results, facet lists, and a "remove" link.
    page.goto(f"{url}/search?q=juvenile+fiction&by=subject&available=on")
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator(".facets a[aria-current='true']")).to_have_count(1)
    check("search")
    page.goto(f"{url}/record/{frog.pk}")
    expect(page.locator("table.copies")).to_have_count(2)
    check("record")
    page.goto(f"{url}/sites")
    check("sites")
    page.goto(f"{url}/no/such/page")
    check("not-found")
    page.goto(f"{url}/account/login")
    check("login")

    page.locator("input[name=card]").fill("P400")
    page.locator("input[name=pin]").fill(PIN)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{url}/account")
    # A renewal the rules refuse (Sam waits for the owl book): the page carries its message.
    page.locator("button[name=item][value=O1]").click()
    expect(page.locator(".message.error")).to_be_visible()
    expect(page.locator("table.charges")).to_be_visible()
    expect(page.locator("table.holds")).to_be_visible()
    check("account")
    page.goto(f"{url}/record/{gatos.pk}/hold")
    expect(page.locator("select[name=pickup]")).to_be_visible()
    check("hold")
    page.goto(f"{url}/account/history")
    expect(page.locator("input[name=keep]")).to_be_visible()
    check("history")
    page.locator("footer button").click()  # log out

    # Reading lists: the index, a list with a note, new arrivals.
    summer = create_list(
        actor=cli_actor,
        name="Summer reading",
        site_code="NES",
        description="Short books for long days.",
        is_public=True,
        featured=True,
        at=now(),
    )
    add_entry(actor=cli_actor, list_id=summer.pk, record_id=frog.pk, note="A classic.", at=now())
    page.goto(f"{url}/lists")
    check("lists")
    page.goto(f"{url}/lists/{summer.pk}")
    expect(page.locator(".result")).to_have_count(1)
    check("list")
    page.goto(f"{url}/lists/new")
    check("arrivals")

    # A parent: the login, the link form, and the account with two children.
    page.goto(f"{url}/account/parent/link")
    check("parent-link")
    page.goto(f"{url}/account/parent/login")
    check("parent-login")
    _parent_account(now())
    page.locator("input[name=email]").fill(ROSA)
    page.locator("input[name=password]").fill(PARENT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{url}/account")
    expect(page.locator("section.account")).to_have_count(2)
    check("parent-account")

    assert not problems, f"{len(problems)} accessibility violations ({language}):\n" + "\n".join(
        problems
    )
