"""Who keeps a saved label batch and which items may go in: the rules alone, for every role."""

from __future__ import annotations

import pytest

from octavo.holdings.labels.batch_rules import NotAdded, Refusal, decide_keep, refuse_item
from octavo.shared.actor import Actor, Role

NORTH, SOUTH = 1, 2


def _at_north(role: Role) -> Actor:
    return Actor(username=role.value, role=role, site_ids=frozenset({NORTH}))


ADMIN = Actor(username="admin", role=Role.DISTRICT_ADMIN)
TECH = _at_north(Role.TECHNICIAN)


@pytest.mark.parametrize(
    ("role", "north", "south", "district"),
    [
        (Role.DISTRICT_ADMIN, True, True, True),
        (Role.SITE_LIBRARIAN, True, False, False),
        (Role.TECHNICIAN, True, False, False),
        (Role.STUDENT_HELPER, False, False, False),
        (Role.TEACHER, False, False, False),
        (Role.STUDENT, False, False, False),
        (Role.PARENT, False, False, False),
    ],
)
def test_a_batch_is_kept_by_who_edits_items_at_its_site(role, north, south, district) -> None:
    actor = ADMIN if role is Role.DISTRICT_ADMIN else _at_north(role)
    assert bool(decide_keep(actor, site_id=NORTH)) is north
    assert bool(decide_keep(actor, site_id=SOUTH)) is south
    assert bool(decide_keep(actor, site_id=None)) is district


def test_a_district_batch_refused_to_site_staff_says_whose_it_is() -> None:
    assert decide_keep(TECH, site_id=None).reason == (
        "district-wide label batches are kept by a district admin"
    )


def test_a_sites_batch_takes_that_sites_items_that_still_get_labels() -> None:
    assert refuse_item(TECH, batch_site_id=NORTH, item_site_id=NORTH, withdrawn=False) is None
    assert (
        refuse_item(TECH, batch_site_id=NORTH, item_site_id=SOUTH, withdrawn=False)
        is Refusal.OTHER_SITE
    )
    assert (
        refuse_item(TECH, batch_site_id=NORTH, item_site_id=NORTH, withdrawn=True)
        is Refusal.WITHDRAWN
    )


def test_a_district_batch_takes_items_where_the_person_may_label_them() -> None:
    assert refuse_item(ADMIN, batch_site_id=None, item_site_id=SOUTH, withdrawn=False) is None
    assert (
        refuse_item(TECH, batch_site_id=None, item_site_id=SOUTH, withdrawn=False)
        is Refusal.NOT_ALLOWED
    )


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (NotAdded(2, "", Refusal.BLANK), "line 2: blank line"),
        (NotAdded(5, "B1", Refusal.REPEATED, first_line=1), "line 5: B1: already listed on line 1"),
        (
            NotAdded(3, "S1", Refusal.NOT_ALLOWED, site="SES"),
            "line 3: S1: at SES, a site you do not label items for",
        ),
        (
            NotAdded(4, "a b", Refusal.NOT_A_BARCODE, detail="'a b' is not a barcode"),
            "line 4: a b: 'a b' is not a barcode",
        ),
        (NotAdded(6, "B2", Refusal.ALREADY_IN), "line 6: B2: already in the batch"),
    ],
)
def test_a_line_not_added_reads_as_the_labels_pages_skipped_lines(line, text) -> None:
    assert str(line) == text
