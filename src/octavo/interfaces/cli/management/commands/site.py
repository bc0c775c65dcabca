"""`octavo site add CODE NAME [--address A] [--time-zone TZ]` and `octavo site list`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from octavo.district.selectors import visible_sites
from octavo.district.services import create_site
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.clock import now


class Command(OctavoCommand):
    help = "Add or list sites (schools, branches)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a site")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--address", default="")
        add.add_argument("--time-zone", default="America/Los_Angeles")
        sub.add_parser("list", help="list sites")

    def run(self, **options: Any) -> None:
        if options["action"] == "add":
            site = create_site(
                actor=self.actor,
                code=options["code"],
                name=options["name"],
                address=options["address"],
                time_zone=options["time_zone"],
                at=now(),
            )
            self.stdout.write(f"added site {site.code} {site.name}")
        else:
            for site in visible_sites(actor=self.actor):
                state = "" if site.is_active else "  (inactive)"
                self.stdout.write(f"{site.code}\t{site.name}\t{site.time_zone}{state}")
