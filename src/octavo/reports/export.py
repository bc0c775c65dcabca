"""A report's result as a file: CSV, XLSX or JSON; and its values as the screen shows them.

Files carry the values themselves (numbers as numbers, dates as ISO dates); text cells that a
spreadsheet would run as a formula are neutralized (octavo.shared.cells). XLSX files are written
with XlsxWriter (docs/adr/0014-reports.md). `render_report` is what a scheduled job calls to
mail a report: name, site, period and format in, a named attachment out.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from octavo.reports.definitions import Column, Kind, Value
from octavo.reports.selectors import Result, run_report
from octavo.shared.actor import Actor
from octavo.shared.cells import neutralized
from octavo.shared.errors import InvalidInput

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

# Excel number formats per kind; the spreadsheet shows them in the reader's own locale.
_XLSX_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.NUMBER: "#,##0.0",
    Kind.MONEY: "#,##0.00",
    Kind.YEAR: "0.#",
    Kind.PERCENT: "0.0",
    Kind.DATE: "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Rendered:
    filename: str
    content_type: str
    content: bytes


# --- files ------------------------------------------------------------------------------------


def filename(result: Result, fmt: str) -> str:
    where = result.site.code if result.site else "district"
    when = (
        f"{result.start.isoformat()}-{result.end.isoformat()}"
        if result.start and result.end
        else result.at.astimezone(result.zone).date().isoformat()
    )
    return f"{result.report.name}-{where}-{when}.{fmt}"


def _cell(value: Value) -> str:
    """A value as CSV text: numbers plain (a point for decimals), dates ISO, text neutralized."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralized(str(value))


def _all_rows(result: Result) -> list[tuple[Value, ...]]:
    found = list(result.rows)
    if result.total is not None:
        first = _("Total") if result.total[0] in ("", None) else result.total[0]
        found.append((first, *result.total[1:]))
    return found


def to_csv(result: Result) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accented names right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralized(str(c.label)) for c in result.report.columns])
    for row in _all_rows(result):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def to_json(result: Result) -> bytes:
    columns = result.report.columns

    def value(v: Value, column: Column) -> Any:
        if v is None or (v == "" and column.kind.numeric):
            return None
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)  # exact: "12.50", not a binary float
        return v

    def as_object(row: tuple[Value, ...]) -> dict[str, Any]:
        return {c.key: value(v, c) for c, v in zip(columns, row, strict=True)}

    document = {
        "report": result.report.name,
        "title": str(result.report.title),
        "site": result.site.code if result.site else None,
        "from": result.start.isoformat() if result.start else None,
        "to": result.end.isoformat() if result.end else None,
        "generated_at": result.at.isoformat(),
        "columns": [{"key": c.key, "label": str(c.label), "type": c.kind.value} for c in columns],
        "rows": [as_object(r) for r in result.rows],
        "total": as_object(result.total) if result.total is not None else None,
        "truncated": result.truncated,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_xlsx(result: Result) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True, "top": 1})
    kinds = {kind: book.add_format({"num_format": f}) for kind, f in _XLSX_FORMATS.items()}
    kinds_bold = {
        kind: book.add_format({"num_format": f, "bold": True, "top": 1})
        for kind, f in _XLSX_FORMATS.items()
    }
    sheet = book.add_worksheet(_("Report")[:31])
    columns = result.report.columns
    for n, column in enumerate(columns):
        sheet.write_string(0, n, neutralized(str(column.label)), header)
        sheet.set_column(n, n, 14 if column.kind.numeric or column.kind is Kind.DATE else 28)
    body = _all_rows(result)
    for r, row in enumerate(body, start=1):
        is_total = result.total is not None and r == len(body)
        for n, (column, value) in enumerate(zip(columns, row, strict=True)):
            style = (kinds_bold if is_total else kinds).get(column.kind)
            if value is None or value == "":
                if is_total:
                    sheet.write_blank(r, n, None, bold)
                continue
            if isinstance(value, date):
                sheet.write_datetime(r, n, datetime.combine(value, time(0)), style)
            elif isinstance(value, int | Decimal) and column.kind.numeric:
                sheet.write_number(r, n, float(value), style)
            else:
                sheet.write_string(r, n, neutralized(str(value)), bold if is_total else None)
    sheet.freeze_panes(1, 0)
    if body:
        sheet.autofilter(0, 0, len(result.rows), len(columns) - 1)
    about = book.add_worksheet(_("About")[:31])
    about.set_column(0, 0, 18)
    about.set_column(1, 1, 80)
    for r, (label, text) in enumerate(_about(result)):
        about.write_string(r, 0, label, header if r == 0 else None)
        about.write_string(r, 1, neutralized(text))
    book.close()
    return out.getvalue()


def _about(result: Result) -> list[tuple[str, str]]:
    report = result.report
    lines = [
        (_("Report"), str(report.title)),
        (_("Description"), str(report.description)),
        (
            _("Site"),
            f"{result.site.code} {result.site.name}" if result.site else _("Whole district"),
        ),
    ]
    if result.start and result.end:
        period = _("%(start)s to %(end)s") % {
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
        }
        lines.append((_("Period"), period))
    lines.append((_("Made"), result.at.astimezone(result.zone).strftime("%Y-%m-%d %H:%M %Z")))
    if report.note:
        lines.append((_("Note"), str(report.note)))
    return lines


def render(result: Result, fmt: str) -> Rendered:
    writers = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}
    if fmt not in writers:
        raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
    return Rendered(filename(result, fmt), CONTENT_TYPES[fmt], writers[fmt](result))


def render_report(
    *,
    actor: Actor,
    name: str,
    fmt: str,
    at: datetime,
    site_code: str = "",
    start: date | None = None,
    end: date | None = None,
) -> Rendered:
    """Run report `name` as `actor` and write it as `fmt` (csv, xlsx or json): the call a
    scheduled job makes to mail a report as an attachment."""
    if fmt not in FORMATS:
        raise InvalidInput(f"{fmt!r} is not a format: use {', '.join(FORMATS)}", field="format")
    result = run_report(actor=actor, name=name, at=at, site_code=site_code, start=start, end=end)
    return render(result, fmt)
