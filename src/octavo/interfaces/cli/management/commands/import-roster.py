"""`octavo import-roster PATH [--dry-run] [--json]`: bring students, teachers and guardians in
from the district's student information system, as a OneRoster 1.1 CSV folder or .zip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from octavo.interfaces.cli.base import OctavoCommand
from octavo.patrons.roster import PatronDiff, import_roster
from octavo.shared.clock import now


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return "[" + "; ".join(str(v) for v in value) + "]"
    return str(value)


def _line(kind: str, diff: PatronDiff) -> str:
    where = f"users.csv line {diff.line}" if diff.line else "not in users.csv"
    if kind == "new":
        what = ", ".join(f"{k} {_value(v[1])}" for k, v in diff.changes.items())
    else:
        what = "; ".join(
            f"{k} {_value(before)} -> {_value(after)}"
            for k, (before, after) in diff.changes.items()
        )
    return f"{kind:<8} {diff.barcode}  {diff.name} ({where}): {what}"


class Command(OctavoCommand):
    help = "Import a OneRoster 1.1 CSV roster (a folder or a .zip): students, teachers, guardians."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="a folder or a .zip with manifest.csv")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would change (new, changed, leaving, errors), write nothing",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the counts as one JSON object on the last line",
        )

    def run(self, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            self.fail(f"path: there is no {options['path']}")
        report = import_roster(actor=self.actor, path=path, dry_run=options["dry_run"], at=now())
        if not options["json"]:
            for kind in ("new", "changed", "leaving"):
                for diff in getattr(report, kind):
                    self.stdout.write(_line(kind, diff))
        for problem in report.errors:
            self.stderr.write(str(problem))
        for problem in report.warnings:
            self.stderr.write(f"warning: {problem}")
        counts = report.counts()
        prefix = "dry run, nothing written: " if report.dry_run else ""
        leaving = "leaving" if report.dry_run else "expired"
        self.stdout.write(
            f"{prefix}new {counts['new']}, changed {counts['changed']}, {leaving} "
            f"{counts['leaving']}, unchanged {counts['unchanged']}, errors {counts['errors']}, "
            f"warnings {counts['warnings']}"
        )
        if options["json"]:
            self.stdout.write(json.dumps(counts))
