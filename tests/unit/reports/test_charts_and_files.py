"""Charts drawn as SVG (well-formed, titled, described, in the colour-blind-safe palette, labels
escaped, numbers in the reader's language) and the CSV and JSON files (cells a spreadsheet would
run neutralized). No database: the reports' rows are made here."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from octavo.reports import charts
from octavo.reports.export import to_csv, to_json
from octavo.reports.registry import BY_NAME
from octavo.reports.selectors import Result

SVG = "{http://www.w3.org/2000/svg}"
AT = datetime(2026, 10, 15, 19, 0, tzinfo=UTC)


def drawn(name: str, rows, total=None) -> ET.Element:
    text = charts.svg(BY_NAME[name], rows, total)
    assert "<script" not in text
    return ET.fromstring(text)  # noqa: S314 - our own markup


def colours(svg: ET.Element) -> set[str]:
    return {e.get("fill") for e in svg.iter(f"{SVG}rect") if e.get("fill") != "#ffffff"} - {None}


SITES = [
    ("NES North <Elementary> & Co", 5, 2, 1, 8),
    ("SES South Elementary", 2, 2, 0, 4),
]


def test_a_bar_chart_is_well_formed_titled_described_and_escaped() -> None:
    svg = drawn("circulation-by-site", SITES, ("", 7, 4, 1, 12))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Circulation by site"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Check-outs, Check-ins, Renewals" in desc.text
    assert "The table gives every figure" in desc.text
    tips = [t.text for t in svg.iter(f"{SVG}title")]
    assert "NES North <Elementary> & Co: Check-outs 5" in tips
    assert colours(svg) <= set(charts.PALETTE)
    assert len(colours(svg)) == 3  # one colour per series


def test_a_line_chart_fills_the_days_nothing_happened_with_zero() -> None:
    rows = [(date(2026, 9, 1), 3, 1, 0, 4), (date(2026, 9, 4), 1, 2, 1, 4)]
    svg = drawn("circulation-by-day", rows)
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 3
    assert len(lines[0].get("points").split()) == 4  # 1, 2, 3 and 4 September
    assert {line.get("stroke-dasharray") for line in lines} == {None, "6 3", "2 3"}


def test_stacked_age_bands_and_a_count_of_rows() -> None:
    ages = [("500-599 Science", 1, 0, 0, 2, 0, 0, 3)]
    svg = drawn("collection-age", ages, ("", 1, 0, 0, 2, 0, 0, 3))
    assert len(colours(svg)) >= 2
    listing = [("NES", "P7", "Brown, Fay", "Student", "2", "Park")] * 3 + [
        ("NES", "P8", "Green, Gus", "Student", "K", "Park")
    ]
    tips = [t.text for t in drawn("patrons-inactive", listing).iter(f"{SVG}title")]
    assert "K: 1" in tips
    assert "2: 3" in tips


def test_chart_numbers_are_in_the_readers_language() -> None:
    total = ("", *(Decimal(v) for v in ("1234.50", "10.75", "2.00", "0.00", "24.00")))
    with translation.override("es"):
        svg = drawn("fines", [("NES", *total[1:])], total)
    tips = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(tip.endswith(": 1\xa0234,50") for tip in tips if tip)  # RAE: a space groups


def test_nothing_to_draw_draws_nothing() -> None:
    assert charts.svg(BY_NAME["circulation-by-site"], [], None) == ""
    assert charts.svg(BY_NAME["fines"], [], None) == ""


def result(name: str, rows, total=None) -> Result:
    return Result(
        report=BY_NAME[name],
        site=None,
        start=date(2026, 7, 1),
        end=date(2026, 10, 15),
        at=AT,
        zone=ZoneInfo("America/Los_Angeles"),
        rows=rows,
        total=total,
    )


FORMULA = '=HYPERLINK("http://example.org","x")'


def test_csv_neutralizes_text_cells_and_keeps_numbers_as_numbers() -> None:
    rows = [
        ("001.9", FORMULA, "@Smith, -Ann", "+1", 2, date(2019, 1, 1)),
        ("\tTab", "\rReturn", "Frog and Toad", "", -3, None),
    ]
    data = to_csv(result("never-circulated", [(None, *r) for r in rows]))
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[1] == ["", "001.9", "'" + FORMULA, "'@Smith, -Ann", "'+1", "2", "2019-01-01"][:7]
    assert lines[2][1:] == ["'\tTab", "'\rReturn", "Frog and Toad", "", "-3", ""]
    assert re.search(rb"^\xef\xbb\xbfDewey class,", data)


def test_json_keeps_money_exact_and_names_the_period() -> None:
    rows = [
        ("NES North Elementary", *(Decimal(v) for v in ("15.75", "0.75", "2.00", "0.00", "4.00")))
    ]
    document = json.loads(to_json(result("fines", rows)))
    assert document["rows"][0]["charged"] == "15.75"
    assert (document["from"], document["to"]) == ("2026-07-01", "2026-10-15")
    assert [c["type"] for c in document["columns"]] == ["text"] + ["money"] * 5


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_report_has_unique_column_keys_and_a_chart_over_its_columns(name: str) -> None:
    report = BY_NAME[name]
    keys = [c.key for c in report.columns]
    assert len(keys) == len(set(keys))
    if report.chart is not None:
        for key in (*report.chart.series, *filter(None, report.chart.category.split("+"))):
            assert key in keys
