"""`octavo labels KIND --stock NAME [--start N] [--site CODE] [--barcodes FILE | --added-since
DATE | --range FROM-TO | --batch ID] --out PATH.pdf`: spine labels, barcode labels, both on one
label, patron cards and shelf markers as a PDF (issue #8).

KIND is spine, barcode, spine-barcode, patron-card or shelf-marker. What is printed:
- `--barcodes FILE` (`-` for standard input): one barcode a line, item barcodes or, for
  patron cards, card barcodes; for shelf markers, one range a line (`599 - 612.9 JON`);
- `--added-since DATE` (YYYY-MM-DD, or `today`): items (patrons, for cards) added since that
  day, at `--site`;
- `--range FROM-TO`: the items (patrons) with barcodes in the range; for shelf markers, one
  marker from call number FROM to TO;
- `--batch ID`: the items of a saved label batch (the staff side's Labels > Saved batches), in
  the order they were added.
Whatever is left out is named on standard error with its reason, and so is every label that
needs a look (a call number printed whole, text or bars too big for the stock); the PDF holds
the rest. `--site` also names the library on the labels and brings its printer offsets.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from octavo.district.selectors import site_by_code
from octavo.holdings.labels import select
from octavo.holdings.labels.content import Batch, Kind, Symbology, read_marker_lines
from octavo.holdings.labels.content import marker_range as split_marker
from octavo.holdings.labels.render import draw, plan
from octavo.holdings.labels.stocks import check_start, get_stock, stock_names
from octavo.interfaces.cli.base import OctavoCommand
from octavo.patrons import cards
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput


class Command(OctavoCommand):
    help = "Print spine labels, barcode labels, patron cards or shelf markers as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[k.value for k in Kind])
        parser.add_argument(
            "--stock",
            required=True,
            metavar="NAME",
            help=f"{', '.join(stock_names())}, or custom:WxH (inches, or mm: custom:50x25mm)",
        )
        parser.add_argument(
            "--start",
            type=int,
            default=1,
            metavar="N",
            help="the first label to use on a partly used sheet (1: the top-left one)",
        )
        parser.add_argument("--site", default="", metavar="CODE")
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--barcodes", metavar="FILE", help="one a line; - reads stdin")
        chosen.add_argument("--added-since", metavar="DATE", help="YYYY-MM-DD or today")
        chosen.add_argument("--range", metavar="FROM-TO")
        chosen.add_argument("--batch", type=int, metavar="ID", help="a saved label batch")
        parser.add_argument(
            "--symbology",
            choices=[s.value for s in Symbology],
            default=None,
            help="how to draw the barcodes this time (default: the site's setting, else auto)",
        )
        parser.add_argument("--out", required=True, metavar="PATH.pdf")

    def run(self, **options: Any) -> None:
        kind = Kind(options["kind"])
        stock = get_stock(options["stock"])
        check_start(stock, options["start"])  # before the database is read: a mistake is quick
        site = (
            site_by_code(actor=self.actor, code=options["site"])
            if options["site"].strip()
            else None
        )
        batch = self._batch(kind, site.code if site else "", site.name if site else "", options)
        for left_out in batch.skipped:
            self.stderr.write(f"skipped: {left_out}")
        if not batch.labels:
            self.fail(
                "nothing to print: everything asked for was skipped"
                if batch.skipped
                else "nothing to print: nothing matches"
            )
        setup = select.printer_setup(site)
        if options["symbology"]:
            setup = replace(setup, symbology=Symbology(options["symbology"]))
        layout = plan(batch.labels, kind=kind, stock=stock, start=options["start"], setup=setup)
        for placed in layout.flagged:
            for problem in placed.problems:
                self.stderr.write(
                    f"check: label {placed.number} ({placed.label.key}), sheet "
                    f"{placed.page + 1} position {placed.position + 1}: {problem.message}"
                )
        target = Path(options["out"])
        partial = target.with_name(target.name + ".partial")
        # Written beside the target and renamed at the end: a failed run leaves no half file.
        with partial.open("wb") as out:
            draw(layout, out)
        os.replace(partial, target)
        pages = "sheet" if layout.pages == 1 else "sheets"
        if stock.roll:
            pages = "label" if layout.pages == 1 else "labels"
        self.stdout.write(
            f"wrote {len(layout.placed)} {kind.value} labels on {layout.pages} {pages} of "
            f"{stock.name} to {target} ({len(layout.flagged)} to check, "
            f"{len(batch.skipped)} skipped)"
        )

    def _batch(self, kind: Kind, site_code: str, library: str, options: dict[str, Any]) -> Batch:
        if options["batch"] is not None:
            if kind in (Kind.SHELF_MARKER, Kind.PATRON_CARD):
                raise InvalidInput(
                    "a saved batch holds items: print spine, barcode or spine-barcode labels",
                    field="batch",
                )
            return select.items_in_batch(actor=self.actor, batch_id=options["batch"])
        if kind is Kind.SHELF_MARKER:
            if options["added_since"]:
                raise InvalidInput(
                    "shelf markers are printed from call-number ranges: --range FROM-TO, or "
                    "--barcodes FILE with one range a line",
                    field="added_since",
                )
            if options["range"]:
                first, last = split_marker(options["range"])
                return read_marker_lines([f"{first} - {last}" if last else first], library=library)
            return read_marker_lines(self._lines(options["barcodes"]), library=library)
        patrons = kind is Kind.PATRON_CARD
        if options["barcodes"]:
            lines = self._lines(options["barcodes"])
            if patrons:
                return cards.cards_listed(actor=self.actor, lines=lines)
            return select.items_listed(actor=self.actor, lines=lines)
        if options["range"]:
            if patrons:
                return cards.cards_in_range(actor=self.actor, text=options["range"])
            return select.items_in_range(actor=self.actor, text=options["range"])
        since = _day(options["added_since"])
        if patrons:
            return cards.cards_added_since(
                actor=self.actor, since=since, at=now(), site_code=site_code
            )
        return select.items_added_since(
            actor=self.actor, since=since, at=now(), site_code=site_code
        )

    def _lines(self, name: str) -> list[str]:
        if name == "-":
            return sys.stdin.read().splitlines()
        path = Path(name)
        if not path.is_file():
            self.fail(f"barcodes: no file {name}")
        return path.read_text(encoding="utf-8-sig", errors="replace").splitlines()


def _day(text: str) -> date:
    if text.strip().lower() == "today":
        return timezone.localdate(now())
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field="added_since") from None
