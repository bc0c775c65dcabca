"""Searching the catalog as a student or a clerk would, on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import io

import pymarc
import pytest
from tests.conftest import T0

from octavo.catalog.importer import import_marc
from octavo.catalog.search import Filters, search
from octavo.district.services import add_location
from octavo.holdings.models import Item

pytestmark = pytest.mark.django_db


def field(tag: str, *pairs: str, ind: str = "  ") -> pymarc.Field:
    subs = [pymarc.Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind[0], ind[1]), subfields=subs)


def rec(
    control: str,
    title: str,
    *,
    author: str = "",
    subject: str = "",
    series: str = "",
    isbn: str = "",
    year: int = 2010,
    lang: str = "eng",
    leader: str = "am",
    barcode: str = "",
    site: str = "",
) -> bytes:
    r = pymarc.Record(force_utf8=True, leader=f"00000n{leader} a2200000 a 4500")
    r.add_field(pymarc.Field(tag="001", data=control))
    r.add_field(pymarc.Field(tag="008", data=f"850101s{year}    nyua   j      000 1 {lang} d"))
    if isbn:
        r.add_field(field("020", "a", isbn))
    if author:
        r.add_field(field("100", "a", author, ind="1 "))
    r.add_field(field("245", "a", title, ind="10"))
    if subject:
        r.add_field(field("650", "a", subject, ind=" 0"))
    if series:
        r.add_field(field("490", "a", series, ind="0 "))
    if barcode:
        r.add_field(field("852", "c", "FIC", "h", "813", "p", barcode))
    return r.as_marc()


@pytest.fixture
def catalog(district, cli_actor):
    for site in (district.north, district.south):
        add_location(actor=cli_actor, site=site, code="FIC", name="Fiction", at=T0)
    north = b"".join(
        [
            rec(
                "1",
                "The cat in the hat",
                author="Seuss, Dr.",
                subject="Cats",
                series="Beginner books",
                isbn="0-394-80001-X",
                year=1957,
                barcode="N1",
            ),
            rec(
                "2",
                "Cat's cradle",
                author="Vonnegut, Kurt",
                subject="Satire",
                year=1963,
                barcode="N2",
            ),
            rec("3", "A history of cats", author="Catt, Carrie", subject="Cats History", year=2001),
            rec(
                "4",
                "Gatos y perros",
                author="Pérez, Ana",
                subject="Cats",
                lang="spa",
                year=2019,
                barcode="N3",
            ),
            rec(
                "5",
                "Catalog of dinosaurs",
                author="Bones, Rex",
                subject="Dinosaurs",
                year=2015,
                leader="gm",
            ),
        ]
    )
    import_marc(actor=cli_actor, stream=io.BytesIO(north), filename="n.mrc", site_code="NES", at=T0)
    south = rec(
        "4",
        "Gatos y perros",
        author="Pérez, Ana",
        subject="Cats",
        lang="spa",
        year=2019,
        barcode="S1",
    )
    import_marc(actor=cli_actor, stream=io.BytesIO(south), filename="s.mrc", site_code="SES", at=T0)


def titles(result) -> list[str]:
    return [r["title"] for r in result.results]


def test_a_finished_word_matches_whole_words_only(catalog) -> None:
    assert set(titles(search("cat "))) == {"The cat in the hat", "Cat's cradle"}


def test_title_matches_rank_above_subject_matches(catalog) -> None:
    assert titles(search("cats "))[0] == "A history of cats"


def test_a_word_being_typed_finds_longer_words(catalog) -> None:
    assert "Catalog of dinosaurs" in titles(search("catal"))


def test_fielded_search(catalog) -> None:
    assert titles(search("author:vonnegut")) == ["Cat's cradle"]
    assert titles(search("subject:dinosaurs ")) == ["Catalog of dinosaurs"]
    assert titles(search("series:beginner ")) == ["The cat in the hat"]


def test_accents_do_not_matter(catalog) -> None:
    assert titles(search("perez ")) == ["Gatos y perros"]


@pytest.mark.parametrize(
    "isbn", ["0-394-80001-X", "039480001X", "9780394800011", "978-0-394-80001-1"]
)
def test_isbn_in_any_form(catalog, isbn) -> None:
    assert titles(search(isbn)) == ["The cat in the hat"]


def test_facets_count_the_matches(catalog) -> None:
    result = search("cats ")
    facets = {name: dict(values) for name, values in result.facets.items()}
    assert facets["language"] == {"eng": 2, "spa": 1}
    assert result.total == 3


def test_filters_narrow_by_format_language_site_and_availability(catalog) -> None:
    assert titles(search("cats ", filters=Filters(language="spa"))) == ["Gatos y perros"]
    assert titles(search("catalog", filters=Filters(format="video"))) == ["Catalog of dinosaurs"]
    assert titles(search("hat", filters=Filters(site="SES"))) == []
    assert titles(search("gatos", filters=Filters(site="SES"))) == ["Gatos y perros"]
    Item.objects.filter(barcode="N1").update(status="checked_out")
    assert "The cat in the hat" not in titles(search("hat", filters=Filters(available=True)))


def test_each_result_says_how_many_are_on_the_shelf_per_site(catalog) -> None:
    Item.objects.filter(barcode="S1").update(status="checked_out")
    (hit,) = search("gatos").results
    assert hit["availability"] == [
        {"site": "NES", "site_name": "North Elementary", "items": 1, "available": 1},
        {"site": "SES", "site_name": "South Elementary", "items": 1, "available": 0},
    ]
    assert hit["control_number"] == "4"


def test_paging(catalog) -> None:
    first = search("cats ", limit=2)
    second = search("cats ", limit=2, offset=2)
    assert len(first.results) == 2 and len(second.results) == 1
    assert not set(titles(first)) & set(titles(second))


def test_nothing_typed_finds_nothing(catalog) -> None:
    assert search("  ").total == 0


def test_sites_and_shelf_availability_are_counted_as_facets(catalog) -> None:
    facets = {name: dict(values) for name, values in search("cats ").facets.items()}
    # "The cat in the hat" is at North; "Gatos y perros" at North and South; the history
    # of cats has no copy.
    assert facets["site"] == {"NES": 2, "SES": 1}
    assert facets["available"] == {"available": 2}
    Item.objects.filter(barcode__in=["N1", "N3"]).update(status="checked_out")
    assert dict(search("cats ").facets["available"]) == {"available": 1}
    at_north = search("cats ", filters=Filters(site="NES")).facets
    assert dict(at_north["available"]) == {}
    assert dict(search("cats ", filters=Filters(site="SES")).facets["available"]) == {
        "available": 1
    }


def test_a_facet_counts_what_the_other_choices_leave(catalog) -> None:
    facets = search("cats ", filters=Filters(language="spa")).facets
    # The other languages stay listed, to switch to; formats are counted among Spanish only.
    assert dict(facets["language"]) == {"eng": 2, "spa": 1}
    assert dict(facets["format"]) == {"book": 1}
    assert dict(facets["site"]) == {"NES": 1, "SES": 1}


def test_a_word_with_matches_of_its_own_is_not_taken_as_the_start_of_longer_words(
    catalog, monkeypatch
) -> None:
    # Two records have the word "cat": fewer than a page, so `cat` may still be being typed.
    assert "Catalog of dinosaurs" in titles(search("cat"))
    monkeypatch.setattr("octavo.catalog.search.EXPAND_BELOW", 2)
    assert set(titles(search("cat"))) == {"The cat in the hat", "Cat's cradle"}


def test_a_common_word_ranks_title_matches_first_among_the_newest(
    district, cli_actor, monkeypatch
) -> None:
    records = [
        rec("12", "Castle 12", subject="Dragons Dragon"),
        rec("13", "Castle 13", subject="Dragons Dragon"),
        rec("10", "The dragon who ate the moon and all of the stars"),
        rec("11", "Dragon"),
        rec("14", "Castle 14", subject="Dragons Dragon"),
        rec("15", "Castle 15", subject="Dragons Dragon"),
    ]
    import_marc(
        actor=cli_actor,
        stream=io.BytesIO(b"".join(records)),
        filename="d.mrc",
        site_code="NES",
        at=T0,
    )
    # Six records match; only the newest four are ranked, as if the word were in 400,000
    # records: titles first (the shorter first), then the rest, newest first.
    monkeypatch.setattr("octavo.catalog.search.CANDIDATES", 4)
    result = search("dragon ")
    assert result.more and result.total == 4
    assert titles(result) == [
        "Dragon",
        "The dragon who ate the moon and all of the stars",
        "Castle 15",
        "Castle 14",
    ]
    # Fewer matches than are ranked: bm25 orders all of them, and nothing is missing.
    monkeypatch.setattr("octavo.catalog.search.CANDIDATES", 10)
    result = search("dragon ")
    assert not result.more and result.total == 6
    assert titles(result)[0] == "Dragon"
