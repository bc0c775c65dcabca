"""`octavo inventory start --site CODE [--location L] [--range A-B]` (prints the inventory's id on
its last line), `octavo inventory scan ID FILE [--device NAME]` (a portable scanner's file; `-`
reads standard input), `octavo inventory reconcile ID [--json]`, `octavo inventory finish ID`,
`octavo inventory cancel ID` (ends it marking nothing) and `octavo inventory list` (issue #8).

`scan` names every line it skips, and every barcode no item has, by its line number on standard
error; the counts go to standard output. `reconcile --json` prints one object whose keys
`missing`, `misplaced`, `checked_out_on_shelf`, `found` and `unknown` each hold a list of
barcodes (the contract).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandParser

from octavo.circulation.inventory import finish
from octavo.holdings import inventory, inventory_selectors
from octavo.holdings.inventory_rules import LineProblem
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.clock import now

_TITLES = {
    "missing": "missing (expected on the shelf, not scanned)",
    "misplaced": "misplaced (scanned here, belongs to another site, location or range)",
    "checked_out_on_shelf": "checked out but on the shelf",
    "found": "lost or missing but found",
    "unknown": "unknown barcodes (no item has them)",
}


class Command(OctavoCommand):
    help = "Inventory a site's shelves: start, scan files, reconcile, finish."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help="start an inventory; prints its id on the last line")
        start.add_argument("--site", required=True, help="the site's code")
        start.add_argument("--location", default="", help="only this location's shelves")
        start.add_argument(
            "--range", default="", metavar="A-B", help="only these call numbers, e.g. 500-599"
        )
        scan = sub.add_parser("scan", help="record the barcodes in a scanner's file")
        scan.add_argument("id", type=int, metavar="ID")
        scan.add_argument("file", metavar="FILE", help="one barcode a line; - for stdin")
        scan.add_argument("--device", default="", help="a name for the scanner (the file's)")
        reconcile = sub.add_parser("reconcile", help="the five lists, as they stand")
        reconcile.add_argument("id", type=int, metavar="ID")
        reconcile.add_argument("--json", action="store_true", help="one JSON object")
        done = sub.add_parser("finish", help="mark the missing as missing and keep the report")
        done.add_argument("id", type=int, metavar="ID")
        dropped = sub.add_parser("cancel", help="end an open inventory without marking anything")
        dropped.add_argument("id", type=int, metavar="ID")
        sub.add_parser("list", help="the latest inventories, open ones first")

    def run(self, **options: Any) -> None:
        action = options["action"]
        if action == "start":
            started = inventory.start(
                actor=self.actor,
                site_code=options["site"],
                location_code=options["location"],
                call_range=options["range"],
                at=now(),
            )
            self.stdout.write(f"inventory of {inventory_selectors.scope_text(started)} started")
            self.stdout.write(str(started.pk))  # the last line: `id=$(octavo inventory start ...)`
        elif action == "scan":
            self._scan(options["id"], options["file"], options["device"])
        elif action == "reconcile":
            self._reconcile(options["id"], as_json=options["json"])
        elif action == "finish":
            done = finish(actor=self.actor, inventory_id=options["id"], at=now())
            self.stdout.write(
                f"inventory {done.pk} of {inventory_selectors.scope_text(done)} finished: "
                f"{done.missing_count} marked missing, {done.misplaced_count} misplaced, "
                f"{done.checked_out_count} checked out but on the shelf, {done.found_count} "
                f"found, {done.unknown_count} unknown; {done.scanned_count} scanned of "
                f"{done.expected_count} expected"
            )
        elif action == "cancel":
            ended = inventory.cancel(actor=self.actor, inventory_id=options["id"], at=now())
            self.stdout.write(
                f"inventory {ended.pk} of {inventory_selectors.scope_text(ended)} cancelled: "
                f"nothing marked; {ended.scanned_count} scan(s) kept"
            )
        else:
            for shown in inventory_selectors.inventories(actor=self.actor):
                self.stdout.write(
                    f"{shown.pk}\t{inventory_selectors.scope_text(shown)}\t{shown.status}\t"
                    f"{shown.started_at:%Y-%m-%d}\t{shown.started_by}"
                )

    def _scan(self, inventory_id: int, name: str, device: str) -> None:
        def told(problem: LineProblem) -> None:
            self.stderr.write(f"{label}: {problem}")

        if name == "-":
            label = device or "stdin"
            report = self._scan_stream(inventory_id, sys.stdin.buffer, label, told)
        else:
            path = Path(name)
            if not path.is_file():
                self.fail(f"file: no file {name!r}")
            label = device or path.name
            with path.open("rb") as stream:
                report = self._scan_stream(inventory_id, stream, label, told)
        self.stdout.write(
            f"{label}: {report.lines} lines; {report.recorded} barcodes recorded "
            f"({report.unknown} of them unknown), {report.repeated} already scanned, "
            f"{report.skipped} lines skipped, {report.blank} blank"
        )

    def _scan_stream(
        self, inventory_id: int, stream: IO[bytes], label: str, told: Any
    ) -> inventory.ScanReport:
        return inventory.scan_file(
            actor=self.actor,
            inventory_id=inventory_id,
            stream=stream,
            source=label,
            at=now(),
            on_problem=told,
        )

    def _reconcile(self, inventory_id: int, *, as_json: bool) -> None:
        found = inventory_selectors.reconcile(actor=self.actor, inventory_id=inventory_id)
        if as_json:
            self.stdout.write(json.dumps(found.as_dict()))
            return
        counted = inventory_selectors.progress(actor=self.actor, inventory_id=inventory_id)
        state = "as recorded when finished" if found.finished else "as of now"
        self.stdout.write(
            f"inventory {inventory_id}, {state}: {counted.scanned} scanned; "
            f"{counted.expected_seen} of {counted.expected} expected seen ({counted.percent} %)"
        )
        for kind, barcodes in found.as_dict().items():
            self.stdout.write(f"{_TITLES[kind]}: {len(barcodes)}")
            for barcode in barcodes:
                self.stdout.write(f"  {barcode}")
