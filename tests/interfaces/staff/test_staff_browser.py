"""A district admin in a real Chromium: log in, add a site and a location, switch to Spanish."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from tests.conftest import PASSWORD

from octavo.district.models import Location
from octavo.shared.actor import Role

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} to drive", allow_module_level=True)

from django.db import connection  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


_TRIGGERS = importlib.import_module("octavo.audit.migrations.0002_append_only_triggers")


def _audit_triggers(install: bool) -> None:
    with connection.schema_editor() as editor:
        (_TRIGGERS.forwards if install else _TRIGGERS.backwards)(None, editor)


@pytest.fixture(scope="module")
def _audit_triggers_back(django_db_blocker):
    """Put the append-only triggers back once the last flush of this module has run."""
    yield
    with django_db_blocker.unblock():
        _audit_triggers(install=False)  # idempotent: a test may have failed before dropping
        _audit_triggers(install=True)


@pytest.fixture(autouse=True)
def _flushable_audit_log(_audit_triggers_back, transactional_db):
    """A live-server test ends by emptying every table; the audit log refuses that on purpose.

    Drop its triggers just before the flush (this teardown runs first); the module fixture
    restores them after it.
    """
    yield
    _audit_triggers(install=False)


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told they are safe (they are: nothing here is async).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1024, "height": 768})  # a tablet
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_admin_sets_up_a_site_and_a_location_then_reads_it_in_spanish(
    live_server, district, browser_page
):
    page = browser_page
    admin = district.users[Role.DISTRICT_ADMIN].username
    page.goto(f"{live_server.url}/staff/")
    expect(page).to_have_url(f"{live_server.url}/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sites").click()
    page.get_by_role("link", name="Add a site").click()
    page.get_by_label("Code").fill("MES")
    page.get_by_label("Name").fill("Maple Elementary")
    page.get_by_label("Address").fill("12 Maple Street")
    page.get_by_label("Time zone").fill("America/Chicago")
    page.get_by_label("Monday, period 1, opens").fill("08:00")
    page.get_by_label("Monday, period 1, closes").fill("15:00")
    page.get_by_role("button", name="Add site").click()
    expect(page.get_by_role("status")).to_contain_text("Site MES added.")
    expect(page.get_by_label("Monday, period 1, closes")).to_have_value("15:00")

    page.get_by_role("link", name="Locations", exact=True).click()
    locations_url = page.url
    page.get_by_label("Code").fill("FIC")
    page.get_by_label("Name").fill("Fiction")
    page.get_by_role("button", name="Add location").click()
    # htmx swaps the list in place: the same page, a new row, an empty form.
    expect(page.locator("#locations")).to_contain_text("Fiction")
    expect(page.get_by_text("Location FIC added.")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_value("")
    assert page.url == locations_url
    assert Location.objects.filter(site__code="MES", code="FIC").exists()

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ubicaciones en MES")
    expect(page.get_by_role("button", name="Agregar ubicación")).to_be_visible()
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Sedes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sedes")
    expect(page.get_by_role("cell", name="Maple Elementary")).to_be_visible()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-sites.png"), full_page=True)
