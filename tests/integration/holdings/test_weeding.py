"""Weeding lists on SQLite and PostgreSQL: built with each criterion and with the CREW preset
from the items and their circulation rows, in shelf order; reviewed by entry, by scan and in
bulk; applied in one transaction with a reason, each item audited, an item that went out since
the list was built skipped; withdrawn items still counted in the circulation reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.conftest import T0, student

from octavo.audit.models import AuditEntry
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation import weeding
from octavo.circulation.models import CirculationEvent
from octavo.circulation.services import check_in, check_out
from octavo.holdings import weeding_selectors as selectors
from octavo.holdings.models import Item, WeedingEntry, WeedingList
from octavo.holdings.services import ItemFields, add_items
from octavo.holdings.weeding_rules import Criteria, criteria, preset
from octavo.holds.selectors import Stranded
from octavo.holds.services import place_hold
from octavo.reports.selectors import run_report
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

NOW = T0  # Tuesday 1 September 2026
LONG_AGO = NOW - timedelta(days=365 * 5)  # 2021
LAST_SPRING = NOW - timedelta(days=120)


def _title(actor, title: str, year: int | None):
    return create_record(actor=actor, fields=RecordFields(title=title, year=year), at=LONG_AGO)


def _items(actor, record, barcodes, call_class, cutter, *, site="NES", condition="", at=LONG_AGO):
    return add_items(
        actor=actor,
        record_id=record.pk,
        barcodes=barcodes,
        fields=ItemFields(
            site_code=site, call_class=call_class, call_cutter=cutter, condition=condition
        ),
        at=at,
    )


def _lend(actor, barcode: str, at) -> None:
    check_out(actor=actor, patron_barcode="P100", item_barcode=barcode, at=at)
    check_in(actor=actor, item_barcode=barcode, at=at + timedelta(days=7))


@pytest.fixture
def shelves(district, cli_actor):
    """North Elementary's 500s, and a little around them:
    OLD1  599.75 OLD  2010, last out in 2021        crew: 5/3 -> age and unused
    NEW1  599.8 NEW   2024, out last spring          nothing
    MAT1  510 MAT     2000, out last spring          nothing (read: math is 10/3, but used)
    WRN1  550 EAR     2023, condition "Poor"         condition (MUSTIE: ugly)
    NVR1  560 FOS     2022, added 2021, never out    never used; unused since added
    POP1-4 570 POP    2025: 1 and 2 out last spring, 3 out in 2021, 4 never: extras beyond 2
    COO1  641.5 COO   2001, never out                outside 500-599
    SES1  599.75 OLD  at South                       another site
    """
    old = _title(cli_actor, "Old Science", 2010)
    new = _title(cli_actor, "New Science", 2024)
    math = _title(cli_actor, "Mathematics", 2000)
    earth = _title(cli_actor, "Earth", 2023)
    fossils = _title(cli_actor, "Fossils", 2022)
    popular = _title(cli_actor, "Popular Science", 2025)
    cooking = _title(cli_actor, "Cooking", 2001)
    _items(cli_actor, old, ["OLD1"], "599.75", "OLD")
    _items(cli_actor, new, ["NEW1"], "599.8", "NEW")
    _items(cli_actor, math, ["MAT1"], "510", "MAT")
    _items(cli_actor, earth, ["WRN1"], "550", "EAR", condition="Poor")
    _items(cli_actor, fossils, ["NVR1"], "560", "FOS")
    _items(cli_actor, popular, ["POP1", "POP2", "POP3", "POP4"], "570", "POP")
    _items(cli_actor, cooking, ["COO1"], "641.5", "COO")
    _items(cli_actor, old, ["SES1"], "599.75", "OLD", site="SES")
    student(cli_actor, "P100", "Ana", "Reyes", at=LONG_AGO)
    _lend(cli_actor, "OLD1", LONG_AGO + timedelta(days=30))
    _lend(cli_actor, "POP3", LONG_AGO + timedelta(days=40))
    for barcode in ("NEW1", "MAT1", "POP1", "POP2"):
        _lend(cli_actor, barcode, LAST_SPRING)
    return district.users[Role.TECHNICIAN].actor()


def build(actor, chosen: Criteria, call_range="500-599", **kw) -> WeedingList:
    return weeding.build_list(
        actor=actor, site_code="NES", call_range=call_range, criteria=chosen, at=NOW, **kw
    )


def barcodes(found: WeedingList) -> list[str]:
    return [line.barcode for line in selectors.entry_lines(found)]


def test_the_crew_preset_lists_old_unused_and_worn_items_of_the_range_in_shelf_order(shelves):
    found = build(shelves, preset("crew"), preset="crew")
    lines = selectors.entry_lines(found)
    assert [(line.barcode, line.reasons) for line in lines] == [
        ("WRN1", ("condition",)),
        ("OLD1", ("age", "unused")),
    ]
    assert [line.position for line in lines] == [1, 2]
    old = lines[1]
    assert (old.title, old.call_number, old.year, old.times_used) == (
        "Old Science",
        "599.75 OLD",
        2010,
        1,
    )
    assert old.last_used_at == LONG_AGO + timedelta(days=30)
    assert (found.preset, found.range_first, found.range_last) == ("crew", "500", "599")
    assert found.criteria["by_class"] is True
    assert selectors.decision_counts(found) == {"undecided": 2, "keep": 0, "withdraw": 0}
    built = AuditEntry.objects.get(action="weeding.build")
    assert built.changes["entries"] == [None, 2]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (Criteria(age_years=15), ["MAT1", "OLD1"]),  # 2000 and 2010
        (Criteria(unused_years=3), ["NVR1", "POP3", "POP4", "WRN1", "OLD1"]),
        (Criteria(never_used_years=3), ["NVR1", "POP4", "WRN1"]),
        (criteria(conditions="poor"), ["WRN1"]),
        (Criteria(copies_beyond=2), ["POP3", "POP4"]),
        (Criteria(age_years=10, unused_years=3), ["OLD1"]),
    ],
    ids=["age", "unused", "never-used", "condition", "extra-copies", "age-and-unused"],
)
def test_each_criterion_builds_its_list(shelves, chosen, expected):
    found = build(shelves, chosen)
    assert sorted(barcodes(found)) == sorted(expected)
    # Shelf order: 510 < 550 < 560 < 570 < 599.75.
    keys = [line.call_number for line in selectors.entry_lines(found)]
    order = ["510 MAT", "550 EAR", "560 FOS", "570 POP", "599.75 OLD"]
    assert keys == sorted(keys, key=order.index)


def test_a_location_limits_the_list_and_items_not_on_the_shelf_are_never_proposed(
    shelves, cli_actor
):
    Item.objects.filter(barcode="OLD1").update(status="checked_out")
    Item.objects.filter(barcode="NVR1").update(status="in_repair")  # in repair: may be weeded
    found = build(shelves, Criteria(unused_years=3))
    assert "OLD1" not in barcodes(found) and "NVR1" in barcodes(found)
    with pytest.raises(InvalidInput) as refused:
        build(shelves, Criteria(unused_years=3), location_code="ZZZ")
    assert refused.value.field == "location"


@pytest.mark.parametrize(
    ("call_range", "words"),
    [
        ("", "give the call numbers"),
        ("599", "FROM-TO"),
        ("600-500", "comes after"),
        ("5OO-599", "first end is not a call number, '5OO'"),
        ("500-abc", "last end is not a call number, 'ABC'"),
    ],
)
def test_a_range_that_cannot_be_read_is_named_and_nothing_is_built(shelves, call_range, words):
    with pytest.raises(InvalidInput) as refused:
        build(shelves, preset("crew"), call_range=call_range)
    assert refused.value.field == "range" and words in refused.value.message
    assert not WeedingList.objects.exists()


def test_only_collection_staff_of_the_site_may_weed(shelves, district):
    helper = district.users[Role.STUDENT_HELPER].actor()
    with pytest.raises(PermissionDenied):
        build(helper, preset("crew"))
    with pytest.raises(PermissionDenied):
        weeding.build_list(
            actor=shelves, site_code="SES", call_range="500-599", criteria=preset("crew"), at=NOW
        )
    found = build(shelves, preset("crew"))
    with pytest.raises(PermissionDenied):
        selectors.get_list(actor=helper, list_id=found.pk)
    with pytest.raises(NotFound):
        selectors.get_list(actor=shelves, list_id=found.pk + 99)


def test_a_list_is_reviewed_by_entry_by_scan_and_in_bulk(shelves):
    found = build(shelves, Criteria(unused_years=3))
    lines = {line.barcode: line for line in selectors.entry_lines(found)}
    weeding.decide_entry(
        actor=shelves, list_id=found.pk, entry_id=lines["POP3"].entry_id, decision="keep", at=NOW
    )
    scanned = weeding.decide_by_barcode(
        actor=shelves, list_id=found.pk, barcode=" OLD1 ", decision="withdraw", at=NOW
    )
    assert scanned.entry is not None and not scanned.repeated
    again = weeding.decide_by_barcode(
        actor=shelves, list_id=found.pk, barcode="OLD1", decision="withdraw", at=NOW
    )
    assert again.repeated
    with pytest.raises(InvalidInput, match="not on weeding list"):
        weeding.decide_by_barcode(
            actor=shelves, list_id=found.pk, barcode="NEW1", decision="withdraw", at=NOW
        )
    with pytest.raises(NotFound, match="no item has the barcode 3999"):
        weeding.decide_by_barcode(
            actor=shelves, list_id=found.pk, barcode="3999", decision="withdraw", at=NOW
        )
    with pytest.raises(InvalidInput, match="not a decision"):
        weeding.decide_by_barcode(
            actor=shelves, list_id=found.pk, barcode="OLD1", decision="burn", at=NOW
        )
    assert selectors.decision_counts(found) == {"undecided": 3, "keep": 1, "withdraw": 1}
    assert (
        weeding.decide_undecided(actor=shelves, list_id=found.pk, decision="withdraw", at=NOW) == 3
    )
    assert selectors.decision_counts(found) == {"undecided": 0, "keep": 1, "withdraw": 4}
    entry = WeedingEntry.objects.get(weeding_list=found, item__barcode="NVR1")
    assert (entry.decided_by, entry.decided_at) == (shelves.username, NOW)


def test_applying_withdraws_in_one_go_audits_each_item_and_skips_what_went_out(shelves):
    found = build(shelves, Criteria(unused_years=3))
    for barcode in ("OLD1", "WRN1", "POP4"):
        weeding.decide_by_barcode(
            actor=shelves, list_id=found.pk, barcode=barcode, decision="withdraw", at=NOW
        )
    weeding.decide_by_barcode(
        actor=shelves, list_id=found.pk, barcode="POP3", decision="keep", at=NOW
    )
    # POP4 goes out between the review and the withdrawal.
    check_out(actor=shelves, patron_barcode="P100", item_barcode="POP4", at=NOW)
    with pytest.raises(InvalidInput) as refused:
        weeding.apply_list(actor=shelves, list_id=found.pk, reason="   ", at=NOW)
    assert refused.value.field == "reason"

    applied = weeding.apply_list(
        actor=shelves, list_id=found.pk, reason="Outdated  and unused", at=NOW
    )
    assert sorted(applied.withdrawn) == ["OLD1", "WRN1"]
    assert applied.skipped == (
        ("POP4", "checked out since the list was built: withdraw it once back"),
    )
    assert applied.kept == 2  # POP3 kept, NVR1 left undecided
    statuses = dict(Item.objects.values_list("barcode", "status"))
    assert (statuses["OLD1"], statuses["WRN1"], statuses["POP4"], statuses["NVR1"]) == (
        "withdrawn",
        "withdrawn",
        "checked_out",
        "available",
    )
    assert Item.objects.get(barcode="OLD1").updated_at == NOW
    entries = {
        e.item.barcode: (e.outcome, e.outcome_note)
        for e in WeedingEntry.objects.filter(weeding_list=found).select_related("item")
    }
    assert entries["OLD1"] == ("withdrawn", "") and entries["NVR1"] == ("kept", "")
    assert entries["POP4"][0] == "skipped"
    audited = AuditEntry.objects.filter(action="item.withdraw").order_by("object_id")
    assert [(a.object_type, a.object_id) for a in audited] == [("item", "OLD1"), ("item", "WRN1")]
    assert audited[0].changes == {
        "status": ["available", "withdrawn"],
        "reason": [None, "Outdated and unused"],
        "weeding_list": [None, found.pk],
    }
    found.refresh_from_db()
    assert (found.status, found.reason, found.withdrawn_count, found.applied_by) == (
        "applied",
        "Outdated and unused",
        2,
        shelves.username,
    )
    with pytest.raises(InvalidInput, match="was applied"):
        weeding.apply_list(actor=shelves, list_id=found.pk, reason="again", at=NOW)
    with pytest.raises(InvalidInput, match="was applied"):
        weeding.decide_undecided(actor=shelves, list_id=found.pk, decision="keep", at=NOW)


def test_applying_names_the_titles_whose_waiting_holds_no_copy_can_fill_any_more(shelves):
    """Earth's only copy is withdrawn: the hold waiting for it can never be filled. Old
    Science keeps a copy at South, which can fill a hold on the title, but not a hold on the
    very copy withdrawn. Fossils' hold is untouched (its copy stays)."""
    student(shelves, "P200", "Ben", "Okafor", at=LONG_AGO)
    earth, old, fossils = (Record.objects.get(title=t) for t in ("Earth", "Old Science", "Fossils"))
    for patron, record, copy in (
        ("P100", earth, ""), ("P100", old, ""), ("P200", old, "OLD1"), ("P100", fossils, ""),
    ):  # fmt: skip
        place_hold(
            actor=shelves, patron_barcode=patron, record_id=record.pk, pickup_site_code="NES",
            item_barcode=copy, at=NOW,
        )  # fmt: skip
    found = build(shelves, Criteria(unused_years=3))
    for barcode in ("OLD1", "WRN1"):
        weeding.decide_by_barcode(
            actor=shelves, list_id=found.pk, barcode=barcode, decision="withdraw", at=NOW
        )
    applied = weeding.apply_list(actor=shelves, list_id=found.pk, reason="Outdated", at=NOW)
    assert sorted(applied.withdrawn) == ["OLD1", "WRN1"]
    assert applied.stranded == (
        Stranded(earth.pk, "Earth", 1),
        Stranded(old.pk, "Old Science", 1),  # the copy-level hold only
    )


def test_undecided_entries_are_withdrawn_only_when_asked(shelves):
    found = build(shelves, Criteria(copies_beyond=2))
    applied = weeding.apply_list(
        actor=shelves, list_id=found.pk, reason="Extra copies", at=NOW, include_undecided=True
    )
    assert sorted(applied.withdrawn) == ["POP3", "POP4"]


def test_withdrawn_items_still_count_in_the_circulation_and_collection_reports(shelves):
    def report(name: str):
        return run_report(
            actor=shelves,
            name=name,
            at=NOW,
            site_code="NES",
            start=date(2021, 1, 1),
            end=date(2026, 9, 1),
        )

    before = report("circulation-by-dewey").total
    assert before == ("", 6, 6, 0, 12)  # six loans: out and back
    events = CirculationEvent.objects.filter(item__barcode__in=["OLD1", "POP3"]).count()
    found = build(shelves, Criteria(unused_years=3))
    weeding.decide_undecided(actor=shelves, list_id=found.pk, decision="withdraw", at=NOW)
    weeding.apply_list(actor=shelves, list_id=found.pk, reason="Unused", at=NOW)
    assert Item.objects.get(barcode="OLD1").status == "withdrawn"
    assert CirculationEvent.objects.filter(item__barcode__in=["OLD1", "POP3"]).count() == events
    assert report("circulation-by-dewey").total == before
    summary = report("collection-summary")
    withdrawn_column = summary.report.index("withdrawn")
    assert [row[withdrawn_column] for row in summary.rows] == [5]


def test_lists_are_read_at_the_actors_sites_open_ones_first(shelves, district, cli_actor):
    first = build(shelves, preset("worn"))
    second = build(shelves, preset("crew"))
    weeding.apply_list(actor=shelves, list_id=first.pk, reason="Worn", at=NOW)
    assert [w.pk for w in selectors.weeding_lists(actor=shelves)] == [second.pk, first.pk]
    assert selectors.scope_text(second) == "NES 500-599"
    assert selectors.weeding_lists(actor=district.users[Role.STUDENT_HELPER].actor()) == []
