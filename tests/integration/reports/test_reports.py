"""Each report's figures against the same figures counted here, in Python, from what the small
district in world.py was given (on SQLite and on PostgreSQL); and a period that runs backwards,
refused with a message naming the field."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from tests.integration.reports.world import (
    AT,
    EVENTS,
    HOLDS,
    ITEMS,
    LA,
    LOANS,
    PATRONS,
    RECORDS,
    TODAY,
    YEAR_START,
)
from tests.unit.reports.test_report_rules import DEWEY_EXAMPLES

from octavo.catalog.callnumbers import shelf_key
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.models import CirculationEvent
from octavo.db import rows
from octavo.fines.models import LedgerEntry
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items, update_item
from octavo.reports import sql
from octavo.reports import titles as title_reports
from octavo.reports.definitions import Kind
from octavo.reports.export import render_report
from octavo.reports.labels import DEWEY_CLASSES, NO_DEWEY
from octavo.reports.models import CirculationFact, PendingCirculationFact
from octavo.reports.pending import catch_up_statistics
from octavo.reports.registry import REPORTS
from octavo.reports.rules import dewey_class
from octavo.reports.selectors import run_report
from octavo.shared.actor import Actor, Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

ZONES = {"NES": LA, "SES": __import__("zoneinfo").ZoneInfo("America/Denver")}
ITEM = {i[0]: i for i in ITEMS}
PATRON = {p[0]: p for p in PATRONS}
SITE_NAMES = {"NES": "NES North Elementary", "SES": "SES South Elementary"}
KINDS = ("check_out", "check_in", "renew")


def run(name: str, site: str = "", **kwargs):
    return run_report(actor=Actor.command_line("test"), name=name, at=AT, site_code=site, **kwargs)


def in_year(when) -> bool:
    local = when.astimezone(LA).date()
    return YEAR_START <= local <= TODAY


def counted(key, site: str = "") -> dict:
    """{key(event): (check-outs, check-ins, renewals)} over the school year's events."""
    found: dict = defaultdict(Counter)
    for kind, where, item, card, when in EVENTS:
        if in_year(when) and (not site or where == site):
            found[key(kind, where, item, card, when)][kind] += 1
    return {k: tuple(c[kind] for kind in KINDS) for k, c in found.items()}


def figures(result) -> dict:
    """{first cell: (check-outs, check-ins, renewals)} of a circulation report."""
    return {row[0]: tuple(row[1:4]) for row in result.rows}


# --- circulation ---------------------------------------------------------------------------


def test_circulation_by_day_counts_each_event_on_its_own_schools_day(report_world) -> None:
    expected = counted(lambda k, s, i, c, when: when.astimezone(ZONES[s]).date())
    result = run("circulation-by-day")
    assert figures(result) == expected
    assert date(2026, 10, 14) in figures(result)  # 23:30 in Los Angeles, the 15th in UTC
    assert [r[0] for r in result.rows] == sorted(expected)
    assert result.total[1:] == (
        sum(v[0] for v in expected.values()),
        sum(v[1] for v in expected.values()),
        sum(v[2] for v in expected.values()),
        sum(sum(v) for v in expected.values()),
    )


def test_circulation_by_hour_uses_each_sites_time_zone(report_world) -> None:
    expected = counted(lambda k, s, i, c, when: f"{when.astimezone(ZONES[s]).hour:02d}:00")
    assert figures(run("circulation-by-hour")) == expected
    assert figures(run("circulation-by-hour", "SES")) == counted(
        lambda k, s, i, c, when: f"{when.astimezone(ZONES[s]).hour:02d}:00", "SES"
    )


def test_circulation_by_site_patron_type_and_grade(report_world) -> None:
    assert figures(run("circulation-by-site")) == counted(lambda k, s, i, c, w: SITE_NAMES[s])
    by_type = counted(lambda k, s, i, c, w: PATRON[c][3].title() if c else "Not recorded")
    assert figures(run("circulation-by-patron-type")) == by_type
    by_grade = counted(lambda k, s, i, c, w: (PATRON[c][5] if c else "") or "No grade")
    result = run("circulation-by-grade")
    assert figures(result) == by_grade
    assert [r[0] for r in result.rows] == ["K", "3", "5", "No grade"]


def test_circulation_by_material_type_and_dewey_class(report_world) -> None:
    names = {"book": "Book", "av": "Audio-visual"}
    assert figures(run("circulation-by-material-type")) == counted(
        lambda k, s, i, c, w: names[ITEM[i][7]]
    )

    def dewey(k, s, i, c, w):
        found = dewey_class(ITEM[i][4])
        return str(DEWEY_CLASSES[found]) if found is not None else str(NO_DEWEY)

    assert figures(run("circulation-by-dewey")) == counted(dewey)
    assert figures(run("circulation-by-dewey", "NES")) == counted(dewey, "NES")


def test_a_copy_changed_after_it_circulated_is_counted_as_it_was(report_world, cli_actor) -> None:
    """The statistics keep the copy's Dewey class and material type from when it circulated,
    even when the copy is reclassified before any report is read (on SQLite the rows wait
    beside the events until a report counts them: reports/pending.py)."""
    names = {"book": "Book", "av": "Audio-visual"}
    by_type = counted(lambda k, s, i, c, w: names[ITEM[i][7]])
    after = AT + timedelta(hours=1)
    update_item(actor=cli_actor, barcode="N1", changes={"call_class": "220"}, at=after)
    Item.objects.filter(barcode="N4").update(material_type=None)
    by_dewey = figures(run("circulation-by-dewey", "NES"))
    assert (
        by_dewey[str(DEWEY_CLASSES[5])] == counted(lambda k, s, i, c, w: ITEM[i][4][:1], "NES")["5"]
    )
    assert str(DEWEY_CLASSES[2]) not in by_dewey  # N1 circulated as 597.8
    assert figures(run("circulation-by-material-type")) == by_type


def test_statistics_waiting_are_moved_in_chunks_once(report_world) -> None:
    """On SQLite the desk's transaction appends the event's statistics to a narrow table, and
    they are moved into the counted ones in chunks of their own; on PostgreSQL they are
    counted at once. Either way each event is counted once, however often the move runs."""
    events = set(CirculationEvent.objects.values_list("id", flat=True))
    waiting = PendingCirculationFact.objects.count()
    if connection.vendor == "sqlite":
        assert waiting == len(events) and not CirculationFact.objects.exists()
    else:
        assert waiting == 0
    assert catch_up_statistics(chunk=3) == waiting
    assert set(CirculationFact.objects.values_list("event_id", flat=True)) == events
    assert not PendingCirculationFact.objects.exists()
    assert catch_up_statistics() == 0
    assert CirculationFact.objects.count() == len(events)


def test_a_site_report_counts_that_site_only(report_world) -> None:
    ses = run("circulation-by-day", "ses")
    assert ses.site.code == "SES"
    assert figures(ses) == counted(lambda k, s, i, c, when: when.astimezone(DENVER).date(), "SES")


DENVER = ZONES["SES"]


def test_the_period_can_be_chosen(report_world) -> None:
    result = run("circulation-by-site", start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert figures(result) == {"NES North Elementary": (1, 0, 0)}
    assert (result.start, result.end) == (date(2026, 6, 1), date(2026, 6, 30))


# --- collection ---------------------------------------------------------------------------


def in_collection(site: str = "") -> list[tuple]:
    return [i for i in ITEMS if i[9] not in ("withdrawn", "lost") and (not site or i[2] == site)]


def test_collection_by_dewey_counts_copies_titles_and_years(report_world) -> None:
    classes: dict = defaultdict(list)
    for item in in_collection("NES"):
        classes[dewey_class(item[4])].append(item)
    result = run("collection-by-dewey", "NES")
    shown = {row[0]: row for row in result.rows}
    for found, items in classes.items():
        label = str(DEWEY_CLASSES[found]) if found is not None else str(NO_DEWEY)
        years = sorted(RECORDS[i[1]].year for i in items if RECORDS[i[1]].year)
        row = shown[label]
        assert row[1] == len(items)
        assert row[2] == len({i[1] for i in items})
        if years:
            assert row[4] == round(Decimal(sum(years)) / len(years), 1)
    science = shown[str(DEWEY_CLASSES[5])]  # 2010, 2010, 2021
    assert science[1:] == (3, 2, Decimal("42.9"), Decimal("2013.7"), Decimal("2010.0"))
    assert shown[str(DEWEY_CLASSES[0])][4:] == (None, None)  # Learning Python: no year
    assert result.total[1:3] == (7, 6)


def test_age_profile_puts_each_copy_in_its_band(report_world) -> None:
    result = run("collection-age", "NES")
    science = next(r for r in result.rows if r[0] == str(DEWEY_CLASSES[5]))
    # 2021 is 5 years old (0-5), 2010 is 16 (16-20).
    assert science[1:] == (1, 0, 0, 2, 0, 0, 3)
    computer = next(r for r in result.rows if r[0] == str(DEWEY_CLASSES[0]))
    assert computer[1:] == (0, 0, 0, 0, 0, 1, 1)
    assert result.total[-1] == len(in_collection("NES"))


def test_summary_has_the_evaluations_figures_per_site(report_world) -> None:
    result = run("collection-summary")
    rows = {r[0]: r for r in result.rows}
    nes = rows[SITE_NAMES["NES"]]
    students = [p for p in PATRONS if p[4] == "NES" and p[3] == "student" and p[8] == "active"]
    copies = in_collection("NES")
    years = sorted(RECORDS[i[1]].year for i in copies if RECORDS[i[1]].year)
    assert nes[1] == len(students) == 6
    assert nes[2] == len(copies) == 7
    assert nes[3] == len({i[1] for i in copies})
    assert nes[4] == round(Decimal(len(copies)) / len(students), 1)
    assert nes[5] == round(Decimal(sum(years)) / len(years), 1)
    assert nes[6] == Decimal("2010.0")
    assert nes[7] == 2  # N1 acquired in August, N3 entered in September with no date
    assert nes[8] == 1  # N8
    ses = rows[SITE_NAMES["SES"]]
    assert ses[1:4] == (2, 2, 2)
    assert result.total[1:4] == (8, 9, 6)


# --- overdues, fines, lost ------------------------------------------------------------------


def overdue_loans() -> list[tuple]:
    return [loan for loan in LOANS if loan[4] == "open" and loan[3] < AT]


def test_overdues_by_homeroom_and_grade(report_world) -> None:
    expected: dict = defaultdict(lambda: [0, set()])
    for card, *_rest in overdue_loans():
        p = PATRON[card]
        expected[(p[4], p[6], p[5])][0] += 1
        expected[(p[4], p[6], p[5])][1].add(card)
    result = run("overdues-by-homeroom")
    assert {r[:3]: r[3:] for r in result.rows} == {
        k: (v[0], len(v[1])) for k, v in expected.items()
    }
    assert result.total[-2:] == (4, 4)
    by_grade = run("overdues-by-grade", "NES")
    assert [r[1:] for r in by_grade.rows] == [("K", 1, 1), ("3", 2, 2)]


def test_fines_charged_collected_and_outstanding_by_site(report_world) -> None:
    entries = list(LedgerEntry.objects.select_related("charge", "site"))
    expected: dict = defaultdict(lambda: [Decimal(0)] * 5)
    column = {"charge": 0, "payment": 1, "waiver": 2, "refund": 3}
    for e in entries:
        if in_year(e.at):
            expected[e.site.code][column[e.kind]] += e.amount
        owed_at = (e.charge.site if e.charge else e.site).code
        sign = 1 if e.kind in ("charge", "refund") else -1
        expected[owed_at][4] += sign * e.amount
    result = run("fines")
    got = {r[0][:3]: list(r[1:]) for r in result.rows}
    assert got == {k: v for k, v in expected.items()}
    assert got["NES"] == [Decimal("15.75"), Decimal("0.75"), Decimal("2.00"), 0, Decimal("4.00")]
    assert got["SES"] == [Decimal("20.00"), Decimal("10.00"), 0, 0, Decimal("20.00")]


def test_lost_items_with_what_was_paid_on_each(report_world) -> None:
    result = run("lost-and-paid")
    assert [(r[2], r[4], *r[6:]) for r in result.rows] == [
        ("P2", "N9", Decimal("15.00"), Decimal("10.00"), Decimal("2.00"), 0, Decimal("3.00")),
        ("P9", "S2", Decimal("20.00"), 0, 0, 0, Decimal("20.00")),
    ]
    assert result.total[-1] == Decimal("23.00")
    assert [r[4] for r in run("lost-and-paid", "SES").rows] == ["S2"]


# --- patrons -------------------------------------------------------------------------------


def test_active_patrons_by_type_and_grade(report_world) -> None:
    expected = Counter(
        (p[3].title(), p[5] or "No grade") for p in PATRONS if p[8] == "active" and p[4] == "NES"
    )
    result = run("patrons-active", "NES")
    assert {(r[0], r[1]): r[2] for r in result.rows} == expected
    assert result.total[-1] == sum(expected.values())


def test_patrons_with_no_activity_this_year(report_world) -> None:
    # Fay did nothing; Gus's only fine is from last year; Eve's card has expired. Dee returned
    # a loan this year, Tom placed holds, the others have loans out.
    assert [r[1] for r in run("patrons-inactive").rows] == ["P7", "P8", "P10"]  # by name
    assert [r[1] for r in run("patrons-inactive", "SES").rows] == ["P10"]


def test_cards_expiring_in_the_next_30_days_by_default(report_world) -> None:
    result = run("cards-expiring")
    assert [(r[0], r[2]) for r in result.rows] == [
        (date(2026, 10, 15), "P10"),
        (date(2026, 10, 25), "P4"),
        (date(2026, 11, 1), "P8"),
    ]
    later = run("cards-expiring", start=date(2026, 11, 1), end=date(2026, 12, 31))
    assert [r[2] for r in later.rows] == ["P8", "P5"]


# --- titles, holds, shelves ---------------------------------------------------------------


def test_top_titles_rank_ties_together(report_world) -> None:
    record_of = {i[0]: RECORDS[i[1]].title for i in ITEMS}
    expected = Counter(
        record_of[item]
        for kind, _s, item, _c, when in EVENTS
        if kind == "check_out" and in_year(when)
    )
    result = run("top-titles")
    assert {r[1]: r[3] for r in result.rows} == expected
    assert [r[0] for r in result.rows] == [1, 1, 3, 3, 3]


def test_never_circulated_titles(report_world, monkeypatch) -> None:
    monkeypatch.setattr(title_reports, "_CHUNK", 1)  # titles are read a chunk of ids at a time
    out = {i for kind, _s, i, _c, _w in EVENTS if kind == "check_out"}
    titles: dict = defaultdict(list)
    for item in in_collection("NES"):
        titles[item[1]].append(item[0])
    expected = [RECORDS[k].title for k, codes in titles.items() if not set(codes) & out]
    result = run("never-circulated", "NES")
    assert [r[2] for r in result.rows] == expected == ["The hidden key"]
    assert result.rows[0][:2] == (str(NO_DEWEY), "FIC HID")


def test_hold_fill_time(report_world) -> None:
    waits = [
        (ready - placed).total_seconds() / 86400
        for _c, site, placed, ready in HOLDS
        if site == "NES" and ready and in_year(ready)
    ]
    result = run("hold-fill-time", "NES")
    (row,) = result.rows
    assert row[1] == len(waits) == 2
    assert row[2] == round(Decimal(sum(waits) / len(waits)), 1)
    assert row[3:] == (Decimal("6.5"), Decimal("10.0"), Decimal("10.5"))
    assert run("hold-fill-time").total[1] == 3


def test_shelf_list_is_in_call_number_order(report_world) -> None:
    result = run("shelf-list", "NES")
    copies = [i for i in ITEMS if i[2] == "NES" and i[9] != "withdrawn"]

    def call(i) -> str:
        text = " ".join(p for p in (i[3], i[4], i[5]) if p)
        return f"{text} c.{i[6]}" if i[6] else text

    expected = sorted(copies, key=lambda i: (shelf_key(call(i)), i[0]))
    assert [r[1] for r in result.rows] == [i[0] for i in expected]
    assert [r[0] for r in result.rows][:3] == ["005.133 LEA", "523.1 NIG", "597.8 FRO"]
    assert result.rows[-1][5] == "Lost"


# --- every report, and what is refused -----------------------------------------------------


def test_every_report_runs_for_a_site_with_values_of_its_columns_kinds(report_world) -> None:
    for report in REPORTS:
        result = run(report.name, "NES")
        for row in [*result.rows, *([result.total] if result.total else [])]:
            assert len(row) == len(report.columns), report.name
            for value, column in zip(row, report.columns, strict=True):
                if value in (None, ""):
                    continue
                if column.kind is Kind.COUNT:
                    assert isinstance(value, int), (report.name, column.key)
                elif column.kind in (Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.YEAR):
                    assert isinstance(value, int | Decimal), (report.name, column.key)
                elif column.kind is Kind.DATE:
                    assert isinstance(value, date | str), (report.name, column.key)


def test_a_period_that_runs_backwards_is_refused_naming_the_field(report_world) -> None:
    with pytest.raises(InvalidInput) as refused:
        run("circulation-by-day", start=date(2026, 9, 30), end=date(2026, 9, 1))
    assert refused.value.field == "to"
    assert str(refused.value) == (
        "to: the period runs backwards: 2026-09-01 is before the start date 2026-09-30"
    )


def test_unknown_reports_and_sites_are_named(report_world) -> None:
    with pytest.raises(
        NotFound, match="no report 'circulation'; the reports are: circulation-by-day"
    ):
        run("circulation")
    with pytest.raises(NotFound, match="site: no site with code 'ZZZ'"):
        run("fines", "ZZZ")
    with pytest.raises(InvalidInput, match="site: the shelf-list report is one site's"):
        run("shelf-list")


def test_site_staff_read_their_own_sites_reports_only(report_world, district) -> None:
    nes = district.north.id
    librarian = Actor("lib", Role.SITE_LIBRARIAN, frozenset({nes}))
    technician = Actor("tech", Role.TECHNICIAN, frozenset({nes}))
    for actor in (librarian, technician):
        assert run_report(actor=actor, name="fines", at=AT, site_code="NES").rows
        with pytest.raises(PermissionDenied):
            run_report(actor=actor, name="fines", at=AT, site_code="SES")
        with pytest.raises(PermissionDenied, match="district admin"):
            run_report(actor=actor, name="fines", at=AT)
    for role in (Role.STUDENT_HELPER, Role.TEACHER):
        with pytest.raises(PermissionDenied):
            run_report(
                actor=Actor("x", role, frozenset({nes})), name="fines", at=AT, site_code="NES"
            )


def test_the_databases_dewey_classes_are_the_rules(report_world, cli_actor) -> None:
    """The class the trigger writes for a circulation and the one collection reports group by
    are octavo.reports.rules.dewey_class, example for example."""
    record = create_record(actor=cli_actor, fields=RecordFields(title="Classes"), at=AT)
    items = {}
    for n, (klass, _hundreds) in enumerate(DEWEY_EXAMPLES):
        (items[klass],) = add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[f"D{n}"],
            fields=ItemFields(site_code="NES", call_class=klass),
            at=AT,
        )
        CirculationEvent.objects.create(
            kind="check_out", at=AT, site=items[klass].site, item=items[klass], grade=""
        )
    catch_up_statistics()  # SQLite: the trigger's rows wait until a report counts them
    facts = dict(
        CirculationFact.objects.filter(item_id__in=[i.id for i in items.values()]).values_list(
            "item_id", "dewey_class"
        )
    )
    grouped = dict(
        rows.table(
            f"SELECT i.id, {sql.dewey_class('i.call_class')} FROM holdings_item i "  # noqa: S608
            "WHERE i.record_id = %s",
            [record.pk],
        )
    )
    for klass, hundreds in DEWEY_EXAMPLES:
        assert facts[items[klass].id] == (10 if hundreds is None else hundreds), klass
        assert grouped[items[klass].id] == hundreds, klass


def test_collection_figures_follow_changes_to_items_and_records(report_world, cli_actor) -> None:
    """The reports' copy of the items follows the catalog: a copy withdrawn, moved to another
    school or reclassified, a record's year corrected, a copy deleted."""
    after = AT + timedelta(hours=1)
    update_item(actor=cli_actor, barcode="N2", changes={"status": "withdrawn"}, at=after)
    update_item(actor=cli_actor, barcode="S3", changes={"site_code": "NES"}, at=after)
    update_item(actor=cli_actor, barcode="N7", changes={"call_class": "510.1"}, at=after)
    frogs = report_world.record_ids["frogs"]
    Record.objects.filter(pk=frogs).update(year=2020)  # as a MARC edit rewrites it
    rows_now = {r[0]: r for r in run("collection-by-dewey", "NES").rows}
    science = rows_now[str(DEWEY_CLASSES[5])]
    # N1 (frogs, now 2020), N3 and S3 (sky, 2021), N7 (no year); N2 withdrawn.
    assert science[1:3] == (4, 3)
    assert science[4:] == (Decimal("2020.7"), Decimal("2021.0"))
    assert str(DEWEY_CLASSES[0]) not in rows_now
    summary = {r[0]: r for r in run("collection-summary", end=date(2026, 10, 16)).rows}
    assert summary[SITE_NAMES["NES"]][8] == 2  # N8, then N2 the day after the report's day
    Item.objects.filter(barcode="N5").delete()  # never lent: it may go
    assert run("collection-by-dewey", "NES").total[1] == 6


def test_a_job_renders_a_report_as_an_attachment(report_world) -> None:
    """What a nightly job calls to mail a report (the schedule itself is the jobs')."""
    made = render_report(
        actor=Actor.command_line("jobs"), name="fines", fmt="xlsx", at=AT, site_code="NES"
    )
    assert made.filename == "fines-NES-2026-07-01-2026-10-15.xlsx"
    assert made.content_type.endswith("spreadsheetml.sheet")
    assert made.content.startswith(b"PK")  # a zip, as XLSX files are
    with pytest.raises(InvalidInput, match="format: 'pdf' is not a format"):
        render_report(actor=Actor.command_line("jobs"), name="fines", fmt="pdf", at=AT)
