"""The reader's description read from stored MARC: contents, notes, audience, awards."""

from __future__ import annotations

import pymarc

from octavo.catalog.description import Description, describe


def _marc(*fields: pymarc.Field) -> bytes:
    record = pymarc.Record(force_utf8=True)
    record.add_field(pymarc.Field(tag="001", data="t1"))
    for field in fields:
        record.add_field(field)
    return record.as_marc()


def _field(tag: str, *pairs: tuple[str, str]) -> pymarc.Field:
    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators("0", " "),
        subfields=[pymarc.Subfield(code, value) for code, value in pairs],
    )


def test_a_formatted_contents_note_is_split_into_its_titles():
    marc = _marc(_field("505", ("a", "Spring -- The story -- A lost button -- Alone.")))
    assert describe(marc).contents == ("Spring", "The story", "A lost button", "Alone")


def test_an_enhanced_contents_note_keeps_each_title_with_its_author():
    marc = _marc(_field("505", ("t", "The frog /"), ("r", "A. Lobel --"), ("t", "The toad.")))
    assert describe(marc).contents == ("The frog / A. Lobel", "The toad")


def test_notes_audience_awards_and_other_titles_are_read():
    marc = _marc(
        _field("500", ("a", "Includes an index.")),
        _field("521", ("a", "Ages 4-8.")),
        _field("586", ("a", "Newbery Honor, 1971.")),
        _field("246", ("a", "Frog & Toad")),
    )
    described = describe(marc)
    assert described.notes == ("Includes an index",)
    assert described.audience == ("Ages 4-8",)
    assert described.awards == ("Newbery Honor, 1971",)
    assert described.other_titles == ("Frog & Toad",)


def test_unreadable_marc_describes_nothing_more():
    assert describe(b"not a marc record at all") == Description()
    assert describe(b"") == Description()
