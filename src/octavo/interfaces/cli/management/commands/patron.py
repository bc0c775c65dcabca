"""`octavo patron add --barcode B --first NAME --last NAME --type TYPE --site CODE [--email E]
[--pin PIN] [--grade G] [--homeroom TEACHER]` (prints the new patron's id, for scripts) and
`octavo patron rollover [--dry-run]` (the year-end rollover) and
`octavo patron merge --keep CARD --duplicate CARD` (fold a duplicate record into another)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from octavo.circulation.merge import merge_patrons
from octavo.interfaces.cli.base import OctavoCommand
from octavo.patrons.rollover import rollover
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.clock import now


class Command(OctavoCommand):
    help = (
        "Add a patron, roll every student over to the next grade at year end, or merge a "
        "duplicate patron into another."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a patron and print its id")
        add.add_argument("--barcode", required=True, help="the library card's barcode")
        add.add_argument("--first", required=True, help="first (given) name")
        add.add_argument("--last", required=True, help="last (family) name")
        add.add_argument("--type", required=True, help="patron type: student, teacher, ...")
        add.add_argument("--site", required=True, help="home site code")
        add.add_argument("--email", default="")
        add.add_argument("--pin", default="", help="4 to 12 digits, for the OPAC and kiosks")
        add.add_argument("--grade", default="", help="PK, TK, K or 1 to 12")
        add.add_argument("--homeroom", default="", metavar="TEACHER", help="homeroom teacher")
        roll = sub.add_parser(
            "rollover",
            help="year end: students move up a grade, grade 12 leaves (cards expire)",
        )
        roll.add_argument(
            "--dry-run", action="store_true", help="count who would move, change nothing"
        )
        merge = sub.add_parser(
            "merge",
            help="fold a duplicate patron into another: loans, holds, balance and guardians move",
        )
        merge.add_argument("--keep", required=True, metavar="CARD", help="the record that stays")
        merge.add_argument("--duplicate", required=True, metavar="CARD", help="the duplicate")

    def run(self, **options: Any) -> None:
        if options["action"] == "add":
            patron = create_patron(
                actor=self.actor,
                fields=PatronFields(
                    barcode=options["barcode"],
                    first_name=options["first"],
                    last_name=options["last"],
                    patron_type=options["type"],
                    site_code=options["site"],
                    email=options["email"],
                    pin=options["pin"],
                    grade=options["grade"],
                    homeroom=options["homeroom"],
                ),
                at=now(),
            )
            # The id alone: `id=$(octavo patron add ...)` is how scripts use it (issue #4).
            self.stdout.write(str(patron.pk))
            return
        if options["action"] == "merge":
            merged = merge_patrons(
                actor=self.actor,
                keep_ref=options["keep"],
                duplicate_barcode=options["duplicate"],
                at=now(),
            )
            self.stdout.write(
                f"{merged.duplicate.barcode} merged into {merged.keep.barcode}: "
                f"{merged.loans} open loan(s), {merged.holds} hold(s) "
                f"({merged.holds_cancelled} cancelled as the same title), "
                f"{merged.guardians} guardian(s), balance {merged.balance} moved"
            )
            return
        report = rollover(actor=self.actor, at=now(), dry_run=options["dry_run"])
        for site in report.sites:
            if site.done_before:
                self.stdout.write(f"{site.site_code}: already rolled over in {site.year}")
            else:
                self.stdout.write(
                    f"{site.site_code}: {site.moved_up} moved up a grade, {site.expired} left"
                )
        counts = report.counts()
        prefix = "dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{counts['sites']} site(s), {counts['moved_up']} moved up, "
            f"{counts['expired']} left (cards expired)"
        )
