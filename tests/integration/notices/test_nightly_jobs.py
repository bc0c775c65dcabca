"""The nightly jobs besides the notices: cards that ran out, what the privacy job forgets, and a
job that fails (reported, not recorded, done on the next run)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.integration.notices.world import lend, local, night

from octavo.circulation.services import check_in
from octavo.interfaces.jobs import runner
from octavo.interfaces.jobs.models import JobRun
from octavo.notices.models import Notice
from octavo.patrons.models import Patron, PinFailure
from octavo.patrons.services import update_patron
from octavo.shared.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_a_card_that_ran_out_is_expired_and_renewing_it_brings_the_patron_back(
    school, cli_actor
) -> None:
    night(date(2026, 9, 20), only=["cards"])
    assert Patron.objects.get(pk=school["dee"].pk).status == "active"  # its last day
    (outcome,) = night(date(2026, 9, 21), only=["cards"])
    assert outcome.summary == "expired 1 card(s) that ran out before 2026-09-21"
    assert Patron.objects.get(pk=school["dee"].pk).status == "expired"
    update_patron(
        actor=cli_actor,
        patron_id=school["dee"].pk,
        changes={"card_expires": "2027-06-30"},
        at=local(date(2026, 9, 22), 9),
    )
    assert Patron.objects.get(pk=school["dee"].pk).status == "active"


def test_the_privacy_job_forgets_old_notices_but_not_those_of_a_loan_still_out(school) -> None:
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))  # Ana keeps it
    lend(school, "P2", "B2", local(date(2026, 9, 1), 8))  # Beto brings it back
    night(date(2026, 9, 8), only=["notices"])
    check_in(actor=school["tech"], item_barcode="B2", at=local(date(2026, 9, 8), 10))
    PinFailure.objects.create(patron=school["cy"], at=local(date(2026, 9, 8), 9))
    later = date(2026, 9, 8) + timedelta(days=181)
    (outcome,) = night(later, only=["privacy"])
    assert outcome.summary == "forgot 1 wrong PIN/password record(s) and 2 old notice(s)"
    kept = [(n.kind, n.patron.first_name) for n in Notice.objects.select_related("patron")]
    assert kept == [("courtesy", "Ana")]  # her loan is still out
    assert not PinFailure.objects.exists()


def test_a_job_that_fails_is_reported_and_done_on_the_next_run(school, monkeypatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(runner, "expire_holds", broken)
    outcomes = {o.job: o for o in night(date(2026, 9, 8))}
    assert outcomes["holds"].failed
    assert outcomes["holds"].line() == "2026-09-08 holds: FAILED: RuntimeError: the disk is full"
    assert not outcomes["notices"].failed  # the others still ran
    assert not JobRun.objects.filter(job="holds").exists()
    monkeypatch.undo()
    again = {o.job: o for o in night(date(2026, 9, 8))}
    assert not again["holds"].done_before and not again["holds"].failed
    assert all(o.done_before for name, o in again.items() if name != "holds")


def test_a_day_that_has_not_come_is_refused() -> None:
    with pytest.raises(InvalidInput, match="2026-09-09 has not come yet"):
        runner.run_jobs(at=local(date(2026, 9, 8), 23), day=date(2026, 9, 9))
