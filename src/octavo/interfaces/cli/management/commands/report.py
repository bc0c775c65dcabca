"""`octavo report NAME [--site CODE] [--from DATE --to DATE] [--format csv|xlsx|json]
[--out PATH]`: one report (issue #7) as a file, for a site or (without --site) the whole
district, over a period (each date defaults to the report's own: mostly the school year to
date). Without --out, CSV and JSON go to standard output. The reports are listed by
`octavo report --help` and described in docs/librarians/reports.md.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from octavo.interfaces.cli.base import OctavoCommand
from octavo.reports.export import FORMATS, render
from octavo.reports.registry import BY_NAME
from octavo.reports.selectors import run_report
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput


class Command(OctavoCommand):
    help = "Write a report (circulation, collection, overdues, fines, patrons, titles) as a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", metavar="NAME", help=f"one of: {', '.join(BY_NAME)}")
        parser.add_argument(
            "--site", default="", metavar="CODE", help="one site (default: the whole district)"
        )
        parser.add_argument(
            "--from", dest="start", default="", metavar="DATE", help="YYYY-MM-DD or today"
        )
        parser.add_argument(
            "--to", dest="end", default="", metavar="DATE", help="YYYY-MM-DD or today (included)"
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--out", default="", metavar="PATH", help="default: standard output")

    def run(self, **options: Any) -> None:
        fmt = options["format"]
        target = options["out"]
        result = run_report(
            actor=self.actor,
            name=options["name"],
            at=now(),
            site_code=options["site"],
            start=_day(options["start"], "from"),
            end=_day(options["end"], "to"),
        )
        rendered = render(result, fmt)
        if not target or target == "-":
            stream: Any = self.stdout._out
            out = getattr(stream, "buffer", None)
            if fmt == "xlsx" and (out is None or stream.isatty()):
                self.fail("out: an XLSX file is not text: give --out PATH")
            if out is None:  # a text stream (call_command's StringIO)
                self.stdout.write(rendered.content.decode("utf-8-sig"), ending="")
            else:
                out.write(rendered.content)
                out.flush()
            return
        path = Path(target)
        partial = path.with_name(path.name + ".partial")
        # Written beside the target and renamed at the end: a failed run leaves no half file.
        partial.write_bytes(rendered.content)
        os.replace(partial, path)
        where = result.site.code if result.site else "the whole district"
        self.stdout.write(
            f"wrote {result.report.name} for {where}: {len(result.rows)} rows to {path}"
        )


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    if text.strip().lower() == "today":
        return timezone.localdate(now())
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None
