"""Weeding's pure rules: the criteria one by one and together, CREW's formulas by Dewey class,
the presets, and criteria typed wrongly named by field."""

from __future__ import annotations

from datetime import date

import pytest

from octavo.holdings.weeding_rules import (
    CREW_CLASSES,
    PRESETS,
    Criteria,
    Criterion,
    Formula,
    ItemFacts,
    candidate_reasons,
    check_range_end,
    crew_formula,
    criteria,
    preset,
    years_before,
)
from octavo.shared.errors import InvalidInput

TODAY = date(2026, 9, 1)


def facts(**kw) -> ItemFacts:
    base = {
        "call_number": "599.75 SMI",
        "year": 2020,
        "added_on": date(2020, 1, 10),
        "last_used_on": date(2026, 5, 1),
        "condition": "good",
        "copy_rank": 1,
    }
    return ItemFacts(**{**base, **kw})


def reasons(item: ItemFacts, chosen: Criteria) -> tuple[Criterion, ...]:
    return candidate_reasons(item, chosen, today=TODAY)


# --- each criterion -------------------------------------------------------------------------


def test_age_counts_whole_years_since_publication_more_than_the_figure() -> None:
    ten = Criteria(age_years=10)
    assert reasons(facts(year=2015), ten) == (Criterion.AGE,)  # 11 years
    assert reasons(facts(year=2016), ten) == ()  # 10 years: not more than 10
    assert reasons(facts(year=None), ten) == ()  # an unknown year never meets an age


def test_unused_counts_from_the_last_check_out_or_from_when_it_was_added() -> None:
    three = Criteria(unused_years=3)
    assert reasons(facts(last_used_on=date(2023, 9, 1)), three) == (Criterion.UNUSED,)
    assert reasons(facts(last_used_on=date(2023, 9, 2)), three) == ()
    # Never checked out: unused since the day Octavo had it.
    assert reasons(facts(last_used_on=None, added_on=date(2022, 1, 1)), three) == (
        Criterion.UNUSED,
    )
    assert reasons(facts(last_used_on=None, added_on=date(2025, 1, 1)), three) == ()


def test_never_used_needs_no_check_out_ever_and_time_in_the_collection() -> None:
    two = Criteria(never_used_years=2)
    assert reasons(facts(last_used_on=None, added_on=date(2024, 8, 1)), two) == (
        Criterion.NEVER_USED,
    )
    assert reasons(facts(last_used_on=None, added_on=date(2025, 8, 1)), two) == ()
    assert reasons(facts(last_used_on=date(2019, 1, 1), added_on=date(2010, 1, 1)), two) == ()


def test_condition_matches_whole_words_whatever_their_case_and_spacing() -> None:
    worn = Criteria(conditions=frozenset({"poor", "damaged"}))
    assert reasons(facts(condition=" Poor "), worn) == (Criterion.CONDITION,)
    assert reasons(facts(condition="DAMAGED"), worn) == (Criterion.CONDITION,)
    assert reasons(facts(condition="fair"), worn) == ()
    assert reasons(facts(condition=""), worn) == ()


def test_copies_beyond_n_lists_the_less_used_copies_only() -> None:
    two = Criteria(copies_beyond=2)
    assert [reasons(facts(copy_rank=rank), two) for rank in (1, 2, 3, 4)] == [
        (),
        (),
        (Criterion.EXTRA_COPY,),
        (Criterion.EXTRA_COPY,),
    ]


# --- together ---------------------------------------------------------------------------------


def test_age_and_use_hold_together_as_in_crews_formula() -> None:
    formula = Criteria(age_years=10, unused_years=3)
    old_and_idle = facts(year=2010, last_used_on=date(2022, 1, 1))
    old_but_read = facts(year=2010, last_used_on=date(2026, 8, 1))
    new_and_idle = facts(year=2024, last_used_on=None, added_on=date(2020, 1, 1))
    assert reasons(old_and_idle, formula) == (Criterion.AGE, Criterion.UNUSED)
    assert reasons(old_but_read, formula) == ()
    assert reasons(new_and_idle, formula) == ()


def test_each_other_criterion_is_enough_on_its_own_and_all_met_are_named() -> None:
    chosen = Criteria(age_years=10, unused_years=3, conditions=frozenset({"poor"}), copies_beyond=1)
    worn_popular_copy = facts(year=2025, condition="poor", copy_rank=2)
    assert reasons(worn_popular_copy, chosen) == (Criterion.CONDITION, Criterion.EXTRA_COPY)
    everything = facts(year=2000, last_used_on=date(2020, 1, 1), condition="poor", copy_rank=3)
    assert reasons(everything, chosen) == (
        Criterion.AGE,
        Criterion.UNUSED,
        Criterion.CONDITION,
        Criterion.EXTRA_COPY,
    )


# --- CREW ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call_number", "formula"),
    [
        ("005.133 PYT", Formula(3, None)),  # computers: 3/X
        ("REF 031 WOR", Formula(5, None)),  # encyclopedias, with a prefix
        ("158.1 COV", Formula(10, 3)),
        ("317.3 WOR", Formula(2, None)),  # almanacs
        ("372.4 SMI", Formula(10, 3)),
        ("513 ADD", Formula(10, 3)),  # mathematics ages slowly
        ("599.75 SMI", Formula(5, 3)),
        ("616.2 FLU", Formula(5, 3)),
        ("641.5 COO", Formula(5, 3)),
        ("811 SIL", Formula(None, None)),  # literature: judged by MUSTIE alone
        ("917.3 TRA", Formula(5, 2)),  # travel
        ("921 WAS", Formula(None, 3)),
        ("92 WAS", Formula(None, 3)),  # the abridged notation for a biography
        ("973.7 LIN", Formula(15, 3)),
        ("FIC ROW", Formula(None, 2)),  # fiction: X/2
        ("J FIC DIC", Formula(None, 2)),
        ("E SEU", Formula(None, 2)),
        ("B LIN", Formula(None, 3)),
    ],
)
def test_crew_gives_each_class_its_formula(call_number: str, formula: Formula) -> None:
    found = crew_formula(call_number)
    assert found is not None and found[1] == formula


@pytest.mark.parametrize("call_number", ["QA76.73 .P98", "", "???", "REF SMI"])
def test_crew_has_no_formula_for_lc_unreadable_or_unclassed_call_numbers(
    call_number: str,
) -> None:
    assert crew_formula(call_number) is None


def test_every_dewey_hundreds_has_a_crew_row() -> None:
    for hundreds in range(0, 1000, 100):
        assert crew_formula(f"{hundreds:03d}.1 ABC") is not None
    assert str(Formula(5, None)) == "5/X/MUSTIE"
    assert len(CREW_CLASSES) >= 10


def test_the_crew_preset_reads_each_items_class_and_lists_worn_ones_whatever_their_class() -> None:
    crew = preset("crew")
    old_science = facts(call_number="599.75 SMI", year=2015, last_used_on=date(2022, 1, 1))
    old_history = facts(call_number="973.7 LIN", year=2015, last_used_on=date(2022, 1, 1))
    idle_fiction = facts(call_number="FIC ROW", year=1990, last_used_on=date(2024, 6, 1))
    worn_lc = facts(call_number="QA76.73 .P98", condition="worn")
    assert reasons(old_science, crew) == (Criterion.AGE, Criterion.UNUSED)
    assert reasons(old_history, crew) == ()  # history: 15 years
    assert reasons(idle_fiction, crew) == (Criterion.UNUSED,)  # X/2: age does not matter
    assert reasons(worn_lc, crew) == (Criterion.CONDITION,)


def test_every_preset_has_a_criterion_and_a_summary() -> None:
    assert set(PRESETS) == {"crew", "unused", "never-used", "worn", "extra-copies"}
    for found in PRESETS.values():
        assert not found.criteria.is_empty and found.summary
    assert preset(" CREW ") == PRESETS["crew"].criteria


# --- what people type ------------------------------------------------------------------------


def test_criteria_from_text_are_checked_and_named_by_field() -> None:
    built = criteria(age_years="10", unused_years=" 3 ", conditions="Poor; worn,, ")
    assert built == Criteria(age_years=10, unused_years=3, conditions=frozenset({"poor", "worn"}))
    assert Criteria.from_dict(built.as_dict()) == built
    for kwargs, field in (
        ({"age_years": "ten"}, "age_years"),
        ({"unused_years": "-1"}, "unused_years"),
        ({"never_used_years": "500"}, "never_used_years"),
        ({"copies_beyond": "0"}, "copies_beyond"),
        ({"conditions": ["x" * 40]}, "conditions"),
        ({}, "criteria"),
        ({"by_class": True, "age_years": 5}, "age_years"),
    ):
        with pytest.raises(InvalidInput) as refused:
            criteria(**kwargs)
        assert refused.value.field == field, kwargs


def test_an_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="crew, unused"):
        preset("mustard")


@pytest.mark.parametrize("text", ["5OO", "ABC", "599.75 SMI ??"])
def test_a_range_end_that_is_not_a_call_number_is_named(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_range_end(text, end="last")
    assert refused.value.field == "range" and repr(text) in refused.value.message


def test_years_before_a_leap_day_is_the_28th() -> None:
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert years_before(TODAY, 3) == date(2023, 9, 1)
