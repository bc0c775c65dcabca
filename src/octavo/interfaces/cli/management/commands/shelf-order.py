"""`octavo shelf-order [--scheme auto|dewey|lc]`: call numbers from standard input in shelf order.

A filter: one call number a line in, the same lines (byte for byte) out in shelf order, blank
lines dropped. A line that cannot be read as a call number is kept, shelved after the lines that
can (see octavo.catalog.callnumbers.shelf_order), and named by its line number on standard error.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser

from octavo.catalog.callnumbers import Scheme, shelf_order
from octavo.interfaces.cli.base import OctavoCommand

# Bytes that are not UTF-8 (a list saved in another encoding) pass through unchanged.
_ENCODING, _ERRORS = "utf-8", "surrogateescape"


class Command(OctavoCommand):
    help = "Read call numbers, one a line, and print them in shelf order (Dewey and LC)."
    requires_system_checks: list[str] = []  # a text filter: no database, no settings to check

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scheme",
            choices=[scheme.value for scheme in Scheme],
            default=Scheme.AUTO.value,
            help="how to read each line: auto (decide line by line, the default), dewey or lc",
        )

    def run(self, **options: Any) -> None:
        text = sys.stdin.buffer.read().decode(_ENCODING, _ERRORS)
        # Split on "\n" only, so a "\r" before it (a list saved on Windows) stays in the line.
        order = shelf_order(text.split("\n"), scheme=Scheme(options["scheme"]))
        for unread in order.unread:
            where = f"the {unread.section} section" if unread.section else "the list"
            self.stderr.write(
                f"warning: line {unread.line_number}: {unread.reason}; kept at the end of {where}"
            )
        sys.stdout.buffer.write(
            "".join(f"{line}\n" for line in order.lines).encode(_ENCODING, _ERRORS)
        )
        sys.stdout.buffer.flush()
