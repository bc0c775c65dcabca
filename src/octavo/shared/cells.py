"""Text cells bound for a spreadsheet. No Django.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets when the file is opened (OWASP, "CSV Injection"). Octavo
keeps such text as it came in (a roster's `@Pérez` stays a name: octavo.patrons.oneroster) and
neutralizes it when it writes a CSV or XLSX file (octavo.reports.export).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def neutralized(value: str) -> str:
    """The text with a leading apostrophe when a spreadsheet would run it (OWASP's advice): the
    cell then shows the text, apostrophe included, and runs nothing."""
    return f"'{value}" if looks_like_formula(value) else value
