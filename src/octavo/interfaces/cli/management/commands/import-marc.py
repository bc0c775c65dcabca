"""`octavo import-marc FILE... --site CODE [--format ...] [--holdings ...] [--dry-run]
[--rejects PATH] [--json]`: load a MARC export, with its copies, into the catalog."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import CommandParser

from octavo.catalog.importer import FORMATS, HOLDINGS_MODES, ImportReport, import_marc
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.clock import now


class _Progress:
    """A one-line progress bar on a terminal; nothing when stderr is not one."""

    def __init__(self, stream: BinaryIO, size: int, label: str, enabled: bool):
        self.stream, self.size, self.label, self.enabled = stream, size, label, enabled
        self.started = time.monotonic()
        self.base = ImportReport()

    def __call__(self, report: ImportReport) -> None:
        if not self.enabled:
            return
        done = self.stream.tell() if self.size else 0
        share = min(done / self.size, 1.0) if self.size else 0.0
        rate = report.read / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r{self.label} [{bar:<30}] {share:4.0%} {report.read:,} records {rate:,.0f}/s "
        )
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


class Command(OctavoCommand):
    help = "Import MARC records (ISO 2709 or MARCXML) and their holdings into the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--site", required=True, help="site code the items belong to")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--holdings", default="auto", choices=HOLDINGS_MODES)
        parser.add_argument(
            "--dry-run", action="store_true", help="read and match everything, write nothing"
        )
        parser.add_argument(
            "--rejects",
            default=None,
            metavar="PATH",
            help="write the rejected records here (tab-separated)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the counts as one JSON object on the last line",
        )

    def run(self, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            self.fail(f"file: cannot read {', '.join(missing)}")
        total = ImportReport()
        rejects_out = None
        writer = None
        if options["rejects"]:
            rejects_out = open(options["rejects"], "w", newline="", encoding="utf-8")  # noqa: SIM115
            writer = csv.writer(rejects_out, delimiter="\t", lineterminator="\n")
            writer.writerow(
                ["file", "position", "byte_offset", "control_number", "tag", "barcode", "reason"]
            )
        try:
            for path in paths:
                with path.open("rb") as handle:
                    progress = _Progress(
                        handle, os.path.getsize(path), path.name, enabled=sys.stderr.isatty()
                    )
                    report = import_marc(
                        actor=self.actor,
                        stream=handle,
                        filename=path.name,
                        site_code=options["site"],
                        fmt=options["format"],
                        holdings=options["holdings"],
                        dry_run=options["dry_run"],
                        progress=progress,
                        at=now(),
                    )
                    progress.finish()
                for r in report.rejects:
                    if writer is not None:
                        writer.writerow(
                            [
                                path.name,
                                r.position,
                                "" if r.offset is None else r.offset,
                                r.control_number,
                                r.tag,
                                r.barcode,
                                r.reason,
                            ]
                        )
                    if not options["json"]:
                        where = f"{path.name} record {r.position}"
                        if r.control_number:
                            where += f" ({r.control_number})"
                        self.stderr.write(f"{where}: {r.reason}")
                for key in ("read", "created", "updated", "rejected", "items_created"):
                    setattr(total, key, getattr(total, key) + getattr(report, key))
        finally:
            if rejects_out is not None:
                rejects_out.close()
        counts = total.counts()
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}read {counts['read']}, created {counts['created']}, updated "
            f"{counts['updated']}, rejected {counts['rejected']}, items created "
            f"{counts['items_created']}"
        )
        if options["json"]:
            self.stdout.write(json.dumps(counts))
