"""Reading lists and featured shelves (issue #6): librarians curate them, the OPAC reads the public
ones, and new arrivals come from the dates copies were added."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from tests.conftest import PASSWORD, T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.selectors import availability
from octavo.catalog.services import create_record
from octavo.holdings.selectors import new_arrivals
from octavo.holdings.services import ItemFields, add_items
from octavo.lists.models import ListEntry, ReadingList
from octavo.lists.selectors import featured_lists, public_list, public_lists, staff_list
from octavo.lists.services import (
    add_entry,
    create_list,
    delete_list,
    move_entry,
    remove_entry,
    set_note,
    update_list,
)
from octavo.shared.actor import Role
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(district, cli_actor):
    """Three records: Frog and Toad (two copies at NES, one checked out), Owl Moon (one at SES)
    and Holes (no copies)."""
    frog = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    owl = create_record(actor=cli_actor, fields=RecordFields(title="Owl Moon"), at=T0)
    holes = create_record(actor=cli_actor, fields=RecordFields(title="Holes"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["F1"],
        fields=ItemFields(site_code="NES"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["F2"],
        fields=ItemFields(site_code="NES", status="checked_out"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["O1"],
        fields=ItemFields(site_code="SES"),
        at=T0,
    )
    return {"frog": frog, "owl": owl, "holes": holes}


@pytest.fixture
def technician(district):
    return district.users[Role.TECHNICIAN].actor()  # works at NES


def titles(entries) -> list[str]:
    return [e["title"] for e in entries]


# --- curating ---------------------------------------------------------------------------------


def test_a_technician_creates_a_list_for_their_site_and_it_is_audited(technician) -> None:
    made = create_list(
        actor=technician,
        name="  Summer reading, grades 3-5 ",
        site_code="nes",
        audience="Grades 3-5",
        is_public=True,
        at=T0,
    )
    assert (made.name, made.site.code, made.created_by) == (
        "Summer reading, grades 3-5",
        "NES",
        "technician",
    )
    entry = AuditEntry.objects.get(action="list.create")
    assert (entry.object_id, entry.site_id, entry.actor_username) == (
        str(made.pk),
        made.site_id,
        "technician",
    )
    assert entry.changes["name"] == [None, "Summer reading, grades 3-5"]


def test_records_are_added_in_order_and_positions_have_no_gaps(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    for book in ("frog", "owl", "holes"):
        add_entry(actor=technician, list_id=shelf.pk, record_id=books[book].pk, at=T0)
    got = list(ListEntry.objects.filter(reading_list=shelf).values_list("record_id", "position"))
    assert got == [(books["frog"].pk, 0), (books["owl"].pk, 1), (books["holes"].pk, 2)]
    assert AuditEntry.objects.filter(action="list.entry.add").count() == 3


def test_a_record_already_on_the_list_is_refused_naming_the_record(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    add_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    with pytest.raises(Duplicate) as err:
        add_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    assert err.value.field == "record"
    assert "Frog and Toad" in err.value.message
    assert f"record {books['frog'].pk}" in err.value.message
    assert ListEntry.objects.count() == 1


def test_a_record_not_in_the_catalog_is_not_found(technician) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    with pytest.raises(NotFound) as err:
        add_entry(actor=technician, list_id=shelf.pk, record_id=999_999, at=T0)
    assert err.value.field == "record"


def test_entries_move_up_down_and_to_a_position(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    for book in ("frog", "owl", "holes"):
        add_entry(actor=technician, list_id=shelf.pk, record_id=books[book].pk, at=T0)

    def order() -> list[str]:
        return titles(staff_list(actor=technician, list_id=shelf.pk)[1])

    move_entry(
        actor=technician, list_id=shelf.pk, record_id=books["holes"].pk, direction="up", at=T0
    )
    assert order() == ["Frog and Toad", "Holes", "Owl Moon"]
    move_entry(
        actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, direction="down", at=T0
    )
    assert order() == ["Holes", "Frog and Toad", "Owl Moon"]
    move_entry(actor=technician, list_id=shelf.pk, record_id=books["owl"].pk, position=0, at=T0)
    assert order() == ["Owl Moon", "Holes", "Frog and Toad"]
    assert list(shelf.entries.values_list("position", flat=True)) == [0, 1, 2]
    assert AuditEntry.objects.filter(action="list.entry.move").count() == 3


def test_moving_the_first_entry_up_changes_nothing(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    add_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    move_entry(
        actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, direction="up", at=T0
    )
    assert not AuditEntry.objects.filter(action="list.entry.move").exists()


def test_a_position_past_the_end_is_refused(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    add_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    with pytest.raises(InvalidInput) as err:
        move_entry(
            actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, position=3, at=T0
        )
    assert err.value.field == "position"


def test_removing_an_entry_closes_the_gap(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    for book in ("frog", "owl", "holes"):
        add_entry(actor=technician, list_id=shelf.pk, record_id=books[book].pk, at=T0)
    remove_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    entries = staff_list(actor=technician, list_id=shelf.pk)[1]
    assert [(e["title"], e["position"]) for e in entries] == [("Owl Moon", 0), ("Holes", 1)]
    with pytest.raises(NotFound):
        remove_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)


def test_a_note_is_kept_for_readers(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", is_public=True, at=T0)
    add_entry(actor=technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    set_note(
        actor=technician,
        list_id=shelf.pk,
        record_id=books["frog"].pk,
        note="Two friends, five short stories.",
        at=T0,
    )
    assert public_list(shelf.pk)[1][0]["note"] == "Two friends, five short stories."
    assert AuditEntry.objects.get(action="list.entry.note").changes["note"] == [
        "",
        "Two friends, five short stories.",
    ]


@pytest.fixture
def south_technician(district, cli_actor):
    from octavo.accounts.services import create_user

    user = create_user(
        actor=cli_actor,
        username="south-tech",
        role=Role.TECHNICIAN,
        site_codes=["SES"],
        password=PASSWORD,
        at=T0,
    )
    return user.actor()


def test_a_technician_at_another_site_may_not_change_the_list(
    technician, south_technician, books
) -> None:
    shelf = create_list(actor=technician, name="NES picks", site_code="NES", at=T0)
    with pytest.raises(PermissionDenied):
        add_entry(actor=south_technician, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    with pytest.raises(PermissionDenied):
        update_list(actor=south_technician, list_id=shelf.pk, changes={"name": "Ours"}, at=T0)
    with pytest.raises(PermissionDenied):
        delete_list(actor=south_technician, list_id=shelf.pk, at=T0)
    with pytest.raises(PermissionDenied):
        create_list(actor=south_technician, name="Not ours", site_code="NES", at=T0)
    with pytest.raises(PermissionDenied):
        staff_list(actor=south_technician, list_id=shelf.pk)
    assert ReadingList.objects.get(pk=shelf.pk).name == "NES picks"
    assert not ListEntry.objects.exists()


def test_a_district_wide_list_is_curated_only_by_a_district_admin(district, technician) -> None:
    with pytest.raises(PermissionDenied) as err:
        create_list(actor=technician, name="Battle of the Books", at=T0)
    assert err.value.field == "site"
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    with pytest.raises(PermissionDenied):
        create_list(actor=librarian, name="Battle of the Books", at=T0)
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    shelf = create_list(actor=admin, name="Battle of the Books", at=T0)
    assert shelf.site is None
    # Its own site's curator sees it but does not change it, nor moves a list of theirs there.
    assert staff_list(actor=technician, list_id=shelf.pk)[0].district_wide
    with pytest.raises(PermissionDenied):
        update_list(actor=technician, list_id=shelf.pk, changes={"name": "Ours"}, at=T0)
    own = create_list(actor=technician, name="Ours", site_code="NES", at=T0)
    with pytest.raises(PermissionDenied):
        update_list(actor=technician, list_id=own.pk, changes={"site": ""}, at=T0)


def test_roles_that_do_not_catalog_curate_nothing(district) -> None:
    for role in (Role.STUDENT_HELPER, Role.TEACHER):
        with pytest.raises(PermissionDenied):
            create_list(actor=district.users[role].actor(), name="x", site_code="NES", at=T0)


def test_names_must_not_be_blank_and_only_public_lists_are_featured(technician) -> None:
    with pytest.raises(InvalidInput) as err:
        create_list(actor=technician, name="   ", site_code="NES", at=T0)
    assert err.value.field == "name"
    with pytest.raises(InvalidInput) as err:
        create_list(actor=technician, name="Hidden", site_code="NES", featured=True, at=T0)
    assert err.value.field == "featured"
    shelf = create_list(actor=technician, name="Shown", site_code="NES", is_public=True, at=T0)
    update_list(actor=technician, list_id=shelf.pk, changes={"featured": True}, at=T0)
    with pytest.raises(InvalidInput):
        update_list(actor=technician, list_id=shelf.pk, changes={"is_public": False}, at=T0)
    with pytest.raises(InvalidInput) as err:
        update_list(actor=technician, list_id=shelf.pk, changes={"name": None}, at=T0)
    assert err.value.field == "name"


def test_the_database_refuses_a_blank_name_and_a_negative_position(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingList.objects.filter(pk=shelf.pk).update(name="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ListEntry.objects.create(reading_list=shelf, record=books["frog"], position=-1)


def test_deleting_a_list_keeps_the_records_and_audits_what_was_on_it(technician, books) -> None:
    shelf = create_list(actor=technician, name="Friends", site_code="NES", at=T0)
    add_entry(actor=technician, list_id=shelf.pk, record_id=books["owl"].pk, at=T0)
    delete_list(actor=technician, list_id=shelf.pk, at=T0)
    assert not ReadingList.objects.exists() and not ListEntry.objects.exists()
    assert books["owl"].__class__.objects.filter(pk=books["owl"].pk).exists()
    entry = AuditEntry.objects.get(action="list.delete")
    assert entry.changes["records"] == [[books["owl"].pk], None]


# --- what the OPAC reads ----------------------------------------------------------------------


@pytest.fixture
def shelves(district, technician, books):
    """At NES a public list (Frog, Owl) and a private one; at SES a public one; and a public
    district-wide one, featured."""
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    nes = create_list(actor=technician, name="NES picks", site_code="NES", is_public=True, at=T0)
    for book in ("frog", "owl"):
        add_entry(actor=technician, list_id=nes.pk, record_id=books[book].pk, at=T0)
    hidden = create_list(actor=technician, name="Draft", site_code="NES", at=T0)
    ses = create_list(actor=admin, name="SES picks", site_code="SES", is_public=True, at=T0)
    everyone = create_list(actor=admin, name="All-district", is_public=True, featured=True, at=T0)
    add_entry(actor=admin, list_id=everyone.pk, record_id=books["holes"].pk, at=T0)
    return {"nes": nes, "hidden": hidden, "ses": ses, "everyone": everyone}


def test_public_lists_of_a_site_are_its_own_and_the_district_wide_ones(shelves) -> None:
    assert [s.name for s in public_lists("NES")] == ["All-district", "NES picks"]
    assert [s.name for s in public_lists("ses")] == ["All-district", "SES picks"]
    assert [s.name for s in public_lists()] == ["All-district", "NES picks", "SES picks"]
    nes = next(s for s in public_lists("NES") if s.name == "NES picks")
    assert (nes.site_code, nes.entry_count, nes.featured) == ("NES", 2, False)
    with pytest.raises(NotFound):
        public_lists("NOPE")


def test_featured_lists_come_with_their_first_entries(shelves) -> None:
    featured = featured_lists("NES")
    assert [(s.name, titles(entries)) for s, entries in featured] == [("All-district", ["Holes"])]


def test_a_public_list_shows_each_record_with_its_availability(shelves, books) -> None:
    summary, entries = public_list(shelves["nes"].pk)
    assert summary.name == "NES picks"
    frog, owl = entries
    assert (frog["id"], frog["title"], frog["format"], frog["position"]) == (
        books["frog"].pk,
        "Frog and Toad",
        "book",
        0,
    )
    assert frog["availability"] == [
        {"site": "NES", "site_name": "North Elementary", "items": 2, "available": 1}
    ]
    assert owl["availability"] == [
        {"site": "SES", "site_name": "South Elementary", "items": 1, "available": 1}
    ]


def test_a_private_list_is_not_found_by_the_opac(shelves) -> None:
    with pytest.raises(NotFound) as err:
        public_list(shelves["hidden"].pk)
    assert err.value.field == "list"
    with pytest.raises(NotFound):
        public_list(999_999)


def test_the_catalog_availability_selector_counts_copies_per_site(books) -> None:
    found = availability([books["frog"].pk, books["holes"].pk])
    assert found == {
        books["frog"].pk: [
            {"site": "NES", "site_name": "North Elementary", "items": 2, "available": 1}
        ]
    }


# --- new arrivals -----------------------------------------------------------------------------


def test_new_arrivals_are_the_newest_records_once_each_with_availability(
    district, cli_actor, books
) -> None:
    later = T0 + timedelta(days=10)
    # Owl Moon gets a second copy at NES later; an old collection imported now, bought in 2019,
    # is not new; a withdrawn copy does not count.
    add_items(
        actor=cli_actor,
        record_id=books["owl"].pk,
        barcodes=["O2"],
        fields=ItemFields(site_code="NES"),
        at=later,
    )
    add_items(
        actor=cli_actor,
        record_id=books["holes"].pk,
        barcodes=["H1"],
        fields=ItemFields(site_code="NES", acquired_on=date(2019, 5, 1)),
        at=later,
    )
    gone = create_record(actor=cli_actor, fields=RecordFields(title="Withdrawn one"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=gone.pk,
        barcodes=["W1"],
        fields=ItemFields(site_code="NES", status="withdrawn"),
        at=later,
    )
    at = later + timedelta(hours=1)

    rows = new_arrivals(at=at)
    assert titles(rows) == ["Owl Moon", "Frog and Toad"]
    assert rows[0]["arrived"] == later.date()
    assert rows[0]["availability"] == [
        {"site": "NES", "site_name": "North Elementary", "items": 1, "available": 1},
        {"site": "SES", "site_name": "South Elementary", "items": 1, "available": 1},
    ]
    assert titles(new_arrivals(site_code="SES", at=at)) == ["Owl Moon"]
    assert titles(new_arrivals(days=5, at=at)) == ["Owl Moon"]
    assert titles(new_arrivals(limit=1, at=at)) == ["Owl Moon"]
    assert new_arrivals(at=T0 + timedelta(days=200)) == []


def test_new_arrivals_go_by_the_acquisition_date_when_there_is_one(cli_actor, books) -> None:
    add_items(
        actor=cli_actor,
        record_id=books["holes"].pk,
        barcodes=["H1"],
        fields=ItemFields(site_code="CHS", acquired_on=(T0 + timedelta(days=3)).date()),
        at=T0,
    )
    rows = new_arrivals(at=T0 + timedelta(days=4))
    assert titles(rows)[0] == "Holes"
    with pytest.raises(NotFound):
        new_arrivals(site_code="NOPE", at=T0)
    with pytest.raises(InvalidInput):
        new_arrivals(days=0, at=T0)
