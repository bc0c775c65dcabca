"""Scheduling a report by e-mail from its page, the list of scheduled reports, and stopping one
(issue #7): what a librarian sees and who sees what."""

from __future__ import annotations

import pytest
from tests.integration.reports.world import AT, report_world  # noqa: F401 - the fixture
from tests.interfaces.staff.test_report_screens import text_of, world  # noqa: F401 - a fixture

from octavo.reports.models import ScheduledReport
from octavo.shared.actor import Role

# The report world, asked on its day (test_report_screens.world).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


FORM = {
    "site": "NES",
    "every": "week",
    "covers": "last",
    "fmt": "xlsx",
    "recipients": "principal@example.org",
}


def test_a_librarian_schedules_a_report_from_its_page(client_as) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    report = client.get("/staff/reports/overdues-by-homeroom/?site=NES")
    assert 'href="/staff/reports/overdues-by-homeroom/schedule/?site=NES"' in (
        report.content.decode()
    )
    form = client.get("/staff/reports/overdues-by-homeroom/schedule/?site=NES")
    assert form.status_code == 200
    assert [c[0] for c in form.context["form"].fields["site"].choices] == ["NES"]
    assert "covers" not in form.context["form"].fields  # a picture of the day: no period
    done = client.post(
        "/staff/reports/overdues-by-homeroom/schedule/", FORM | {"every": "month"}, follow=True
    )
    assert done.redirect_chain == [("/staff/reports/scheduled/", 302)]
    text = text_of(done)
    assert "“Overdues by homeroom” will be sent on the first day of every month." in text
    assert "NES North Elementary" in text and "principal@example.org" in text
    assert "not yet due" in text
    (schedule,) = ScheduledReport.objects.all()
    assert (schedule.report, schedule.every, schedule.fmt) == (
        "overdues-by-homeroom",
        "month",
        "xlsx",
    )


def test_a_wrong_address_is_shown_on_its_field_and_nothing_is_scheduled(client_as) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    page = client.post(
        "/staff/reports/circulation-by-day/schedule/",
        FORM | {"recipients": "principal@example.org; the office"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["recipients"] == [
        "Please check this value: 'the' is not an e-mail address"
    ]
    assert not ScheduledReport.objects.exists()


def test_the_list_shows_each_their_own_and_the_admin_everything(client_as, district) -> None:
    librarian = client_as(Role.SITE_LIBRARIAN)
    librarian.post("/staff/reports/circulation-by-day/schedule/", FORM)
    assert "Circulation by day" in text_of(librarian.get("/staff/reports/scheduled/"))
    client = client_as(Role.TECHNICIAN)
    mine = client.get("/staff/reports/scheduled/")
    assert "No report is scheduled." in text_of(mine)
    (schedule,) = ScheduledReport.objects.all()
    refused = client.post(f"/staff/reports/scheduled/{schedule.pk}/stop/")
    assert refused.status_code == 404
    admin = client_as(Role.DISTRICT_ADMIN)
    listed = text_of(admin.get("/staff/reports/scheduled/"))
    assert "Circulation by day" in listed and "every Monday, XLSX" in listed
    stopped = admin.post(f"/staff/reports/scheduled/{schedule.pk}/stop/", follow=True)
    assert "“Circulation by day” will not be sent any more." in text_of(stopped)
    assert "No report is scheduled." in text_of(stopped)
    schedule.refresh_from_db()
    assert schedule.stopped_at == AT


def test_a_teacher_schedules_nothing(client_as) -> None:
    client = client_as(Role.TEACHER)
    assert client.get("/staff/reports/circulation-by-day/schedule/").status_code == 403
    assert client.post("/staff/reports/circulation-by-day/schedule/", FORM).status_code == 403
    assert client.get("/staff/reports/scheduled/").status_code == 403
