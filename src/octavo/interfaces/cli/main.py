"""The `octavo` console command: Octavo's own subcommands first, Django's behind them."""

from __future__ import annotations

import os
import sys

# Octavo's subcommands, as `octavo --help` lists them. Each is a Django management command in
# octavo/interfaces/cli/management/commands/ (issue #2 contract).
COMMANDS: dict[str, str] = {
    "demo": "migrate, load the demo district (safe to run twice) and serve it",
    "serve": "serve Octavo with gunicorn (production server) [--host H] [--port P]",
    "migrate": "create or upgrade the database tables",
    "site": "manage sites: `octavo site add CODE NAME`, `octavo site list`",
    "user": "manage accounts: `octavo user add USERNAME --role ROLE --site CODE[,CODE]`",
    "token": "API tokens: `octavo token create USERNAME`",
    "import-marc": "load MARC records and holdings: `octavo import-marc FILE... --site CODE`",
    "export-marc": "write the catalog as MARC: `octavo export-marc --out PATH [--with-holdings]`",
    "patron": "patrons: `octavo patron add --barcode B ...` (prints the id), `patron rollover`",
    "import-roster": "students, teachers, guardians from OneRoster: `octavo import-roster PATH`",
    "shelf-order": "sort call numbers (stdin, one a line) into shelf order [--scheme ...]",
    "inventory": "shelf inventory: `octavo inventory start|scan|reconcile|finish|list`",
    "labels": "spine/barcode labels, patron cards, shelf markers as PDF: `octavo labels KIND ...`",
    "weeding": "weeding lists: `octavo weeding build --site CODE --range 500-599`, `apply ID`",
    "sip2": "the SIP2 server for self-check kiosks [--listen HOST:PORT] [--tls-cert/--tls-key]",
    "sip2-account": "kiosk logins: `octavo sip2-account add NAME --password P --site CODE`",
    "run-jobs": "the nightly jobs (notices, lost, holds, cards, privacy) [--as-of D] [--only J]",
    "report": "a report as CSV, XLSX or JSON: `octavo report NAME [--site CODE] [--from D --to D]`",
    "messages": "translation catalogs: `octavo messages compile|check|update`",
}


def _help() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: octavo <command> [options]",
        "",
        "Octavo: library and resource management for school districts.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()),
        "",
        "`octavo <command> --help` describes one command; `octavo help --commands` lists",
        "every Django management command too. Configuration: OCTAVO_* environment variables",
        "(see the README).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_help())
        return
    if args[0] in {"-V", "--version"}:
        from octavo import __version__

        print(f"octavo {__version__}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "octavo.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["octavo", *args])


if __name__ == "__main__":
    main()
