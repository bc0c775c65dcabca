"""`octavo token create USERNAME [--name N]`: print a new API token (shown only this once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from octavo.accounts.services import create_token, revoke_token
from octavo.interfaces.cli.base import OctavoCommand
from octavo.shared.clock import now


class Command(OctavoCommand):
    help = "Create or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by its 8-character prefix")
        revoke.add_argument("prefix")

    def run(self, **options: Any) -> None:
        if options["action"] == "create":
            _, raw = create_token(
                actor=self.actor, username=options["username"], name=options["name"], at=now()
            )
            # The token alone on stdout, so scripts can capture it: TOKEN=$(octavo token ...)
            self.stdout.write(raw)
        else:
            revoke_token(actor=self.actor, prefix=options["prefix"], at=now())
            self.stdout.write(f"revoked token {options['prefix']}")
