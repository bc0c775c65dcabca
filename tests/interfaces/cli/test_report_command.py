"""`octavo report NAME [--site CODE] [--from DATE --to DATE] [--format csv|xlsx|json]
[--out PATH]` (issue #7's contract): the files read back by an independent reader (the csv
module, openpyxl, json), cells a spreadsheet would run neutralized, and mistakes told in one
line naming the field, by a real process too."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from tests.integration.reports.world import AT, BEFORE, report_world  # noqa: F401
from tests.interfaces.cli.test_octavo_command import run

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.cli.management.commands import report as report_command
from octavo.reports.selectors import run_report
from octavo.shared.actor import Actor

FORMULA = '=HYPERLINK("http://example.org","free books")'


@pytest.fixture
def world(report_world, cli_actor, monkeypatch):  # noqa: F811
    """The report tests' district, asked on its day, with a title a spreadsheet would run."""
    monkeypatch.setattr(report_command, "now", lambda: AT)
    record = create_record(actor=cli_actor, fields=RecordFields(title=FORMULA), at=BEFORE)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["N99"],
        fields=ItemFields(site_code="NES", call_class="001.9", call_cutter="FRE"),
        at=BEFORE,
    )
    return report_world


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_csv_has_the_reports_columns_rows_and_total(world, tmp_path: Path) -> None:
    target = tmp_path / "by-site.csv"
    said = report("circulation-by-site", "--out", str(target))
    assert said == f"wrote circulation-by-site for the whole district: 2 rows to {target}\n"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for accents
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ["Site", "Check-outs", "Check-ins", "Renewals", "Total"]
    expected = run_report(actor=Actor.command_line(), name="circulation-by-site", at=AT)
    assert lines[1:-1] == [[str(v) for v in row] for row in expected.rows]
    assert lines[-1] == ["Total", *(str(v) for v in expected.total[1:])]


@pytest.mark.django_db
def test_xlsx_reads_back_with_numbers_dates_and_neutralized_formulas(world, tmp_path) -> None:
    target = tmp_path / "never.xlsx"
    report("never-circulated", "--site", "NES", "--format", "xlsx", "--out", str(target))
    book = openpyxl.load_workbook(target)
    sheet = book.worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("Dewey class", "Call number", "Title", "Author", "Copies", "Acquired")
    titles = {row[2]: row for row in cells[1:]}
    assert titles["'" + FORMULA][4] == 1  # kept as text, apostrophe first; the copy a number
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)  # no formula anywhere
    assert titles["The hidden key"][5].date() == date(2019, 1, 1)
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about["Report"] == "Never-circulated titles"
    assert about["Site"] == "NES North Elementary"

    money = tmp_path / "fines.xlsx"
    report("fines", "--format", "xlsx", "--out", str(money))
    rows = list(openpyxl.load_workbook(money).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "NES North Elementary"
    assert Decimal(str(rows[1][1])) == Decimal("15.75")
    assert rows[-1][0] == "Total"


@pytest.mark.django_db
def test_csv_neutralizes_formula_cells(world, tmp_path) -> None:
    target = tmp_path / "shelf.csv"
    report("shelf-list", "--site", "nes", "--out", str(target))
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[2] for r in rows if "HYPERLINK" in r[2]] == ["'" + FORMULA]
    assert rows[1][0] == "001.9 FRE"  # shelf order: the new copy comes first


@pytest.mark.django_db
def test_json_goes_to_standard_output_with_its_period(world) -> None:
    document = json.loads(report("top-titles", "--format", "json", "--from", "2026-09-01"))
    assert (document["report"], document["site"]) == ("top-titles", None)
    assert (document["from"], document["to"]) == ("2026-09-01", "2026-10-15")
    assert document["rows"][0] == {
        "rank": 1,
        "title": "Frogs and toads",
        "author": "Lobel, Arnold",
        "check_outs": 2,
    }
    fines = json.loads(report("fines", "--site", "SES", "--format", "json"))
    assert fines["rows"][0]["outstanding"] == "20.00"  # exact, as text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("circulation-by-day", "--from", "2026-09-30", "--to", "2026-09-01"),
            "to: the period runs backwards: 2026-09-01 is before the start date 2026-09-30",
        ),
        (("fines", "--from", "yesterday"), "from: 'yesterday' is not a date (YYYY-MM-DD)"),
        (("shelf-list",), "site: the shelf-list report is one site's: choose a site"),
        (("fines", "--site", "ZZZ"), "site: no site with code 'ZZZ'"),
        (("fines", "--format", "xlsx"), "out: an XLSX file is not text: give --out PATH"),
    ],
)
def test_mistakes_are_one_line_naming_the_field(world, args, message) -> None:
    with pytest.raises(CommandError) as failed:
        report(*args)
    assert str(failed.value) == message
    assert failed.value.returncode == 2


def test_the_contract_as_a_real_process(tmp_path: Path) -> None:
    """The arguments and the refusals, which need no database (the files are read back above)."""
    usage = run(tmp_path, "report", "--help").stdout
    for option in ("--site CODE", "--from DATE", "--to DATE", "--format {csv,xlsx,json}"):
        assert option in usage
    assert "--out PATH" in usage
    assert "collection-summary" in usage
    backwards = run(
        tmp_path, "report", "circulation-by-day", "--from", "2026-09-30", "--to", "2026-09-01",
        check=False,
    )  # fmt: skip
    assert backwards.returncode == 2
    assert "to: the period runs backwards" in backwards.stderr
    assert "Traceback" not in backwards.stderr
    unknown = run(tmp_path, "report", "circulation", check=False)
    assert unknown.returncode == 2
    assert "report: no report 'circulation'; the reports are: circulation-by-day" in unknown.stderr
