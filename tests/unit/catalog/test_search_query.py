"""What a search box query means."""

from __future__ import annotations

from octavo.catalog.query import Field, Term, parse


def test_plain_words_search_everything_and_the_last_is_a_prefix() -> None:
    q = parse("Cat hat")
    assert q.terms == (Term(Field.ANY, ("cat",)), Term(Field.ANY, ("hat",), prefix=True))


def test_a_trailing_space_means_the_last_word_is_finished() -> None:
    assert parse("cat ").terms == (Term(Field.ANY, ("cat",)),)


def test_fields_and_phrases() -> None:
    q = parse('title:"civil war" au:lincoln subject:slavery')
    assert q.terms == (
        Term(Field.TITLE, ("civil", "war")),
        Term(Field.AUTHOR, ("lincoln",)),
        Term(Field.SUBJECT, ("slavery",), prefix=True),
    )


def test_isbn_in_any_form_becomes_13_digits() -> None:
    for text in ("0-306-40615-2", "0306406152", "978-0-306-40615-7", "isbn:9780306406157"):
        assert parse(text).terms == (Term(Field.ISBN, ("9780306406157",)),)


def test_issn_is_recognized() -> None:
    assert parse("0378-5955").terms == (Term(Field.ISBN, ("03785955",)),)


def test_stop_words_are_dropped_unless_they_are_all_there_is() -> None:
    assert [t.words for t in parse("the history of the world").terms] == [("history",), ("world",)]
    assert [t.words for t in parse("the").terms] == [("the",)]


def test_unknown_field_name_is_searched_as_text() -> None:
    assert parse("re:zero").terms == (Term(Field.ANY, ("re", "zero"), prefix=True),)


def test_punctuation_only_is_an_empty_query() -> None:
    assert parse(' ** "" ').empty
