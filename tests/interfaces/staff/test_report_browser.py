"""Reports in a real Chromium (issue #7): a district admin opens the list of reports, reads
circulation by day (a line chart), by hour (bars) and the age of the collection (stacked bars),
changes the site and the period, has one mailed every Monday, and reads one in Spanish.
Screenshots of each chart go to test-artifacts/, to be looked at."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD, seed_defaults
from tests.integration.reports.world import AT, report_world  # noqa: F401 - the fixture

# The browser, and the append-only triggers around a live server's flush, as the staff and desk
# browser tests set them up (importing them also skips this module when there is no Chromium).
from tests.interfaces.staff.test_desk_browser import (  # noqa: F401
    _flushable_ledger,
    _ledger_triggers_back,
)
from tests.interfaces.staff.test_staff_browser import (  # noqa: F401
    ARTIFACTS,
    _audit_triggers_back,
    _flushable_audit_log,
    browser_page,
)

from octavo.interfaces.staff import report_views
from octavo.shared.actor import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def world(transactional_db, monkeypatch, request):
    seed_defaults()  # an earlier live-server test's flush emptied every table
    monkeypatch.setattr(report_views, "now", lambda: AT)
    return request.getfixturevalue("report_world")


def test_a_district_admin_reads_reports_with_their_charts(
    live_server,
    world,
    district,
    browser_page,  # noqa: F811 - the imported fixture
):
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/staff/login/?next=/staff/reports/")
    page.get_by_label("Username").fill(district.users[Role.DISTRICT_ADMIN].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.screenshot(path=str(ARTIFACTS / "reports-list.png"), full_page=True)

    page.get_by_role("link", name="Circulation by day").click()
    chart = page.get_by_role("img", name="Circulation by day")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Total")
    page.screenshot(path=str(ARTIFACTS / "report-circulation-by-day.png"), full_page=True)

    page.goto(f"{live_server.url}/staff/reports/circulation-by-hour/")
    expect(page.get_by_role("img", name="Circulation by hour of day")).to_be_visible()
    page.get_by_label("Site", exact=True).select_option("NES")
    page.get_by_label("From", exact=True).fill("2026-09-01")
    page.get_by_label("To", exact=True).fill("2026-09-30")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("NES North Elementary")
    expect(page.get_by_role("row", name="08:00")).to_contain_text("2")
    page.screenshot(path=str(ARTIFACTS / "report-circulation-by-hour.png"), full_page=True)

    # Mailed every Monday: the schedule form keeps the site chosen, then lists the schedule.
    page.get_by_role("link", name="Send by e-mail on a schedule").click()
    expect(page.get_by_label("Site", exact=True)).to_have_value("NES")
    page.get_by_label("To", exact=True).fill("principal@example.org, office@example.org")
    page.get_by_role("button", name="Schedule it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled reports")
    expect(page.get_by_role("status")).to_contain_text("will be sent every Monday")
    row = page.get_by_role("row", name="Circulation by hour of day")
    expect(row).to_contain_text("principal@example.org, office@example.org")
    expect(row).to_contain_text("not yet due")
    page.screenshot(path=str(ARTIFACTS / "report-schedules.png"), full_page=True)

    page.goto(f"{live_server.url}/staff/reports/collection-age/?site=NES")
    expect(page.get_by_role("img", name="Age of the collection")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "report-collection-age.png"), full_page=True)

    # Backwards: the form says so on the field, and no report is shown.
    page.goto(f"{live_server.url}/staff/reports/fines/?site=&from=2026-10-01&to=2026-09-01")
    expect(page.get_by_text("the period runs backwards")).to_be_visible()
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.goto(f"{live_server.url}/staff/reports/fines/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("table")).to_contain_text("15,75")
    page.screenshot(path=str(ARTIFACTS / "report-fines-es.png"), full_page=True)
