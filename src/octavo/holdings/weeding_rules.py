"""Weeding's and shelf reading's pure parts (issue #8). No Django.

Weeding. A weeding list holds the items of a site's call-number range that meet its criteria;
`candidate_reasons` decides one item from a few facts (its call number, publication year, when it
was added and last checked out, its condition, how it ranks among the copies of its title). The
criteria are the usual ones: years since publication, years without use, never checked out,
condition, copies beyond N. They combine the way the CREW method reads its formula
"X/Y/MUSTIE" (Larson, *CREW: A Weeding Manual for Modern Libraries*, Texas State Library and
Archives Commission, 2012, "CREW Guidelines by Dewey Class": "consider a book for discard when
its latest copyright is more than X years ago; and/or when its last circulation was more than Y
years ago; and/or when it possesses one or more of the MUSTIE factors"). Octavo reads "and/or"
one way, so that a list is predictable: the age and the use figures together (a formula's "X",
or a figure not given, is left out), or any one of the others on its own. A 15-year-old history
book that still goes out every month is kept; a worn one is listed whatever its age. Each entry
says which criteria it met, and people decide: the list is a proposal, never a withdrawal.

Of the six MUSTIE factors (Misleading, Ugly, Superseded, Trivial, Irrelevant, obtainable
Elsewhere) only "Ugly" (worn beyond mending) is in the data, as the item's condition; the others
are the librarian's judgement at the shelf, which is what the review is for.

Shelf reading. `read_shelf` takes the call numbers scanned along a shelf, in the order they
stand, and names the ones out of place and where each belongs. The books in place are a longest
run that is already in shelf order (a longest non-decreasing subsequence of the shelf keys,
octavo.catalog.callnumbers); every other book is out of place. So one book put back in the wrong
spot is one book flagged, not every book after it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from octavo.catalog.callnumbers import (
    CallNumber,
    InvalidCallNumber,
    Scheme,
    ShelfKey,
    parse_call_number,
    shelf_key,
)
from octavo.holdings.inventory_rules import ShelfRange, parse_range
from octavo.shared.errors import InvalidInput

MAX_YEARS = 100  # a figure beyond this is a typing slip, not a policy
MAX_COPIES = 1000
MAX_CONDITIONS = 20


class Criterion(StrEnum):
    """Why an item is on a weeding list (an entry may meet several)."""

    AGE = "age"  # published more than N years ago
    UNUSED = "unused"  # not checked out (or renewed) in N years
    NEVER_USED = "never_used"  # never checked out, and in the collection N years or more
    CONDITION = "condition"  # its condition is one of the listed words (MUSTIE: Ugly)
    EXTRA_COPY = "extra_copy"  # a copy of its title at the site beyond the N most used


# --- CREW's formulas by Dewey class ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Formula:
    """CREW's "X/Y/MUSTIE": weed after `age` years since publication and `unused` years without
    use. None is CREW's "X": that figure is not considered for this class."""

    age: int | None
    unused: int | None

    def __str__(self) -> str:
        def shown(figure: int | None) -> str:
            return "X" if figure is None else str(figure)

        return f"{shown(self.age)}/{shown(self.unused)}/MUSTIE"


@dataclass(frozen=True, slots=True)
class ClassFormula:
    """The formula for the Dewey numbers from `first` up to (not including) `end`."""

    first: Decimal
    end: Decimal
    label: str
    formula: Formula


def _span(first: str, end: str, label: str, age: int | None, unused: int | None) -> ClassFormula:
    return ClassFormula(Decimal(first), Decimal(end), label, Formula(age, unused))


# Defaults after CREW's guidelines by Dewey class (Larson 2012, above), one formula for each
# hundreds and for the divisions whose figures differ most from their hundreds. CREW gives
# formulas down to sections and ranges for some (the sciences: 5 to 10 years); where it gives a
# range, the lower figure is taken, since the list is reviewed before anything is withdrawn.
# These are defaults to adjust, as CREW itself says, not a standard: the librarian's own figures
# (`age_years`, `unused_years`) replace them for a list. The first matching row wins, so the
# divisions come before their hundreds.
CREW_CLASSES: tuple[ClassFormula, ...] = (
    _span("4", "7", "004-006 Computers", 3, None),
    _span("310", "320", "310 Statistics and almanacs", 2, None),
    _span("510", "520", "510 Mathematics", 10, 3),
    _span("610", "620", "610 Medicine and health", 5, 3),
    _span("910", "920", "910 Geography and travel", 5, 2),
    _span("920", "930", "920 Biography", None, 3),
    _span("0", "100", "000 Information and general works", 5, None),
    _span("100", "200", "100 Philosophy and psychology", 10, 3),
    _span("200", "300", "200 Religion", 10, 3),
    _span("300", "400", "300 Social sciences", 10, 3),
    _span("400", "500", "400 Language", 10, 3),
    _span("500", "600", "500 Science", 5, 3),
    _span("600", "700", "600 Technology", 5, 3),
    _span("700", "800", "700 Arts and recreation", 10, 3),
    _span("800", "900", "800 Literature", None, None),
    _span("900", "1000", "900 History and geography", 15, 3),
)

# Sections shelved by author, without a class number: fiction, short stories, picture books and
# graphic novels are judged by use alone (CREW: fiction X/2/MUSTIE); biographies as the 920s.
CREW_SECTIONS: Mapping[str, tuple[str, Formula]] = {
    **dict.fromkeys(
        ("FIC", "F", "SC", "E", "EASY", "ER", "GN", "YA", "J", "MYS", "SF"),
        ("Fiction, picture books, graphic novels", Formula(None, 2)),
    ),
    **dict.fromkeys(("B", "BIO", "BIOG", "BB"), ("Biography", Formula(None, 3))),
}


def crew_formula(call_number: str | CallNumber) -> tuple[str, Formula] | None:
    """The CREW formula for an item's call number, with the class it is for; None when CREW
    has none for it (an LC number, a call number that cannot be read, a blank one)."""
    try:
        parsed = (
            call_number
            if isinstance(call_number, CallNumber)
            else parse_call_number(call_number, scheme=Scheme.AUTO)
        )
    except InvalidCallNumber:
        return None
    if parsed.scheme is Scheme.DEWEY:
        number = _dewey_number(parsed.classification)
        if number is None:
            return None
        for row in CREW_CLASSES:
            if row.first <= number < row.end:
                return row.label, row.formula
        return None
    if parsed.scheme is None:
        # Author-only: the innermost prefix names the section (`J FIC` is fiction).
        for prefix in reversed(parsed.prefixes):
            if prefix in CREW_SECTIONS:
                return CREW_SECTIONS[prefix]
    return None


def _dewey_number(classification: str) -> Decimal | None:
    digits = classification.replace("/", "").replace("'", "")
    whole, _, fraction = digits.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    if whole == "92" and not fraction:
        return Decimal(920)  # the abridged notation for a biography
    return Decimal(f"{whole}.{fraction or '0'}")


# --- criteria and presets ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a weeding list looks for. A figure left None is not used. `by_class`: the age and
    use figures come from CREW's table for each item's class (CREW_CLASSES) instead of
    `age_years` and `unused_years`. `conditions` are condition words, in lower case."""

    age_years: int | None = None
    unused_years: int | None = None
    by_class: bool = False
    never_used_years: int | None = None
    conditions: frozenset[str] = field(default_factory=frozenset)
    copies_beyond: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.by_class
            or self.conditions
            or any(
                figure is not None
                for figure in (
                    self.age_years,
                    self.unused_years,
                    self.never_used_years,
                    self.copies_beyond,
                )
            )
        )

    def as_dict(self) -> dict[str, Any]:
        """For the list's record (WeedingList.criteria) and `--json`."""
        return {
            "age_years": self.age_years,
            "unused_years": self.unused_years,
            "by_class": self.by_class,
            "never_used_years": self.never_used_years,
            "conditions": sorted(self.conditions),
            "copies_beyond": self.copies_beyond,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criteria:
        return criteria(
            age_years=data.get("age_years"),
            unused_years=data.get("unused_years"),
            by_class=bool(data.get("by_class")),
            never_used_years=data.get("never_used_years"),
            conditions=data.get("conditions") or (),
            copies_beyond=data.get("copies_beyond"),
        )


def _figure(value: object, *, field: str, low: int, high: int, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{what}: give a whole number", field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a whole number", field=field) from None
    if not low <= number <= high:
        raise InvalidInput(f"{what}: from {low} to {high}", field=field)
    return number


def condition_words(value: object) -> frozenset[str]:
    """Condition words from text (`poor, damaged`) or a list of them, in lower case."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        parts = value.replace(";", ",").split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        parts = [str(part) for part in value]
    else:
        raise InvalidInput("list the condition words, separated by commas", field="conditions")
    words = frozenset(" ".join(p.split()).lower() for p in parts if p.strip())
    if len(words) > MAX_CONDITIONS:
        raise InvalidInput(f"at most {MAX_CONDITIONS} condition words", field="conditions")
    if any(len(word) > 32 for word in words):  # holdings.models.Item.condition
        raise InvalidInput("a condition is at most 32 characters", field="conditions")
    return words


def criteria(
    *,
    age_years: object = None,
    unused_years: object = None,
    by_class: bool = False,
    never_used_years: object = None,
    conditions: object = None,
    copies_beyond: object = None,
) -> Criteria:
    """Criteria from what a person typed, each figure checked and named when it is wrong."""
    built = Criteria(
        age_years=_figure(
            age_years, field="age_years", low=0, high=MAX_YEARS, what="years since publication"
        ),
        unused_years=_figure(
            unused_years, field="unused_years", low=0, high=MAX_YEARS, what="years without use"
        ),
        by_class=by_class,
        never_used_years=_figure(
            never_used_years,
            field="never_used_years",
            low=0,
            high=MAX_YEARS,
            what="never checked out, added at least this many years ago",
        ),
        conditions=condition_words(conditions),
        copies_beyond=_figure(
            copies_beyond, field="copies_beyond", low=1, high=MAX_COPIES, what="copies to keep"
        ),
    )
    if by_class and (built.age_years is not None or built.unused_years is not None):
        raise InvalidInput(
            "choose CREW's figures for each class or your own years since publication and "
            "without use, not both",
            field="age_years",
        )
    if built.is_empty:
        raise InvalidInput(
            "choose at least one criterion (or a preset such as crew)", field="criteria"
        )
    return built


# Condition words an item worn beyond mending is given (MUSTIE's "Ugly"), in the two languages
# of the staff screens (the item form suggests "new, good, fair or poor" and, in Spanish, "nuevo,
# bueno, regular o malo"); mark_damaged writes "damaged" (octavo.circulation.care).
WORN = frozenset({"poor", "worn", "damaged", "malo", "gastado", "dañado", "deteriorado"})


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    criteria: Criteria
    summary: str  # English; the interfaces have their own words


PRESETS: Mapping[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "crew",
            Criteria(by_class=True, conditions=WORN),
            "CREW: each class's years since publication and without use, or worn",
        ),
        # CREW: "most formulas include a 3 in the usage category".
        Preset("unused", Criteria(unused_years=3), "not checked out in 3 years"),
        Preset(
            "never-used",
            Criteria(never_used_years=3),
            "never checked out, in the collection 3 years or more",
        ),
        Preset("worn", Criteria(conditions=WORN), "condition poor, worn or damaged"),
        Preset(
            "extra-copies",
            Criteria(copies_beyond=2),
            "copies of a title beyond the 2 most used at the site",
        ),
    )
}


def preset(name: str) -> Criteria:
    found = PRESETS.get(name.strip().lower())
    if found is None:
        raise InvalidInput(f"no preset {name!r} (there are: {', '.join(PRESETS)})", field="preset")
    return found.criteria


# --- one item ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the list is built from, for one item.

    `added_on`: when it came into the collection that Octavo keeps the circulation of (the day
    its row was added), so that an item never checked out counts as unused from that day, not
    from a purchase date before Octavo could have seen it go out. `last_used_on`: its last
    check-out or renewal. `copy_rank`: 1 for the most used copy of its title at the site (the
    most recently checked out; never-checked-out copies last).
    """

    call_number: str
    year: int | None
    added_on: date
    last_used_on: date | None
    condition: str
    copy_rank: int


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def formula_for(facts: ItemFacts, chosen: Criteria) -> Formula | None:
    """The age and use figures that apply to this item: CREW's for its class, or the list's."""
    if chosen.by_class:
        found = crew_formula(facts.call_number)
        return found[1] if found else None
    if chosen.age_years is None and chosen.unused_years is None:
        return None
    return Formula(chosen.age_years, chosen.unused_years)


def candidate_reasons(facts: ItemFacts, chosen: Criteria, *, today: date) -> tuple[Criterion, ...]:
    """Why the item belongs on the list; () when it does not.

    The age and use figures hold together (both of those that are set); each of the others is
    enough on its own. An unknown publication year never meets an age figure.
    """
    met: list[Criterion] = []
    formula = formula_for(facts, chosen)
    if formula is not None and (formula.age is not None or formula.unused is not None):
        old = formula.age is None or (
            facts.year is not None and today.year - facts.year > formula.age
        )
        unused = formula.unused is None or _unused_since(facts, formula.unused, today)
        if old and unused:
            if formula.age is not None:
                met.append(Criterion.AGE)
            if formula.unused is not None:
                met.append(Criterion.UNUSED)
    if (
        chosen.never_used_years is not None
        and facts.last_used_on is None
        and facts.added_on <= years_before(today, chosen.never_used_years)
    ):
        met.append(Criterion.NEVER_USED)
    if chosen.conditions and " ".join(facts.condition.split()).lower() in chosen.conditions:
        met.append(Criterion.CONDITION)
    if chosen.copies_beyond is not None and facts.copy_rank > chosen.copies_beyond:
        met.append(Criterion.EXTRA_COPY)
    return tuple(met)


def _unused_since(facts: ItemFacts, years: int, today: date) -> bool:
    last = facts.last_used_on or facts.added_on
    return last <= years_before(today, years)


# --- ranges -------------------------------------------------------------------------------------


def check_range_end(text: str, *, end: str) -> None:
    """A weeding range's end must read as a call number (`500`, `599.99`, `FIC A`): a typing
    slip such as `5OO` would otherwise sort after everything and take in the whole collection."""
    try:
        parse_call_number(text)
    except InvalidCallNumber as unread:
        raise InvalidInput(
            f"the range's {end} end is not a call number, {unread.message}; write a range as "
            "500-599, 590-599.99 or FIC A-FIC C",
            field="range",
        ) from None


def parse_weeding_range(text: str) -> ShelfRange:
    """A call-number range to weed (inventory_rules.parse_range: `500-599`, `FIC A-FIC C`,
    `500-`), each end read as a call number first, so that an unreadable end is named as such
    rather than as an end that "comes after" the other."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput(
            "give the call numbers to weed, such as 500-599 or FIC A-FIC C", field="range"
        )
    ends = raw.split(" - ", 1) if " - " in raw else raw.split("-") if raw.count("-") == 1 else []
    for end, part in zip(("first", "last"), ends, strict=False):
        if part.strip():
            check_range_end(part.strip().upper(), end=end)
    return parse_range(raw)


# --- shelf reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Misplaced:
    """The book scanned at `position` (from 0) is out of place: it belongs after the book
    scanned at `after` and before the one at `before` (None: at the start, at the end)."""

    position: int
    after: int | None
    before: int | None


def read_shelf(call_numbers: Sequence[str]) -> tuple[Misplaced, ...]:
    """The books out of call-number order among `call_numbers`, in the order they were scanned
    along the shelf, and where each belongs among the books in place."""
    keys = [shelf_key(text) for text in call_numbers]
    kept = _longest_in_order(keys)
    kept_keys = [keys[i] for i in kept]
    in_place = set(kept)
    found = []
    for position, key in enumerate(keys):
        if position in in_place:
            continue
        # After every book in place that sorts with it or before it (copies stand together).
        slot = bisect_right(kept_keys, key)
        found.append(
            Misplaced(
                position=position,
                after=kept[slot - 1] if slot > 0 else None,
                before=kept[slot] if slot < len(kept) else None,
            )
        )
    return tuple(found)


def _longest_in_order(keys: Sequence[ShelfKey]) -> list[int]:
    """The positions of a longest non-decreasing run of `keys` (patience sorting, n log n)."""
    tails: list[ShelfKey] = []  # the smallest last key of a run of each length
    tail_at: list[int] = []  # its position
    previous: list[int | None] = []
    for position, key in enumerate(keys):
        length = bisect_right(tails, key)
        if length == len(tails):
            tails.append(key)
            tail_at.append(position)
        else:
            tails[length] = key
            tail_at[length] = position
        previous.append(tail_at[length - 1] if length > 0 else None)
    run: list[int] = []
    at = tail_at[-1] if tail_at else None
    while at is not None:
        run.append(at)
        at = previous[at]
    return run[::-1]
