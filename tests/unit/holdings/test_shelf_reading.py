"""Shelf reading's order check: one book out of place is one book flagged, not everything after
it; where each belongs is named by its neighbours in place."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from octavo.catalog.callnumbers import shelf_key, sort_call_numbers
from octavo.holdings.weeding_rules import Misplaced, read_shelf

SHELF = [
    "500 ABC",
    "510 MAT",
    "520 AST",
    "530.1 PHY",
    "540 CHE",
    "550 EAR",
    "599.75 SMI",
    "599.75 SMI c.2",
    "600 TEC",
]


def test_a_shelf_in_order_has_nothing_out_of_place() -> None:
    assert read_shelf(SHELF) == ()
    assert read_shelf([]) == ()
    assert read_shelf(["599.75 SMI"]) == ()


def test_one_book_put_back_early_is_the_only_one_flagged() -> None:
    scanned = ["500 ABC", "599.75 SMI", "510 MAT", "520 AST", "530.1 PHY", "540 CHE"]
    # 599.75 belongs after 540 CHE (scan 5) and before nothing: the end of what was scanned.
    assert read_shelf(scanned) == (Misplaced(position=1, after=5, before=None),)


def test_one_book_put_back_late_is_flagged_alone_and_belongs_between_its_neighbours() -> None:
    scanned = ["500 ABC", "520 AST", "530.1 PHY", "540 CHE", "510 MAT", "550 EAR"]
    assert read_shelf(scanned) == (Misplaced(position=4, after=0, before=1),)


def test_dewey_numbers_are_compared_as_decimals_not_as_text() -> None:
    # 599.1 before 599.75 before 599.8: text order would call 599.75 misplaced after 599.8.
    assert read_shelf(["599.1 A", "599.75 B", "599.8 C"]) == ()
    assert [m.position for m in read_shelf(["599.8 C", "599.1 A", "599.75 B"])] == [0]


def test_copies_of_one_call_number_stand_together_in_either_order_of_scans() -> None:
    assert read_shelf(["599.75 SMI", "599.75 SMI", "600 TEC"]) == ()
    assert read_shelf(["599.75 SMI c.1", "599.75 SMI c.2"]) == ()


def test_a_whole_shelf_reversed_keeps_one_book_and_flags_the_rest() -> None:
    found = read_shelf(list(reversed(SHELF)))
    assert len(found) == len(SHELF) - 1


def test_two_books_swapped_flags_one_of_them() -> None:
    scanned = ["500 ABC", "520 AST", "510 MAT", "530.1 PHY"]
    assert len(read_shelf(scanned)) == 1


@given(st.lists(st.sampled_from(SHELF), max_size=30), st.randoms(use_true_random=False))
def test_taking_the_flagged_books_out_leaves_a_shelf_in_order_and_as_few_as_possible_are_flagged(
    picked: list[str], rnd: random.Random
) -> None:
    rnd.shuffle(picked)
    found = read_shelf(picked)
    flagged = {m.position for m in found}
    left = [c for i, c in enumerate(picked) if i not in flagged]
    assert [shelf_key(c) for c in left] == sorted(shelf_key(c) for c in left)
    # As few as possible: no longer run in order exists (checked by brute force for short ones).
    if len(picked) <= 10:
        assert len(left) == _longest_brute(picked)
    # Each flagged book's neighbours are books in place, and it sorts between them.
    keys = [shelf_key(c) for c in picked]
    for m in found:
        if m.after is not None:
            assert m.after not in flagged and keys[m.after] <= keys[m.position]
        if m.before is not None:
            assert m.before not in flagged and keys[m.position] <= keys[m.before]


def _longest_brute(calls: list[str]) -> int:
    keys = [shelf_key(c) for c in calls]
    best = [1] * len(keys)
    for i in range(len(keys)):
        for j in range(i):
            if keys[j] <= keys[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def test_sorted_input_is_always_in_order() -> None:
    assert read_shelf(sort_call_numbers(["FIC ROW", "E SEU", "599.75 SMI", "REF 031 WOR"])) == ()
