"""What a record says, read from its MARC fields as a cataloger would read them."""

from __future__ import annotations

import pymarc
import pytest

from octavo.catalog.mapping import Format, clean, describe, normalize_isbn


def record(leader6_7: str = "am", f008: str = "", *fields: pymarc.Field) -> pymarc.Record:
    rec = pymarc.Record(force_utf8=True, leader=f"00000n{leader6_7} a2200000 a 4500")
    if f008:
        rec.add_field(pymarc.Field(tag="008", data=f008))
    for f in fields:
        rec.add_field(f)
    return rec


def data(tag: str, *pairs: str, ind: str = "  ") -> pymarc.Field:
    subs = [pymarc.Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind[0], ind[1]), subfields=subs)


BOOK_008 = "850101s1985    nyua   j      000 1 eng d"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0-306-40615-2", "9780306406157"),
        ("0306406152", "9780306406157"),
        ("978-0-306-40615-7", "9780306406157"),
        ("9780306406157 (pbk.)", "9780306406157"),
        ("0-306-40615-3", None),
        ("not an isbn", None),
    ],
)
def test_isbns_are_validated_and_normalized_to_13_digits(given, expected) -> None:
    assert normalize_isbn(given) == expected


def test_invalid_isbn_is_kept_for_the_report_not_dropped() -> None:
    rec = record(
        "am",
        BOOK_008,
        data("020", "a", "0-306-40615-3"),
        data("020", "z", "1234"),
        data("020", "a", "0306406152 (lib. bdg.)"),
    )
    isbns = describe(rec).isbns
    assert isbns.valid == ("9780306406157",)
    assert isbns.invalid == ("0-306-40615-3", "1234")


def test_title_authors_and_isbd_punctuation() -> None:
    rec = record(
        "am",
        BOOK_008,
        data("100", "a", "Seuss,", "c", "Dr.", ind="1 "),
        data("245", "a", "The cat in the hat /", "c", "by Dr. Seuss.", ind="14"),
        data("700", "a", "Geisel, Audrey.", ind="1 "),
        data("650", "a", "Cats", "v", "Juvenile fiction.", ind=" 0"),
        data("490", "a", "Beginner books ;", "v", "B-1", ind="1 "),
        data("521", "a", "AD 260L", ind="8 "),
        data("082", "a", "E", ind="04"),
    )
    d = describe(rec)
    assert d.title == "The cat in the hat"
    assert d.responsibility == "by Dr. Seuss"
    assert d.authors == ("Seuss, Dr", "Geisel, Audrey")
    assert d.subjects == ("Cats Juvenile fiction",)
    assert d.series == ("Beginner books ; B-1",)
    assert d.reading_level == "AD 260L"
    assert d.year == 1985
    assert d.language == "eng"
    assert d.format is Format.BOOK


@pytest.mark.parametrize(
    ("leader", "f008_form", "f007", "expected"),
    [
        ("am", " ", None, Format.BOOK),
        ("as", " ", None, Format.PERIODICAL),
        ("am", "f", None, Format.BRAILLE),
        ("am", " ", "tu", Format.BOOK),
        ("am", "o", None, Format.ERESOURCE),
        ("im", " ", None, Format.AUDIO),
        ("jm", " ", None, Format.MUSIC),
        ("gm", " ", None, Format.VIDEO),
        ("km", " ", None, Format.PICTURE),
        ("om", " ", None, Format.KIT),
        ("mm", " ", None, Format.ERESOURCE),
        ("em", " ", None, Format.MAP),
        ("cm", " ", None, Format.SCORE),
    ],
)
def test_format_comes_from_leader_008_and_007(leader, f008_form, f007, expected) -> None:
    f008 = BOOK_008[:23] + f008_form + BOOK_008[24:]
    fields = [pymarc.Field(tag="007", data=f007)] if f007 else []
    assert describe(record(leader, f008, *fields)).format is expected


def test_language_falls_back_to_041_and_year_to_264() -> None:
    f008 = "850101n        nyua   j      000 1 und d"
    rec = record("am", f008, data("041", "a", "spa"), data("264", "c", "[c2019]", ind=" 1"))
    d = describe(rec)
    assert (d.language, d.year) == ("spa", 2019)


def test_record_without_title_or_008_still_describes() -> None:
    d = describe(record("am", ""))
    assert (d.title, d.year, d.language, d.format) == ("", None, "", Format.BOOK)


def test_clean_strips_isbd_punctuation_and_spaces() -> None:
    assert clean("  Charlotte's   web /") == "Charlotte's web"
    assert clean("Title :") == "Title"
