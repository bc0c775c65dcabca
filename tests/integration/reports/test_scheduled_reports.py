"""Reports mailed on a schedule (issue #7, "schedulable by e-mail"): what arrives at a real SMTP
server, when, once, as whom; a mail server that is down; an owner who can no longer read the
report; bad input refused with the field named."""

from __future__ import annotations

import csv
import io
import socket
from collections import Counter
from datetime import UTC, date, datetime

import openpyxl
import pytest
from tests.integration.reports.world import EVENTS, LA, la
from tests.interfaces.staff.test_desk_receipt_email import _wait_for

from octavo.accounts.models import User
from octavo.audit.models import AuditEntry
from octavo.interfaces.jobs.runner import run_jobs
from octavo.reports.models import ReportDelivery, ScheduledReport
from octavo.reports.services import schedule_report, send_scheduled_reports, stop_schedule
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

TUESDAY = la(2026, 9, 15, 10, 0)  # when the schedules are made
MONDAY = date(2026, 9, 21)  # the first Monday after: the week 14-20 September is sent
CLOCK = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def librarian(district, report_world):
    return district.users[Role.SITE_LIBRARIAN].actor()


def weekly(actor, **changes):
    asked = {
        "report": "circulation-by-day",
        "site_code": "NES",
        "every": "week",
        "covers": "last",
        "fmt": "csv",
        "to": "principal@example.org, vice.principal@example.org",
        "at": TUESDAY,
    }
    return schedule_report(actor=actor, **(asked | changes))


def send(day: date):
    return send_scheduled_reports(day=day, sent_at=CLOCK, from_email="library@example.org")


def attachment(message) -> tuple[str, bytes]:
    (part,) = [p for p in message.walk() if p.get_filename()]
    return part.get_filename(), part.get_payload(decode=True)


def table(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_weekly_report_arrives_on_monday_with_last_weeks_figures(librarian, inbox) -> None:
    weekly(librarian)
    assert send(date(2026, 9, 16)).sent == 0  # Wednesday: the Monday it was due came before it
    outcome = send(MONDAY)
    assert outcome.sent == 1, outcome.summary()
    (message,) = _wait_for(inbox, 1)
    assert message["To"] == "principal@example.org, vice.principal@example.org"
    assert message["From"] == "library@example.org"
    assert message["Subject"] == (
        "Circulation by day, NES North Elementary, 2026-09-14 to 2026-09-20"
    )
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "every Monday" in body.get_payload(decode=True).decode()
    name, content = attachment(message)
    assert name == "circulation-by-day-NES-2026-09-14-2026-09-20.csv"
    rows = table(content)
    # Counted here from the events the world wrote: North's, in Los Angeles' days.
    expected = Counter(
        (at.astimezone(LA).date().isoformat(), kind)
        for kind, site, _item, _card, at in EVENTS
        if site == "NES" and date(2026, 9, 14) <= at.astimezone(LA).date() <= date(2026, 9, 20)
    )
    header, body_rows = rows[0], rows[1:]
    assert header[0] == "Day"
    found = Counter()
    for row in body_rows:
        if row[0] == "Total":
            continue
        for label, kind in (("Check-outs", "check_out"), ("Check-ins", "check_in")):
            if label in header and row[header.index(label)] not in ("", "0"):
                found[(row[0], kind)] = int(row[header.index(label)])
        if "Renewals" in header and row[header.index("Renewals")] not in ("", "0"):
            found[(row[0], "renew")] = int(row[header.index("Renewals")])
    assert found == expected
    assert found  # the week had circulation: a test of an empty file would prove nothing
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.start, delivery.end) == (
        "sent",
        date(2026, 9, 14),
        date(2026, 9, 20),
    )


def test_it_goes_once_however_often_the_night_runs(librarian, inbox) -> None:
    weekly(librarian)
    assert send(MONDAY).sent == 1
    assert send(MONDAY).sent == 0
    assert send(date(2026, 9, 25)).sent == 0  # still the week due on the 21st
    assert send(date(2026, 9, 28)).sent == 1  # the next Monday: the next week
    assert len(_wait_for(inbox, 2)) == 2
    assert sorted(d.due_on for d in ReportDelivery.objects.all()) == [
        date(2026, 9, 21),
        date(2026, 9, 28),
    ]


def test_a_monthly_xlsx_report_for_the_month_just_ended(librarian, inbox) -> None:
    weekly(librarian, every="month", fmt="xlsx", to="principal@example.org")
    assert send(date(2026, 10, 3)).sent == 1  # due on 1 October: September is sent
    (message,) = _wait_for(inbox, 1)
    name, content = attachment(message)
    assert name == "circulation-by-day-NES-2026-09-01-2026-09-30.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    days = [
        row[0].date()
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if isinstance(row[0], datetime)
    ]
    assert days and all(date(2026, 9, 1) <= d <= date(2026, 9, 30) for d in days)


def test_a_report_without_days_is_a_picture_of_the_night_it_is_sent(
    district,
    librarian,
    inbox,
) -> None:
    schedule = weekly(librarian, report="collection-by-dewey", covers="last")
    assert schedule.covers == "usual"  # there are no days to choose
    assert send(MONDAY).sent == 1
    (message,) = _wait_for(inbox, 1)
    assert attachment(message)[0] == "collection-by-dewey-NES-2026-09-21.csv"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_is_tried_again_and_nothing_is_marked_sent(
    librarian,
    inbox,
    settings,
) -> None:
    weekly(librarian)
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = _closed_port()
    outcome = send(MONDAY)
    assert (outcome.sent, outcome.retrying, outcome.failed) == (0, 1, 0)
    assert "to try again" in outcome.summary()
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("retrying", 1, None)
    assert "Connection" in delivery.last_error
    settings.EMAIL_PORT = working
    assert send(date(2026, 9, 22)).sent == 1  # the next night: the server is back
    (message,) = _wait_for(inbox, 1)
    assert "2026-09-14 to 2026-09-20" in message["Subject"]  # the week it was due for
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_server_down_three_nights_fails_the_sending_and_says_so(
    librarian,
    settings,
) -> None:
    weekly(librarian)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    send(MONDAY)
    send(date(2026, 9, 22))
    last = send(date(2026, 9, 23))
    assert (last.retrying, last.failed) == (0, 1)
    assert "FAILED" in last.summary()
    assert ReportDelivery.objects.get().status == "failed"
    assert send(date(2026, 9, 24)).failed == 0  # given up: not tried a fourth time


def test_an_owner_who_left_or_lost_the_site_gets_nothing_sent(
    district,
    librarian,
    inbox,
) -> None:
    weekly(librarian)
    weekly(district.users[Role.TECHNICIAN].actor(), to="office@example.org")
    User.objects.filter(pk=district.users[Role.SITE_LIBRARIAN].pk).update(is_active=False)
    district.users[Role.TECHNICIAN].sites.clear()
    outcome = send(MONDAY)
    assert (outcome.sent, outcome.failed) == (0, 2)
    errors = sorted(ReportDelivery.objects.values_list("last_error", flat=True))
    assert any("no longer active" in e for e in errors)
    assert any("may no longer run it" in e for e in errors)
    assert inbox.received == []


def test_a_stopped_schedule_sends_nothing_and_only_its_owner_or_an_admin_stops_it(
    district,
    librarian,
    inbox,
) -> None:
    schedule = weekly(librarian)
    technician = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(NotFound):
        stop_schedule(actor=technician, schedule_id=schedule.pk, at=TUESDAY)
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    stop_schedule(actor=admin, schedule_id=schedule.pk, at=TUESDAY)
    assert send(MONDAY).sent == 0
    actions = list(
        AuditEntry.objects.filter(object_type="scheduled_report").values_list("action", flat=True)
    )
    assert sorted(actions) == ["report.schedule", "report.unschedule"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"to": "principal@example.org, the office"}, "recipients", "'the' is not an e-mail"),
        ({"to": " "}, "recipients", "at least one"),
        ({"to": ",".join(f"p{n}@example.org" for n in range(11))}, "recipients", "at most 10"),
        ({"every": "fortnight"}, "every", "day, week, month"),
        ({"fmt": "pdf"}, "format", "csv, xlsx"),
        ({"report": "no-such-report"}, None, "no-such-report"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(librarian, changes, field, words) -> None:
    with pytest.raises((InvalidInput, NotFound)) as refused:
        weekly(librarian, **changes)
    assert refused.value.field == field or field is None
    assert words in refused.value.message
    assert not ScheduledReport.objects.exists()  # nothing half-made


def test_a_librarian_schedules_only_their_own_sites_reports(librarian) -> None:
    with pytest.raises(PermissionDenied):
        weekly(librarian, site_code="SES")
    with pytest.raises(PermissionDenied):
        weekly(librarian, site_code="")  # the whole district is a district admin's


def test_the_nightly_run_mails_them_after_the_days_other_jobs(librarian, inbox) -> None:
    weekly(librarian)
    (outcome,) = run_jobs(at=CLOCK, day=MONDAY, only=["reports"])
    assert outcome.summary == "mailed 1 scheduled report(s)"
    (again,) = run_jobs(at=CLOCK, day=MONDAY, only=["reports"])
    assert again.done_before
    assert len(_wait_for(inbox, 1)) == 1
