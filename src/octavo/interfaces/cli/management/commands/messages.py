"""`octavo messages compile|check|update`: the translation catalogs (docs/adr/0007).

compile  write each .po's .mo (Babel; no GNU gettext needed)
check    list the msgids used in the code that a catalog lacks or leaves untranslated; exit 1
update   add the code's new msgids to each catalog (untranslated) and drop unused ones
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from octavo.interfaces.cli.messages_check import (
    SOURCE_DIR,
    check_catalog,
    extract_messages,
    update_catalog,
)
from octavo.shared.catalogs import LOCALE_DIR, compile_catalogs


class Command(BaseCommand):
    help = "Compile, check or update the translation catalogs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("compile", help="compile every .po catalog to .mo")
        sub.add_parser("check", help="fail when a translatable string lacks a translation")
        sub.add_parser("update", help="add new strings to the catalogs, untranslated")

    def _catalogs(self) -> list[Path]:
        catalogs = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
        if not catalogs:
            raise CommandError(f"no catalogs under {LOCALE_DIR}", returncode=2)
        return catalogs

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "compile":
            for mo_path in compile_catalogs():
                self.stdout.write(f"compiled {mo_path.relative_to(LOCALE_DIR)}")
            return
        messages = extract_messages(SOURCE_DIR)
        if action == "update":
            for po_path in self._catalogs():
                added = update_catalog(po_path, messages)
                self.stdout.write(f"{po_path.relative_to(LOCALE_DIR)}: {added} new string(s)")
            return
        failed = 0
        for po_path in self._catalogs():
            problems = check_catalog(po_path, messages)
            name = po_path.relative_to(LOCALE_DIR)
            for problem in problems:
                self.stdout.write(f"{name}: {problem}")
            failed += len(problems)
            if not problems:
                self.stdout.write(f"{name}: all {len(messages)} strings translated")
        if failed:
            raise CommandError(f"{failed} string(s) need a translation", returncode=1)
