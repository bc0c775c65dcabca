"""`octavo serve [--host H] [--port P] [--workers N]`: the production server (gunicorn)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from octavo.interfaces.cli.server import serve


class Command(BaseCommand):
    help = "Serve Octavo with gunicorn sync workers (not Django's development server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: OCTAVO_WORKERS or 2 x cores + 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(host=options["host"], port=options["port"], workers=options["workers"])
