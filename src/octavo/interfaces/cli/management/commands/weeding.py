"""`octavo weeding build --site CODE --range 500-599 [--preset crew] [--json]` builds a weeding list
and prints it in shelf order, its id on the last line (or, with --json, one object: `id`,
`site`, `range`, `criteria` and `entries`, each with `barcode`, `call_number`, `title`, `year`,
`last_used_at`, `times_used`, `condition` and `reasons`); `octavo weeding apply ID --reason TEXT
[--include-undecided]` withdraws the entries marked withdraw (issue #8). Reviewing a list,
entry by entry, is the staff screens' work.

Own criteria instead of a preset: --age N, --unused N, --never-used N, --condition WORDS,
--copies-beyond N (see octavo.holdings.weeding_rules).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from octavo.circulation import weeding
from octavo.holdings import weeding_selectors as selectors
from octavo.holdings.weeding_rules import PRESETS, Criteria, criteria, preset
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.clock import now

OWN = ("age", "unused", "never_used", "condition", "copies_beyond")


class Command(OctavoCommand):
    help = "Weeding lists: build one for a call-number range, apply one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build a list; prints its id on the last line")
        build.add_argument("--site", required=True, help="the site's code")
        build.add_argument(
            "--range", required=True, metavar="A-B", help="call numbers, e.g. 500-599"
        )
        build.add_argument("--location", default="", help="only this location's items")
        build.add_argument("--preset", choices=sorted(PRESETS), help="the criteria of a preset")
        build.add_argument("--age", metavar="N", help="published more than N years ago")
        build.add_argument("--unused", metavar="N", help="not checked out in N years")
        build.add_argument(
            "--never-used", metavar="N", help="never checked out, in the collection N years"
        )
        build.add_argument("--condition", metavar="WORDS", help="condition words: poor,worn")
        build.add_argument(
            "--copies-beyond", metavar="N", help="copies of a title beyond the N most used"
        )
        build.add_argument("--json", action="store_true", help="one JSON object")
        apply = sub.add_parser("apply", help="withdraw the entries marked withdraw")
        apply.add_argument("id", type=int, metavar="ID")
        apply.add_argument("--reason", required=True, help="why: kept in each item's history")
        apply.add_argument(
            "--include-undecided",
            action="store_true",
            help="withdraw the entries nobody decided on too",
        )

    def run(self, **options: Any) -> None:
        if options["action"] == "build":
            self._build(options)
        else:
            applied = weeding.apply_list(
                actor=self.actor,
                list_id=options["id"],
                reason=options["reason"],
                include_undecided=options["include_undecided"],
                at=now(),
            )
            self.stdout.write(
                f"weeding list {applied.weeding_list.pk}: {len(applied.withdrawn)} withdrawn, "
                f"{len(applied.skipped)} not withdrawn now, {applied.kept} kept"
            )
            for barcode, why in applied.skipped:
                self.stderr.write(f"{barcode}: {why}")
            for title in applied.stranded:
                self.stderr.write(
                    f"record {title.record_id} ({title.title}): {title.holds} hold(s) waiting "
                    "that no copy can fill now: cancel them or order a copy"
                )

    def _criteria(self, options: dict[str, Any]) -> Criteria:
        own = {name: options.get(name) for name in OWN}
        if options.get("preset"):
            if any(value is not None for value in own.values()):
                self.fail("criteria: give --preset or your own criteria, not both")
            return preset(options["preset"])
        return criteria(
            age_years=own["age"],
            unused_years=own["unused"],
            never_used_years=own["never_used"],
            conditions=own["condition"],
            copies_beyond=own["copies_beyond"],
        )

    def _build(self, options: dict[str, Any]) -> None:
        built = weeding.build_list(
            actor=self.actor,
            site_code=options["site"],
            call_range=options["range"],
            location_code=options["location"],
            criteria=self._criteria(options),
            preset=options.get("preset") or "",
            at=now(),
        )
        lines = selectors.entry_lines(built)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": built.pk,
                        "site": built.site.code,
                        "range": [built.range_first, built.range_last],
                        "criteria": built.criteria,
                        "entries": [
                            {
                                "barcode": line.barcode,
                                "call_number": line.call_number,
                                "title": line.title,
                                "year": line.year,
                                "last_used_at": line.last_used_at.isoformat()
                                if line.last_used_at
                                else None,
                                "times_used": line.times_used,
                                "condition": line.condition,
                                "reasons": list(line.reasons),
                            }
                            for line in lines
                        ],
                    }
                )
            )
            return
        self.stdout.write(
            f"weeding list of {selectors.scope_text(built)}: {len(lines)} items, in shelf order"
        )
        for line in lines:
            used = f"{line.last_used_at:%Y-%m-%d}" if line.last_used_at else "never"
            self.stdout.write(
                f"{line.call_number}\t{line.barcode}\t{line.title}\t{line.year or ''}\t"
                f"last out {used}\t{','.join(line.reasons)}"
            )
        self.stdout.write(str(built.pk))  # the last line: `id=$(octavo weeding build ...)`
