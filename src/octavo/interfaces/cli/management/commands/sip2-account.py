"""`octavo sip2-account add NAME --password P --site CODE [--allow CIDR,...]`, and `list`,
`disable NAME`: the logins of self-check kiosks, book drops and gates (issue #5)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from octavo.interfaces.cli.base import OctavoCommand
from octavo.interfaces.sip2 import accounts
from octavo.shared.clock import now


class Command(OctavoCommand):
    help = "Add, list and disable SIP2 accounts (one per kiosk)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a kiosk account")
        add.add_argument("name", help="the login the kiosk sends (CN)")
        add.add_argument("--password", required=True, help="the password it sends (CO)")
        add.add_argument("--site", required=True, help="the code of the site it stands at")
        add.add_argument(
            "--allow", default="", help="comma-separated addresses or networks it may come from"
        )
        add.add_argument(
            "--may",
            default=None,
            help="what it may do, comma-separated: "
            f"{', '.join(accounts.PERMISSIONS)} "
            f"(default: {','.join(accounts.DEFAULT_PERMISSIONS)})",
        )
        add.add_argument("--encoding", default="utf-8", choices=accounts.ENCODINGS)
        add.add_argument("--language", default="en", choices=accounts.LANGUAGES)
        add.add_argument(
            "--no-pin",
            action="store_true",
            help="patrons need not give a PIN (a book drop, students without PINs)",
        )
        add.add_argument(
            "--personal-data",
            action="store_true",
            help="answers may carry the patron's e-mail and phone",
        )
        sub.add_parser("list", help="list the accounts")
        disable = sub.add_parser("disable", help="stop an account logging in")
        disable.add_argument("name")

    def run(self, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            account = accounts.add_account(
                actor=self.actor,
                name=options["name"],
                password=options["password"],
                site_code=options["site"],
                at=now(),
                allow=options["allow"],
                may=options["may"],
                encoding=options["encoding"],
                language=options["language"],
                pin_required=not options["no_pin"],
                personal_data=options["personal_data"],
            )
            self.stdout.write(
                f"added SIP2 account {account.name} at {account.site.code} "
                f"(may: {account.permissions})"
            )
        elif action == "disable":
            accounts.disable_account(actor=self.actor, name=options["name"], at=now())
            self.stdout.write(f"disabled SIP2 account {options['name']}")
        else:
            for account in accounts.accounts():
                state = "disabled" if account.disabled_at else "active"
                allowed = account.allowed_networks or "any address"
                self.stdout.write(
                    f"{account.name}\t{account.site.code}\t{state}\t{account.permissions}\t"
                    f"{allowed}\t{account.encoding}\t{account.language}"
                )
