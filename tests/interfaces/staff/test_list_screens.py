"""The reading list screens as a library technician uses them (issue #6): a new list, titles added
from a catalog search or by record number, moved and noted; and refused at another site."""

from __future__ import annotations

import re

import pytest
from tests.conftest import PASSWORD, T0

from octavo.accounts.services import create_user
from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.services import ItemFields, add_items
from octavo.lists.models import ListEntry, ReadingList
from octavo.lists.services import add_entry, create_list
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's text without tags and with runs of white space made one space."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.split())


@pytest.fixture
def books(district, cli_actor):
    frog = create_record(
        actor=cli_actor,
        fields=RecordFields(title="Frog and Toad are friends", authors=("Lobel, Arnold",)),
        at=T0,
    )
    owl = create_record(
        actor=cli_actor, fields=RecordFields(title="Owl moon", authors=("Yolen, Jane",)), at=T0
    )
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["F1"],
        fields=ItemFields(site_code="NES"),
        at=T0,
    )
    return {"frog": frog, "owl": owl}


@pytest.fixture
def south_client(district, cli_actor, client):
    """The test client logged in as a technician who works at South Elementary only."""
    user = create_user(
        actor=cli_actor,
        username="south-tech",
        role=Role.TECHNICIAN,
        site_codes=["SES"],
        password=PASSWORD,
        at=T0,
    )
    client.force_login(user)
    return client


def test_a_technician_creates_a_list_adds_two_titles_and_moves_one_up(client_as, books):
    client = client_as(Role.TECHNICIAN)
    made = client.post(
        "/staff/lists/new/",
        {"name": "Read-alouds", "site": "NES", "audience": "Grades K-2", "is_public": "on"},
    )
    shelf = ReadingList.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/staff/lists/{shelf.pk}/"
    assert (shelf.site.code, shelf.is_public, shelf.created_by) == ("NES", True, "technician")

    # The first from the catalog search on the list's page, the second by its record number.
    found = client.get(f"/staff/lists/{shelf.pk}/", {"q": "frog"})
    assert [row["title"] for row in found.context["found"]] == ["Frog and Toad are friends"]
    client.post(f"/staff/lists/{shelf.pk}/entries/", {"record": books["frog"].pk, "q": "frog"})
    added = client.post(
        f"/staff/lists/{shelf.pk}/entries/",
        {"record": str(books["owl"].pk), "note": "Hush, and listen for the owl."},
    )
    assert added.status_code == 302
    moved = client.post(
        f"/staff/lists/{shelf.pk}/entries/{books['owl'].pk}/move/", {"direction": "up"}
    )
    assert moved.status_code == 302

    page = client.get(f"/staff/lists/{shelf.pk}/")
    assert page.status_code == 200
    assert [e["title"] for e in page.context["entries"]] == [
        "Owl moon",
        "Frog and Toad are friends",
    ]
    text = text_of(page)
    assert "“Owl moon” moved." in text  # the messages of the posts above
    shown = text[text.index("2 titles") :]
    assert shown.index("Owl moon") < shown.index("Frog and Toad are friends")
    assert "NES : 1 of 1 on the shelf" in shown
    assert "Hush, and listen for the owl." in page.content.decode()
    assert AuditEntry.objects.filter(object_type="reading_list").count() == 4


def test_the_list_of_lists_shows_the_sites_lists_with_their_counts(client_as, books, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    add_entry(actor=cli_actor, list_id=shelf.pk, record_id=books["owl"].pk, at=T0)
    create_list(actor=cli_actor, name="Battle of the Books", is_public=True, at=T0)
    create_list(actor=cli_actor, name="South shelf", site_code="SES", at=T0)
    response = client_as(Role.TECHNICIAN).get("/staff/lists/")
    assert [row.name for row in response.context["lists"]] == ["Battle of the Books", "Read-alouds"]
    text = text_of(response)
    assert "Whole district" in text and "South shelf" not in text
    assert 'href="/staff/lists/"' in response.content.decode()  # the navigation's Lists link


def test_a_title_already_on_the_list_is_refused_on_the_form_naming_it(client_as, books, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    add_entry(actor=cli_actor, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/lists/{shelf.pk}/entries/", {"record": books["frog"].pk}
    )
    assert response.status_code == 200
    assert "Frog and Toad are friends" in str(response.context["add_form"].errors["record"])
    assert ListEntry.objects.count() == 1


def test_moving_with_htmx_answers_with_the_entries_alone(client_as, books, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    for book in ("frog", "owl"):
        add_entry(actor=cli_actor, list_id=shelf.pk, record_id=books[book].pk, at=T0)
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/lists/{shelf.pk}/entries/{books['frog'].pk}/move/",
        {"place": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="entries-panel"' in body and "<html" not in body
    assert "“Frog and Toad are friends” moved." in text_of(response)
    assert [e["title"] for e in response.context["entries"]] == [
        "Owl moon",
        "Frog and Toad are friends",
    ]


def test_a_note_is_saved_and_a_title_taken_off(client_as, books, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    for book in ("frog", "owl"):
        add_entry(actor=cli_actor, list_id=shelf.pk, record_id=books[book].pk, at=T0)
    client = client_as(Role.TECHNICIAN)
    client.post(
        f"/staff/lists/{shelf.pk}/entries/{books['owl'].pk}/note/", {"note": "A winter night."}
    )
    client.post(f"/staff/lists/{shelf.pk}/entries/{books['frog'].pk}/remove/")
    assert list(ListEntry.objects.values_list("record_id", "position", "note")) == [
        (books["owl"].pk, 0, "A winter night.")
    ]


def test_a_technician_edits_a_list_and_makes_it_featured(client_as, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    client = client_as(Role.TECHNICIAN)
    refused = client.post(
        f"/staff/lists/{shelf.pk}/edit/", {"name": "Read-alouds", "site": "NES", "featured": "on"}
    )
    assert "Only a public list can be featured" in str(refused.context["form"].errors["featured"])
    client.post(
        f"/staff/lists/{shelf.pk}/edit/",
        {"name": "Read-alouds", "site": "NES", "featured": "on", "is_public": "on"},
    )
    shelf.refresh_from_db()
    assert (shelf.is_public, shelf.featured) == (True, True)


def test_a_technician_is_not_offered_a_district_wide_list(client_as):
    client = client_as(Role.TECHNICIAN)
    choices = [
        value
        for value, _label in client.get("/staff/lists/new/").context["form"].fields["site"].choices
    ]
    assert choices == ["NES"]
    response = client.post("/staff/lists/new/", {"name": "Everyone's", "site": ""})
    assert response.status_code == 200 and response.context["form"].errors["site"]
    assert not ReadingList.objects.exists()


def test_another_sites_technician_gets_the_refusal_page(south_client, books, cli_actor):
    shelf = create_list(actor=cli_actor, name="Read-alouds", site_code="NES", at=T0)
    add_entry(actor=cli_actor, list_id=shelf.pk, record_id=books["frog"].pk, at=T0)
    assert south_client.get(f"/staff/lists/{shelf.pk}/").status_code == 403
    assert south_client.get(f"/staff/lists/{shelf.pk}/edit/").status_code == 403
    added = south_client.post(f"/staff/lists/{shelf.pk}/entries/", {"record": books["owl"].pk})
    assert added.status_code == 403
    moved = south_client.post(f"/staff/lists/{shelf.pk}/entries/{books['frog'].pk}/remove/")
    assert moved.status_code == 403
    assert south_client.post(f"/staff/lists/{shelf.pk}/delete/").status_code == 403
    assert south_client.get("/staff/lists/999999/").status_code == 404
    assert list(ListEntry.objects.values_list("record_id", flat=True)) == [books["frog"].pk]
    assert "Read-alouds" not in text_of(south_client.get("/staff/lists/"))


@pytest.mark.parametrize("role", [Role.STUDENT_HELPER, Role.TEACHER])
def test_roles_that_do_not_catalog_have_no_lists_pages(client_as, role):
    client = client_as(role)
    assert client.get("/staff/lists/").status_code == 403
    assert 'href="/staff/lists/"' not in client.get("/staff/").content.decode()


def test_the_lists_pages_speak_spanish(client_as, cli_actor, settings):
    create_list(actor=cli_actor, name="Cuentos", site_code="NES", at=T0)
    client = client_as(Role.TECHNICIAN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    text = text_of(client.get("/staff/lists/"))
    assert "Listas de lectura" in text and "Nueva lista" in text
