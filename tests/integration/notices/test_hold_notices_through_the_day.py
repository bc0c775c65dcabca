"""Hold-ready notices the same day (`octavo run-jobs --only hold-notices`, from cron every few
minutes): the reader hears their book is in within minutes, once, and the night's run does not
tell them again."""

from __future__ import annotations

from datetime import date

import pytest
from tests.integration.notices.test_week_of_notices import subject
from tests.integration.notices.world import lend, local, night
from tests.interfaces.cli.test_octavo_command import _free_port
from tests.interfaces.staff.test_desk_receipt_email import _wait_for

from octavo.circulation.services import check_in
from octavo.holds.services import place_hold
from octavo.interfaces.jobs.models import JobRun
from octavo.interfaces.jobs.runner import run_jobs
from octavo.notices.models import Notice

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 9, 7)
READY = "Your hold is ready at North Elementary library"


def through_the_day(day: date, hour: int, minute: int = 0):
    (outcome,) = run_jobs(at=local(day, hour, minute), day=day, only=["hold-notices"])
    return outcome


@pytest.fixture
def waiting(school):
    """Dee waits for "Owl at Home", out with Ana; Ana brings it back Monday at 10:00."""
    lend(school, "P1", "B3", local(MONDAY, 8))
    place_hold(
        actor=school["tech"],
        patron_id=school["dee"].pk,
        record_id=school["owl"].pk,
        pickup_site_code="NES",
        at=local(MONDAY, 9),
    )
    return school


def test_the_reader_hears_the_same_morning_once(waiting, inbox) -> None:
    assert "queued 0" in through_the_day(MONDAY, 9, 45).summary  # not back yet
    check_in(actor=waiting["tech"], item_barcode="B3", at=local(MONDAY, 10))
    outcome = through_the_day(MONDAY, 10, 15)
    assert outcome.summary.startswith("queued 1 (hold_ready 1): 1 by e-mail")
    assert "e-mails sent 1" in outcome.summary
    (message,) = _wait_for(inbox, 1)
    assert message["To"] == "dee@example.org"
    assert subject(message) == READY
    assert "queued 0" in through_the_day(MONDAY, 10, 30).summary  # every few minutes: nothing
    night_after = {o.job: o for o in night(date(2026, 9, 8))}
    assert "hold_ready" not in night_after["notices"].summary
    assert [subject(m) for m in inbox.received].count(READY) == 1  # (her card expires soon)
    assert Notice.objects.filter(kind="hold_ready").count() == 1
    assert not JobRun.objects.filter(job="hold-notices").exists()  # no claim left behind


def test_a_mail_server_down_in_the_afternoon_leaves_it_to_the_night(
    waiting, inbox, settings
) -> None:
    check_in(actor=waiting["tech"], item_barcode="B3", at=local(MONDAY, 13))
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    afternoon = through_the_day(MONDAY, 13, 15)
    assert "to retry 1" in afternoon.summary
    assert "queued 0" in through_the_day(MONDAY, 13, 30).summary
    assert "e-mails sent 0, to retry 0" in through_the_day(MONDAY, 13, 30).summary
    notice = Notice.objects.get(kind="hold_ready")
    assert (notice.status, notice.attempts) == ("queued", 1)  # tried once, not three times
    settings.EMAIL_PORT = working
    night(date(2026, 9, 8))
    (message,) = [m for m in _wait_for(inbox, 2) if subject(m) == READY]
    assert message["To"] == "dee@example.org"
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_the_nightly_run_leaves_it_out_and_still_does_nothing_twice(waiting) -> None:
    first = night(date(2026, 9, 8))
    assert "hold-notices" not in [o.job for o in first]
    assert all(o.done_before for o in night(date(2026, 9, 8)))
