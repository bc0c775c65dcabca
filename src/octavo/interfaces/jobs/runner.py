"""The nightly jobs and the one call that runs them (`octavo run-jobs`).

Each job is one service call, in this order, because each one's result is the next one's
input: long-overdue loans are billed as lost (so the night's notices say "billed", not "final
notice"), holds left on the shelf are expired (so none is told it is about to expire), cards
that ran out are expired, the notices are queued and sent, the scheduled reports are mailed
(after the night's changes, so they count them), and the privacy job forgets what nobody needs
to keep.

A run is for a day (`--as-of`, default today in the district's time zone, OCTAVO_TIME_ZONE),
and acts as of that day's first moment, so a catch-up run for a day missed during an outage
does what that night would have done. A job done for a day is recorded (models.JobRun); a
second run for the same day finds it and does nothing. A job that fails is reported and not
recorded, so the next run tries it again; every job is safe to repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction

from octavo.circulation.long_overdue import bill_long_overdue
from octavo.circulation.services import expire_holds
from octavo.interfaces.jobs.models import JobRun
from octavo.notices.selectors import schedule
from octavo.notices.services import forget_old_notices, run_hold_notices, run_notices
from octavo.patrons.expiry import expire_cards
from octavo.patrons.retention import forget_old_failures
from octavo.reports.pending import catch_up_statistics
from octavo.reports.services import send_scheduled_reports
from octavo.shared.actor import Actor, Role, Source
from octavo.shared.errors import InvalidInput

log = logging.getLogger(__name__)

# Who the jobs act as: the audit log says "octavo-jobs", from the system.
JOBS_ACTOR = Actor(username="octavo-jobs", role=Role.DISTRICT_ADMIN, source=Source.SYSTEM)
# A run that started this long ago and never finished died: the next run takes the job over.
STALE = timedelta(hours=6)
STALE_THROUGH_THE_DAY = timedelta(minutes=30)  # a job run every few minutes


@dataclass(frozen=True)
class When:
    day: date  # the day the jobs run for
    moment: datetime  # its first moment, in the district's zone: what the jobs act as of
    clock: datetime  # the real time (when e-mails are stamped sent)

    @property
    def until(self) -> datetime:
        """What a job run through the day acts as of: now, or for a day gone by its end."""
        return min(self.clock, self.moment + timedelta(days=1))


def _lost(when: When) -> str:
    return bill_long_overdue(actor=JOBS_ACTOR, day=when.day, at=when.moment).summary()


def _holds(when: When) -> str:
    expired = expire_holds(at=when.moment)
    return f"expired {expired} hold(s) left on the hold shelf past their last day"


def _cards(when: When) -> str:
    expired = expire_cards(actor=JOBS_ACTOR, day=when.day, at=when.moment)
    return f"expired {expired} card(s) that ran out before {when.day.isoformat()}"


def _notices(when: When) -> str:
    return run_notices(
        day=when.day,
        at=when.moment,
        sent_at=when.clock,
        currency=settings.OCTAVO_CURRENCY,
        from_email=settings.DEFAULT_FROM_EMAIL,
    ).summary()


def _hold_notices(when: When) -> str:
    return run_hold_notices(
        day=when.day,
        at=when.until,
        currency=settings.OCTAVO_CURRENCY,
        from_email=settings.DEFAULT_FROM_EMAIL,
    ).summary()


def _reports(when: When) -> str:
    # The day's statistics moved in (SQLite: reports/pending.py) whether or not a report is due,
    # so that the first report of a morning does not wait for them.
    catch_up_statistics()
    return send_scheduled_reports(
        day=when.day, sent_at=when.clock, from_email=settings.DEFAULT_FROM_EMAIL
    ).summary()


def _privacy(when: When) -> str:
    failures = forget_old_failures(at=when.moment)
    notices = forget_old_notices(day=when.day, keep_days=schedule().keep_days)
    return f"forgot {failures} wrong PIN/password record(s) and {notices} old notice(s)"


@dataclass(frozen=True)
class Job:
    name: str
    what: str
    call: Callable[[When], str]
    # A nightly job runs once for its day. One that is not (hold-notices) is left out of the
    # nightly run (whose notices job does its work too) and runs whenever it is named with
    # --only, one run at a time: cron calls it every few minutes.
    nightly: bool = True


JOBS: tuple[Job, ...] = (
    Job("lost", "bill long-overdue loans as lost", _lost),
    Job("holds", "expire holds left on the hold shelf", _holds),
    Job("cards", "expire cards that ran out", _cards),
    Job(
        "hold-notices",
        "send the hold-ready notices now (cron, every few minutes; the nightly run's notices "
        "job sends them too)",
        _hold_notices,
        nightly=False,
    ),
    Job("notices", "queue the notices due and send the e-mails", _notices),
    Job("reports", "mail the scheduled reports that are due", _reports),
    Job("privacy", "forget what the privacy rules say to forget", _privacy),
)
JOB_NAMES = tuple(job.name for job in JOBS)


@dataclass(frozen=True)
class Outcome:
    job: str
    day: date
    summary: str
    done_before: bool = False  # already done for this day: nothing was done now
    failed: bool = False

    def line(self) -> str:
        if self.done_before:
            return f"{self.day.isoformat()} {self.job}: nothing to do, {self.summary}"
        state = "FAILED: " if self.failed else ""
        return f"{self.day.isoformat()} {self.job}: {state}{self.summary}"


def _claim(job: str, day: date, at: datetime, stale: timedelta) -> JobRun | None:
    """The job's run for `day`, started now; None when it is done or running elsewhere."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(job=job, day=day).first()
        if run is None:
            try:
                with transaction.atomic():
                    return JobRun.objects.create(job=job, day=day, started_at=at)
            except IntegrityError:
                return None  # another run claimed it a moment ago
        if run.finished_at is not None or at - run.started_at < stale:
            return None
        run.started_at = at
        run.save(update_fields=["started_at"])
        return run


def _previous(job: str, day: date) -> str:
    run = JobRun.objects.filter(job=job, day=day).first()
    if run is None or run.finished_at is None:
        return "another run is doing it now"
    zone = ZoneInfo(settings.TIME_ZONE)
    return f"done at {run.finished_at.astimezone(zone):%Y-%m-%d %H:%M}: {run.summary}"


def run_jobs(*, at: datetime, day: date | None = None, only: Sequence[str] = ()) -> list[Outcome]:
    """Run the nightly jobs (or `only` these) for `day` (default: today in the district's
    zone); `at` is the clock. A day after today is refused: it has not happened yet."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = at.astimezone(zone).date()
    day = today if day is None else day
    if day > today:
        raise InvalidInput(
            f"{day.isoformat()} has not come yet (today is {today.isoformat()})", field="as_of"
        )
    unknown = [name for name in only if name not in JOB_NAMES]
    if unknown:
        raise InvalidInput(
            f"no job {', '.join(unknown)}; the jobs are {', '.join(JOB_NAMES)}", field="only"
        )
    when = When(day=day, moment=datetime.combine(day, time(0), tzinfo=zone), clock=at)
    outcomes = []
    for job in JOBS:
        if (only and job.name not in only) or (not only and not job.nightly):
            continue  # a job run through the day runs only when asked for by name
        run = _claim(job.name, day, at, STALE if job.nightly else STALE_THROUGH_THE_DAY)
        if run is None:
            outcomes.append(Outcome(job.name, day, _previous(job.name, day), done_before=True))
            continue
        try:
            summary = job.call(when)
        except Exception as error:
            # Reported and not recorded: the next run tries it again (every job may repeat).
            log.exception("job %s for %s failed", job.name, day)
            JobRun.objects.filter(pk=run.pk, finished_at=None).delete()
            outcomes.append(Outcome(job.name, day, f"{type(error).__name__}: {error}", failed=True))
            continue
        if job.nightly:
            JobRun.objects.filter(pk=run.pk).update(finished_at=at, summary=summary)
        else:  # its claim only kept a second run from doing it at the same time
            JobRun.objects.filter(pk=run.pk).delete()
        outcomes.append(Outcome(job.name, day, summary))
    return outcomes
