"""`octavo export-marc --out PATH [--format iso2709|marcxml] [--site CODE] [--with-holdings]`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from octavo.catalog.exporter import EXPORT_FORMATS, export_marc
from octavo.interfaces.cli.base import OctavoCommand


class Command(OctavoCommand):
    help = "Export catalog records as MARC (all, or those with items at one site)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, metavar="PATH")
        parser.add_argument("--format", default="iso2709", choices=EXPORT_FORMATS)
        parser.add_argument("--site", default=None, help="only records with items at this site")
        parser.add_argument(
            "--with-holdings", action="store_true", help="write each item as an 852 field"
        )

    def run(self, **options: Any) -> None:
        target = Path(options["out"])
        partial = target.with_name(target.name + ".partial")
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        with partial.open("wb") as out:
            count = export_marc(
                actor=self.actor,
                out=out,
                fmt=options["format"],
                site_code=options["site"],
                holdings=options["with_holdings"],
            )
        os.replace(partial, target)
        self.stdout.write(f"exported {count} records to {target}")
