"""Citations a patron copies from the public catalog: MLA 9, APA 7 and Chicago 17 (bibliography),
checked as a reference librarian would check them, from records as the MARC mapping stores them.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from octavo.catalog.citations import Cited, Style, all_citations, cite, cited_from


def book(
    *,
    title: str = "The salt road home",
    authors: tuple[str, ...] = ("Okafor, Adaeze",),
    publisher: str = "Harbor Light Books",
    year: int | None = 2019,
    edition: str = "",
    format: str = "book",
    place: str = "",
) -> Cited:
    return Cited(
        title=title,
        authors=authors,
        publisher=publisher,
        year=year,
        edition=edition,
        format=format,
        place=place,
    )


def texts(cited: Cited) -> list[str]:
    return [c.text for c in all_citations(cited)]


# Invented names, given name first letter A..U, so the initials are easy to read.
TWENTY_ONE = (
    "Abbott, Ruth", "Baptiste, Marc", "Castillo, Inés", "Dube, Sipho", "Eriksen, Lars",
    "Fofana, Awa", "Grant, Helen", "Haddad, Omar", "Iwu, Chidi", "Jansen, Pieter",
    "Kowalski, Anna", "Laurent, Claire", "Moreau, Luc", "Nakamura, Emi", "Osei, Kwame",
    "Petrov, Ivan", "Quist, Hanne", "Rossi, Marco", "Singh, Priya", "Tanaka, Ken",
    "Ueda, Kenji",
)  # fmt: skip
APA_NINETEEN = (
    "Abbott, R., Baptiste, M., Castillo, I., Dube, S., Eriksen, L., Fofana, A., Grant, H., "
    "Haddad, O., Iwu, C., Jansen, P., Kowalski, A., Laurent, C., Moreau, L., Nakamura, E., "
    "Osei, K., Petrov, I., Quist, H., Rossi, M., Singh, P."
)


def test_one_author_in_all_three_styles() -> None:
    assert texts(book(place="Boston")) == [
        "Okafor, Adaeze. The salt road home. Harbor Light Books, 2019.",
        "Okafor, A. (2019). The salt road home. Harbor Light Books.",
        "Okafor, Adaeze. The salt road home. Boston: Harbor Light Books, 2019.",
    ]


def test_the_title_is_the_only_italic_part() -> None:
    assert cite(book(), Style.MLA).parts == (
        ("Okafor, Adaeze. ", False),
        ("The salt road home", True),
        (". Harbor Light Books, 2019.", False),
    )
    assert cite(book(), Style.APA).parts == (
        ("Okafor, A. (2019). ", False),
        ("The salt road home", True),
        (". Harbor Light Books.", False),
    )


def test_two_authors_first_inverted_and_joined_with_and_or_ampersand() -> None:
    cited = book(
        title="Tides and the moon",
        authors=("Brennan, Thomas Michael", "Ishikawa, Yuki"),
        publisher="Northfield Press",
        year=2012,
    )
    assert texts(cited) == [
        "Brennan, Thomas Michael, and Yuki Ishikawa. Tides and the moon. Northfield Press, 2012.",
        "Brennan, T. M., & Ishikawa, Y. (2012). Tides and the moon. Northfield Press.",
        "Brennan, Thomas Michael, and Yuki Ishikawa. Tides and the moon. Northfield Press, 2012.",
    ]


def test_mla_three_authors_become_et_al_while_apa_and_chicago_name_all() -> None:
    cited = book(
        title="Gardens of the high desert",
        authors=("Alvarez, Lucía", "Chen, Wei", "Mbeki, Thandiwe"),
        publisher="Mesa Verde Editions",
        year=2021,
    )
    assert texts(cited) == [
        "Alvarez, Lucía, et al. Gardens of the high desert. Mesa Verde Editions, 2021.",
        "Alvarez, L., Chen, W., & Mbeki, T. (2021). Gardens of the high desert. "
        "Mesa Verde Editions.",
        "Alvarez, Lucía, Wei Chen, and Thandiwe Mbeki. Gardens of the high desert. "
        "Mesa Verde Editions, 2021.",
    ]


def test_apa_names_twenty_authors_with_an_ampersand_before_the_last() -> None:
    cited = book(title="Field notes", authors=TWENTY_ONE[:20], publisher="Delta Press")
    assert cite(cited, Style.APA).text == (
        f"{APA_NINETEEN}, & Tanaka, K. (2019). Field notes. Delta Press."
    )


def test_apa_twenty_one_authors_become_nineteen_an_ellipsis_and_the_last() -> None:
    cited = book(title="Field notes", authors=TWENTY_ONE, publisher="Delta Press")
    assert cite(cited, Style.APA).text == (
        f"{APA_NINETEEN}, . . . Ueda, K. (2019). Field notes. Delta Press."
    )


def test_chicago_names_ten_authors_and_cuts_eleven_to_seven_et_al() -> None:
    ten = cite(book(title="Field notes", authors=TWENTY_ONE[:10]), Style.CHICAGO).text
    eleven = cite(book(title="Field notes", authors=TWENTY_ONE[:11]), Style.CHICAGO).text
    assert ten == (
        "Abbott, Ruth, Marc Baptiste, Inés Castillo, Sipho Dube, Lars Eriksen, Awa Fofana, "
        "Helen Grant, Omar Haddad, Chidi Iwu, and Pieter Jansen. Field notes. "
        "Harbor Light Books, 2019."
    )
    assert eleven == (
        "Abbott, Ruth, Marc Baptiste, Inés Castillo, Sipho Dube, Lars Eriksen, Awa Fofana, "
        "Helen Grant, et al. Field notes. Harbor Light Books, 2019."
    )


def test_without_an_author_the_title_comes_first_and_apa_puts_the_date_after_it() -> None:
    cited = book(
        title="Household remedies for the modern kitchen",
        authors=(),
        publisher="Lakeshore Press",
        year=2008,
        edition="2nd ed",
    )
    assert texts(cited) == [
        "Household remedies for the modern kitchen. 2nd ed., Lakeshore Press, 2008.",
        "Household remedies for the modern kitchen (2nd ed.). (2008). Lakeshore Press.",
        "Household remedies for the modern kitchen. 2nd ed. Lakeshore Press, 2008.",
    ]


def test_corporate_author_is_kept_whole() -> None:
    cited = book(
        title="Storm spotting basics",
        authors=("National Weather Service",),
        publisher="Government Publishing Office",
        year=2015,
    )
    assert texts(cited) == [
        "National Weather Service. Storm spotting basics. Government Publishing Office, 2015.",
        "National Weather Service. (2015). Storm spotting basics. Government Publishing Office.",
        "National Weather Service. Storm spotting basics. Government Publishing Office, 2015.",
    ]


def test_corporate_author_that_is_also_the_publisher_is_named_once_in_mla_and_apa() -> None:
    cited = book(
        title="Walking tours of the old mill district",
        authors=("Friends of the Millbrook Library",),
        publisher="Friends of the Millbrook Library",
        year=2016,
    )
    assert texts(cited) == [
        "Walking tours of the old mill district. Friends of the Millbrook Library, 2016.",
        "Friends of the Millbrook Library. (2016). Walking tours of the old mill district.",
        "Friends of the Millbrook Library. Walking tours of the old mill district. "
        "Friends of the Millbrook Library, 2016.",
    ]


def test_record_without_a_year_says_n_d_in_apa() -> None:
    assert cite(book(year=None), Style.APA).text == (
        "Okafor, A. (n.d.). The salt road home. Harbor Light Books."
    )


def test_record_without_a_year_says_n_d_in_chicago_and_leaves_the_date_out_in_mla() -> None:
    cited = book(year=None)
    assert cite(cited, Style.CHICAGO).text == (
        "Okafor, Adaeze. The salt road home. Harbor Light Books, n.d."
    )
    assert cite(cited, Style.MLA).text == "Okafor, Adaeze. The salt road home. Harbor Light Books."


def test_second_edition_is_abbreviated_in_each_style_place() -> None:
    assert texts(book(edition="Second edition", place="Boston")) == [
        "Okafor, Adaeze. The salt road home. 2nd ed., Harbor Light Books, 2019.",
        "Okafor, A. (2019). The salt road home (2nd ed.). Harbor Light Books.",
        "Okafor, Adaeze. The salt road home. 2nd ed. Boston: Harbor Light Books, 2019.",
    ]


@pytest.mark.parametrize(
    ("cataloged", "cited"),
    [
        ("Second edition", "2nd ed."),
        ("2nd ed", "2nd ed."),
        ("2d ed.", "2nd ed."),
        ("[3rd ed.]", "3rd ed."),
        ("Segunda edición", "2nd ed."),
        ("2a ed.", "2nd ed."),
        ("2.ª ed.", "2nd ed."),
        ("Third edition, revised", "3rd rev. ed."),
        ("Revised edition", "Rev. ed."),
        ("11th edition", "11th ed."),
        ("22nd edition", "22nd ed."),
        ("Large print edition", "Large print ed."),
        ("Book club", "Book club"),
    ],
)
def test_editions_are_cited_in_the_short_form(cataloged: str, cited: str) -> None:
    assert cite(book(edition=cataloged), Style.MLA).text == (
        f"Okafor, Adaeze. The salt road home. {cited}, Harbor Light Books, 2019."
    )


@pytest.mark.parametrize(
    "cataloged", ["First edition", "1st ed.", "1a ed.", "Primera edición", "First American edition"]
)
def test_a_first_edition_is_never_printed(cataloged: str) -> None:
    assert texts(book(edition=cataloged)) == texts(book(edition=""))


def test_spanish_title_and_name_keep_their_accents() -> None:
    cited = book(
        title="Cien años de soledad",
        authors=("García Márquez, Gabriel, 1927-2014",),
        publisher="Editorial Sudamericana",
        year=1967,
        edition="1a ed.",
        place="Buenos Aires",
    )
    assert texts(cited) == [
        "García Márquez, Gabriel. Cien años de soledad. Editorial Sudamericana, 1967.",
        "García Márquez, G. (1967). Cien años de soledad. Editorial Sudamericana.",
        "García Márquez, Gabriel. Cien años de soledad. Buenos Aires: Editorial Sudamericana, "
        "1967.",
    ]


def test_apa_sentence_case_handles_spanish_opening_marks_and_accented_capitals() -> None:
    cited = book(title="¿Dónde Están Las Estrellas? Él Responde", authors=("Ruiz, Ángela",))
    assert cite(cited, Style.APA).text == (
        "Ruiz, Á. (2019). ¿Dónde están las estrellas? Él responde. Harbor Light Books."
    )


def test_apa_puts_the_title_in_sentence_case() -> None:
    cited = book(title="Counting Stars: A NASA Engineer's Guide to the McDonald Observatory")
    assert cite(cited, Style.APA).text == (
        "Okafor, A. (2019). Counting stars: A NASA engineer's guide to the McDonald observatory. "
        "Harbor Light Books."
    )
    # MLA and Chicago keep the title as it was cataloged.
    assert cite(cited, Style.MLA).text == (
        "Okafor, Adaeze. Counting Stars: A NASA Engineer's Guide to the McDonald Observatory. "
        "Harbor Light Books, 2019."
    )


def test_apa_sentence_case_lowers_each_part_of_a_hyphenated_word_and_keeps_i() -> None:
    cited = book(title="Self-Help For Beginners: What I Learned", authors=())
    assert cite(cited, Style.APA).text == (
        "Self-help for beginners: What I learned. (2019). Harbor Light Books."
    )


def test_marc_punctuation_is_stripped_from_title_and_names() -> None:
    # As octavo.catalog.mapping stores a record: 245 $a "... :" $b "... /", 100 with $d and $e,
    # 700 with $q and $d, 264 $b "Harbor Light Books, Inc.," and 250 "Second edition."
    cited = book(
        title="The lighthouse keeper's daughter : a novel /",
        authors=("Okafor, Adaeze, 1971- author.", "Whitcombe, E. M. (Eleanor Mary), 1948-"),
        publisher="Harbor Light Books, Inc",
        edition="Second edition.",
        place="Boston :",
    )
    assert texts(cited) == [
        "Okafor, Adaeze, and E. M. Whitcombe. The lighthouse keeper's daughter: a novel. "
        "2nd ed., Harbor Light Books, 2019.",
        "Okafor, A., & Whitcombe, E. M. (2019). The lighthouse keeper's daughter: A novel "
        "(2nd ed.). Harbor Light Books.",
        "Okafor, Adaeze, and E. M. Whitcombe. The lighthouse keeper's daughter: a novel. "
        "2nd ed. Boston: Harbor Light Books, 2019.",
    ]


@pytest.mark.parametrize(
    ("stored", "mla", "apa"),
    [
        ("Whitcombe, E. M", "Whitcombe, E. M.", "Whitcombe, E. M."),
        ("Whitcombe, E.M.", "Whitcombe, E. M.", "Whitcombe, E. M."),
        ("Whitcombe, Eleanor Mary, 1948-2020", "Whitcombe, Eleanor Mary.", "Whitcombe, E. M."),
        ("Whitcombe, Eleanor, ca. 1890-1950", "Whitcombe, Eleanor.", "Whitcombe, E."),
        ("Whitcombe, Eleanor, -1850", "Whitcombe, Eleanor.", "Whitcombe, E."),
        ("Whitcombe, Eleanor, editor", "Whitcombe, Eleanor.", "Whitcombe, E."),
        ("Whitcombe, Eleanor, 1948- author, illustrator", "Whitcombe, Eleanor.", "Whitcombe, E."),
        ("Lindqvist, Jean-Paul", "Lindqvist, Jean-Paul.", "Lindqvist, J.-P."),
        ("Smith, Ed", "Smith, Ed.", "Smith, E."),
        ("Seuss, Dr", "Seuss, Dr.", "Seuss, Dr."),
        ("Beauvoir, Simone de", "Beauvoir, Simone de.", "Beauvoir, S. de."),
        ("Hale, Marcus, Jr", "Hale, Marcus, Jr.", "Hale, M., Jr."),
        ("Homer", "Homer.", "Homer."),
    ],
)
def test_stored_names_become_cited_names(stored: str, mla: str, apa: str) -> None:
    cited = book(authors=(stored,))
    assert cite(cited, Style.MLA).text.startswith(f"{mla} The salt road home.")
    assert cite(cited, Style.APA).text.startswith(f"{apa} (2019).")


def test_chicago_writes_a_later_authors_suffix_without_a_comma() -> None:
    cited = book(authors=("Ortiz, Ana", "Hale, Marcus, Jr"))
    assert cite(cited, Style.CHICAGO).text == (
        "Ortiz, Ana, and Marcus Hale Jr. The salt road home. Harbor Light Books, 2019."
    )


def test_a_title_ending_in_a_question_mark_takes_no_period() -> None:
    assert texts(book(title="Who keeps the lighthouse?")) == [
        "Okafor, Adaeze. Who keeps the lighthouse? Harbor Light Books, 2019.",
        "Okafor, A. (2019). Who keeps the lighthouse? Harbor Light Books.",
        "Okafor, Adaeze. Who keeps the lighthouse? Harbor Light Books, 2019.",
    ]


def test_mla_shortens_university_press_and_the_others_do_not() -> None:
    yale = book(publisher="Yale University Press")
    assert cite(yale, Style.MLA).text.endswith(" Yale UP, 2019.")
    assert cite(book(publisher="University of Nebraska Press"), Style.MLA).text.endswith(
        " U of Nebraska P, 2019."
    )
    assert cite(book(publisher="MIT Press"), Style.MLA).text.endswith(" MIT Press, 2019.")
    assert cite(yale, Style.APA).text.endswith(" Yale University Press.")
    assert cite(yale, Style.CHICAGO).text.endswith(" Yale University Press, 2019.")


def test_unidentified_publisher_and_place_are_left_out() -> None:
    cited = book(
        publisher="[publisher not identified]", place="[Place of publication not identified]"
    )
    assert texts(cited) == [
        "Okafor, Adaeze. The salt road home. 2019.",
        "Okafor, A. (2019). The salt road home.",
        "Okafor, Adaeze. The salt road home. 2019.",
    ]


def test_apa_describes_an_audiobook_in_brackets() -> None:
    assert cite(book(format="audio"), Style.APA).text == (
        "Okafor, A. (2019). The salt road home [Audiobook]. Harbor Light Books."
    )


def test_all_citations_come_in_the_order_mla_apa_chicago() -> None:
    assert [c.style for c in all_citations(book())] == [Style.MLA, Style.APA, Style.CHICAGO]
    assert [c.style.label for c in all_citations(book())] == [
        "MLA (9th ed.)",
        "APA (7th ed.)",
        "Chicago (17th ed.)",
    ]


def test_style_may_be_given_by_name_and_an_unknown_one_is_refused() -> None:
    assert cite(book(), "apa") == cite(book(), Style.APA)
    with pytest.raises(ValueError, match="harvard"):
        cite(book(), "harvard")


def test_cited_from_reads_a_records_columns() -> None:
    record = SimpleNamespace(
        title="Cien años de soledad",
        authors=["García Márquez, Gabriel, 1927-2014", " "],
        publisher="Editorial Sudamericana",
        year=1967,
        edition="1a ed.",
        format="book",
    )
    assert cited_from(record) == Cited(
        title="Cien años de soledad",
        authors=("García Márquez, Gabriel, 1927-2014",),
        publisher="Editorial Sudamericana",
        year=1967,
        edition="1a ed.",
        format="book",
        place="",
    )
