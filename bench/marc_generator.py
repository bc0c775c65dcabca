"""Synthetic MARC records with realistic word frequencies, for import and search benchmarks.

Titles, subjects and author names are drawn from Zipf-like distributions (a few words very
common, a long tail of rare ones), as in a real school collection, never uniform random words.
Deterministic for a given seed. Invented data only.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import accumulate

import pymarc

COMMON = [
    "the",
    "of",
    "and",
    "a",
    "in",
    "to",
    "history",
    "world",
    "new",
    "life",
    "story",
    "book",
    "guide",
    "science",
    "art",
    "american",
    "great",
    "little",
    "first",
    "children",
    "war",
    "time",
    "day",
    "man",
    "house",
    "school",
    "animals",
    "earth",
    "america",
    "people",
    "night",
    "secret",
    "family",
    "home",
    "king",
    "adventures",
    "dog",
    "cat",
    "girl",
    "boy",
    "magic",
    "dragon",
    "water",
    "ocean",
    "space",
    "tree",
    "stars",
    "moon",
    "garden",
    "mystery",
    "friends",
    "city",
    "river",
    "mountain",
    "island",
    "ghost",
    "train",
    "farm",
    "color",
    "words",
    "music",
    "dance",
    "sports",
    "baseball",
    "soccer",
    "horse",
    "bear",
    "wolf",
    "bird",
    "fish",
    "storm",
    "winter",
    "summer",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "na",
    "su",
    "le",
    "ba",
    "de",
    "fi",
    "go",
    "hu",
    "ji",
    "ko",
    "lu",
    "ma",
    "ne",
    "po",
    "qu",
    "ra",
    "se",
    "ti",
    "vo",
    "wa",
    "ye",
    "zu",
]
SUBJECTS = [
    "Animals",
    "Dinosaurs",
    "Space",
    "Oceans",
    "Friendship",
    "Families",
    "Schools",
    "Sports",
    "History",
    "Science",
    "Mathematics",
    "Poetry",
    "Fairy tales",
    "Biography",
    "Weather",
    "Plants",
    "Insects",
    "Cooking",
    "Art",
    "Music",
    "Holidays",
    "Mystery fiction",
    "Adventure stories",
    "Fantasy fiction",
    "Graphic novels",
]


def _vocabulary(size: int, rng: random.Random) -> list[str]:
    words = list(COMMON)
    while len(words) < size:
        words.append("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return words


def _zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def records(
    count: int, *, seed: int = 2026, site_barcode_prefix: str = "3123400"
) -> Iterator[bytes]:
    """`count` ISO 2709 records, UTF-8, each with one 852 item."""
    rng = random.Random(seed)
    vocab = _vocabulary(20_000, rng)
    cumulative = _zipf_weights(len(vocab))
    surnames = _vocabulary(5_000, random.Random(seed + 1))
    name_weights = _zipf_weights(len(surnames), 0.9)
    subject_weights = _zipf_weights(len(SUBJECTS), 1.2)
    for n in range(count):
        words = rng.choices(vocab, cum_weights=cumulative, k=rng.randint(1, 7))
        title = " ".join(words).capitalize()
        surname = rng.choices(surnames, cum_weights=name_weights)[0].capitalize()
        year = rng.randint(1950, 2026)
        record = pymarc.Record(force_utf8=True, leader="00000nam a2200000 a 4500")
        record.add_field(pymarc.Field(tag="001", data=f"syn{n:08d}"))
        record.add_field(pymarc.Field(tag="003", data="OCTAVO-BENCH"))
        record.add_field(
            pymarc.Field(tag="008", data=f"250101s{year}    xxua   j      000 1 eng d")
        )
        record.add_field(
            pymarc.Field(
                tag="100",
                indicators=pymarc.Indicators("1", " "),
                subfields=[pymarc.Subfield("a", f"{surname}, Alex.")],
            )
        )
        record.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("1", "0"),
                subfields=[
                    pymarc.Subfield("a", f"{title} /"),
                    pymarc.Subfield("c", f"by Alex {surname}."),
                ],
            )
        )
        record.add_field(
            pymarc.Field(
                tag="264",
                indicators=pymarc.Indicators(" ", "1"),
                subfields=[
                    pymarc.Subfield("b", "Invented Press,"),
                    pymarc.Subfield("c", str(year)),
                ],
            )
        )
        for subject in set(rng.choices(SUBJECTS, cum_weights=subject_weights, k=2)):
            record.add_field(
                pymarc.Field(
                    tag="650",
                    indicators=pymarc.Indicators(" ", "0"),
                    subfields=[pymarc.Subfield("a", subject)],
                )
            )
        record.add_field(
            pymarc.Field(
                tag="852",
                indicators=pymarc.Indicators("8", " "),
                subfields=[
                    pymarc.Subfield("h", f"{rng.randint(0, 999):03d}.{rng.randint(0, 99)}"),
                    pymarc.Subfield("i", surname[:3].upper()),
                    pymarc.Subfield("p", f"{site_barcode_prefix}{n:07d}"),
                    pymarc.Subfield("9", f"{rng.randint(5, 40)}.95"),
                ],
            )
        )
        yield record.as_marc()
