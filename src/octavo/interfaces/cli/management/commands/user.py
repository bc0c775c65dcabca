"""`octavo user add USERNAME --role ROLE --site CODE[,CODE] [--password P]` and `user list`."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import CommandParser

from octavo.accounts.selectors import visible_users
from octavo.accounts.services import create_user, set_password
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.actor import Role
from octavo.shared.clock import now


class Command(OctavoCommand):
    help = "Add, list accounts, or set an account's password."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an account")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=[r.value for r in Role])
        add.add_argument("--site", default="", help="site code(s), comma-separated")
        add.add_argument(
            "--password", default=None, help="password (asked for when omitted on a terminal)"
        )
        add.add_argument("--email", default="")
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        passwd = sub.add_parser("password", help="set an account's password")
        passwd.add_argument("username")
        passwd.add_argument("--password", default=None)
        sub.add_parser("list", help="list accounts")

    def _password(self, given: str | None) -> str | None:
        if given is not None or not sys.stdin.isatty():
            return given
        return getpass.getpass("Password (12 characters or more): ")

    def run(self, **options: Any) -> None:
        if options["action"] == "add":
            user = create_user(
                actor=self.actor,
                username=options["username"],
                role=options["role"],
                site_codes=[c for c in options["site"].split(",") if c.strip()],
                password=self._password(options["password"]),
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                at=now(),
            )
            sites = ",".join(sorted(user.sites.values_list("code", flat=True))) or "all sites"
            self.stdout.write(f"added {user.username} ({user.role}) at {sites}")
        elif options["action"] == "password":
            password = self._password(options["password"])
            if password is None:
                self.fail("give --password (no terminal to ask on)")
            set_password(
                actor=self.actor, username=options["username"], password=password, at=now()
            )
            self.stdout.write(f"password set for {options['username']}")
        else:
            for user in visible_users(actor=self.actor):
                sites = ",".join(sorted(s.code for s in user.sites.all()))
                active = "" if user.is_active else "  (inactive)"
                self.stdout.write(f"{user.username}\t{user.role}\t{sites}{active}")
