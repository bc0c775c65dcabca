"""The report screens as librarians use them (issue #7): the list of reports, a report for a
site and a period with its chart and table (numbers right-aligned and in the reader's language),
its downloads, a period that runs backwards, and who may read what."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from tests.integration.reports.world import AT, report_world  # noqa: F401 - the fixture

from octavo.interfaces.staff import report_views
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(report_world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(report_views, "now", lambda: AT)
    return report_world


def text_of(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.split())


def chart_of(response) -> ET.Element:
    found = re.search(r"<svg.*?</svg>", response.content.decode(), re.S)
    assert found, "no chart on the page"
    return ET.fromstring(found.group(0))  # noqa: S314 - our own markup


def test_the_list_of_reports_is_in_the_navigation(world, client_as) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    home = client.get("/staff/")
    assert 'href="/staff/reports/"' in home.content.decode()
    page = client.get("/staff/reports/")
    assert page.status_code == 200
    for title in ("Circulation by day", "Library evaluation figures", "Overdues by homeroom"):
        assert title in text_of(page)


def test_a_report_shows_its_chart_and_its_table(world, client_as) -> None:
    page = client_as(Role.DISTRICT_ADMIN).get("/staff/reports/circulation-by-site/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Whole district" in text
    assert "NES North Elementary 5 2 1 8" in text  # check-outs, check-ins, renewals, total
    assert "Total 7 4 1 12" in text
    html = page.content.decode()
    assert '<td class="num">5</td>' in html
    chart = chart_of(page)
    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}title").text == "Circulation by site"
    assert "The table gives every figure" in chart.find(f"{SVG}desc").text
    bars = chart.findall(f"{SVG}rect/{SVG}title")
    assert "NES North Elementary: Check-outs 5" in [b.text for b in bars]


def test_numbers_are_in_the_readers_language(world, client_as) -> None:
    client = client_as(Role.DISTRICT_ADMIN)
    client.cookies["octavo_language"] = "es"
    page = client.get("/staff/reports/fines/?site=&from=2026-07-01&to=2026-10-15")
    text = text_of(page)
    assert "Multas y cargos" in text
    assert "NES North Elementary 15,75 0,75 2,00 0,00 4,00" in text
    assert "Cobrado: 35,75" in [t.text for t in chart_of(page).iter(f"{SVG}title")]


def test_a_period_that_runs_backwards_is_refused_on_the_to_field(world, client_as) -> None:
    page = client_as(Role.DISTRICT_ADMIN).get(
        "/staff/reports/circulation-by-day/?site=NES&from=2026-09-30&to=2026-09-01"
    )
    assert page.status_code == 200
    assert page.context["form"].errors["to"] == [
        "This date is before the “From” date: the period runs backwards."
    ]
    assert page.context["result"] is None
    download = client_as(Role.DISTRICT_ADMIN).get(
        "/staff/reports/circulation-by-day/download/csv/?site=NES&from=2026-09-30&to=2026-09-01"
    )
    assert download.status_code == 302


def test_downloads_carry_the_same_site_and_period(world, client_as) -> None:
    client = client_as(Role.DISTRICT_ADMIN)
    page = client.get("/staff/reports/overdues-by-grade/?site=NES")
    link = re.search(
        r'href="(/staff/reports/overdues-by-grade/download/csv/\?[^"]+)"', page.content.decode()
    )
    assert link
    csv_file = client.get(link.group(1).replace("&amp;", "&"))
    assert csv_file["Content-Disposition"] == (
        'attachment; filename="overdues-by-grade-NES-2026-10-15.csv"'
    )
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows == [
        ["Site", "Grade", "Overdue items", "Patrons with overdue items"],
        ["NES", "K", "1", "1"],
        ["NES", "3", "2", "2"],
        ["Total", "", "3", "3"],
    ]
    xlsx = client.get("/staff/reports/fines/download/xlsx/?site=SES&from=2026-07-01&to=2026-10-15")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet["F2"].value == 20
    assert client.get("/staff/reports/fines/download/pdf/").status_code == 404


def test_a_long_list_is_cut_on_the_screen_and_whole_in_the_file(
    world, client_as, monkeypatch
) -> None:
    monkeypatch.setattr(report_views, "SCREEN_ROWS", 3)
    client = client_as(Role.TECHNICIAN)
    page = client.get("/staff/reports/shelf-list/")
    assert "the first 3 rows; the downloads have them all" in text_of(page)
    assert len(page.context["rows"]) == 3
    whole = client.get("/staff/reports/shelf-list/download/json/?site=NES")
    assert len(whole.json()["rows"]) == 8


def test_site_staff_see_their_sites_only(world, client_as) -> None:
    client = client_as(Role.TECHNICIAN)  # works at NES
    page = client.get("/staff/reports/circulation-by-site/")
    assert [c[0] for c in page.context["form"].fields["site"].choices] == ["NES"]
    assert "NES North Elementary" in text_of(page)
    other = client.get("/staff/reports/circulation-by-site/?site=SES")
    assert "Select a valid choice" in text_of(other)
    assert other.context["result"] is None
    assert client.get("/staff/reports/fines/download/csv/?site=SES").status_code == 302


@pytest.mark.parametrize("role", [Role.STUDENT_HELPER, Role.TEACHER])
def test_helpers_and_teachers_are_refused(world, client_as, role) -> None:
    client = client_as(role)
    assert 'href="/staff/reports/"' not in client.get("/staff/").content.decode()
    assert client.get("/staff/reports/").status_code == 403
    assert client.get("/staff/reports/fines/").status_code == 403
    assert client.get("/staff/reports/fines/download/csv/?site=NES").status_code == 403


def test_an_unknown_report_is_not_found(world, client_as) -> None:
    assert client_as(Role.DISTRICT_ADMIN).get("/staff/reports/nothing/").status_code == 404
