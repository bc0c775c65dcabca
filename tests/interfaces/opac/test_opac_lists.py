"""Reading lists, featured shelves and new arrivals as readers see them in the OPAC."""

from __future__ import annotations

import pytest
from tests.interfaces.opac.test_opac_pages import text_of

from octavo.lists.services import add_entry, create_list
from octavo.shared.clock import now

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(opac_world, cli_actor):
    records = opac_world.records
    summer = create_list(
        actor=cli_actor,
        name="Summer reading, grade 2",
        site_code="NES",
        description="Short books for long days.",
        is_public=True,
        featured=True,
        audience="Grade 2",
        at=now(),
    )
    add_entry(
        actor=cli_actor,
        list_id=summer.pk,
        record_id=records["owl"].pk,
        note="Read it aloud!",
        at=now(),
    )
    add_entry(actor=cli_actor, list_id=summer.pk, record_id=records["frog"].pk, at=now())
    draft = create_list(actor=cli_actor, name="Unfinished draft", site_code="NES", at=now())
    add_entry(actor=cli_actor, list_id=draft.pk, record_id=records["gatos"].pk, at=now())
    return {"summer": summer, "draft": draft}


def test_the_lists_page_shows_public_lists_only(client, lists):
    words = text_of(client.get("/lists"))
    assert "Summer reading, grade 2" in words and "2 titles" in words
    assert "Unfinished draft" not in words


def test_a_list_shows_its_titles_in_order_with_notes_and_availability(client, lists):
    response = client.get(f"/lists/{lists['summer'].pk}")
    words = text_of(response)
    assert words.index("Owl at Home") < words.index("Frog and Toad Are Friends")
    assert "Read it aloud!" in words
    assert "0 of 1 available at North Elementary" in words  # Lee has the owl book


def test_a_private_or_unknown_list_is_a_friendly_not_found(client, lists):
    for url in (f"/lists/{lists['draft'].pk}", "/lists/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Los gatos" not in text_of(response)


def test_the_home_page_shows_featured_shelves_and_new_arrivals(client, lists):
    words = text_of(client.get("/"))
    assert "Summer reading, grade 2" in words
    assert "New arrivals" in words
    assert "Los gatos del barrio" in words  # added today: a new arrival


def test_new_arrivals_can_be_narrowed_to_one_school(client, opac_world):
    everywhere = text_of(client.get("/lists/new"))
    assert "Frog and Toad Are Friends" in everywhere
    south = text_of(client.get("/lists/new", {"site": "SES"}))
    assert "Frog and Toad Are Friends" in south  # F3 is at South
    assert "Owl at Home" not in south
    odd = client.get("/lists/new", {"site": "<script>"})
    assert odd.status_code == 200
