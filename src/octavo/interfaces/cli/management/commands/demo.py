"""`octavo demo [--port P]`: migrate, load the demo district, print the logins, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser

from octavo.interfaces.cli.base import OctavoCommand
from octavo.interfaces.cli.demo import load_demo, logins_table
from octavo.interfaces.cli.server import serve


class Command(OctavoCommand):
    help = "Migrate, load the demo district (safe to run twice), print demo logins and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="load the demo district and print the logins, then stop",
        )

    def run(self, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        load_demo(self.actor)
        host = options["host"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(logins_table(f"http://{shown_host}:{options['port']}"))
        self.stdout.flush()
        if not options["no_serve"]:
            serve(host=host, port=options["port"])
