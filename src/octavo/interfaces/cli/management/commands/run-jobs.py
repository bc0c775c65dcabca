"""`octavo run-jobs [--as-of YYYY-MM-DD] [--only JOB]`: the nightly work, from cron or a systemd
timer (docs/operators/nightly-jobs.md). Prints what each job did; a second run for the same
day does nothing and says so. Exit status 1 when a job failed (it is tried again next run)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from octavo.interfaces.cli.base import OctavoCommand
from octavo.interfaces.jobs.runner import JOB_NAMES, JOBS, run_jobs
from octavo.shared.clock import now


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"as_of: {text!r} is not a date; write it as YYYY-MM-DD", returncode=2
        ) from None


class Command(OctavoCommand):
    help = "Run the nightly jobs: " + "; ".join(f"{j.name}: {j.what}" for j in JOBS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            metavar="YYYY-MM-DD",
            help="run for this day (catch-up after an outage); default today",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            choices=JOB_NAMES,
            metavar="JOB",
            help=f"run only this job (may be repeated): {', '.join(JOB_NAMES)}",
        )

    def run(self, **options: Any) -> None:
        day = _day(options["as_of"]) if options["as_of"] else None
        outcomes = run_jobs(at=now(), day=day, only=options["only"])
        for outcome in outcomes:
            self.stdout.write(outcome.line())
        failed = [o.job for o in outcomes if o.failed]
        if failed:
            raise CommandError(f"failed: {', '.join(failed)} (tried again next run)", returncode=1)
