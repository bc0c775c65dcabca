"""Citations of a catalog record for the public catalog: MLA (9th ed.), APA (7th ed.) and
Chicago (17th ed., notes-bibliography style, the bibliography entry).

Pure: no Django, no other octavo app. The view builds a `Cited` from a record with `cited_from`
and renders each `Citation`'s parts, putting the italic ones in <i>. The record's columns are
what octavo.catalog.mapping derived from MARC, so this module tidies what MARC leaves behind:
ISBD punctuation ("Title : subtitle /"), dates and fuller forms after names ("Rowling, J. K.
(Joanne K.), 1965-"), relator terms ("author."), initials whose period was stripped ("J. K").

What no rule here can know: proper nouns in a title (APA's sentence case lower-cases them, see
`_sentence_case`), and a corporate name that contains a comma (read as "Last, First").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Style(StrEnum):
    MLA = "mla"
    APA = "apa"
    CHICAGO = "chicago"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Style.MLA: "MLA (9th ed.)",
    Style.APA: "APA (7th ed.)",
    Style.CHICAGO: "Chicago (17th ed.)",
}


@dataclass(frozen=True, slots=True)
class Cited:
    """What a citation is made of, as cataloged. `cite` tidies the MARC leftovers."""

    title: str
    authors: tuple[str, ...]
    publisher: str
    year: int | None
    edition: str
    format: str  # an octavo.catalog.mapping.Format value ("book", "audio"...)
    place: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    style: Style
    parts: tuple[tuple[str, bool], ...]  # (text, italic), in reading order

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


class CatalogRecord(Protocol):
    """What `cited_from` reads: octavo.catalog.models.Record has these columns."""

    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def publisher(self) -> str: ...
    @property
    def year(self) -> int | None: ...
    @property
    def edition(self) -> str: ...
    @property
    def format(self) -> str: ...


def cited_from(record: CatalogRecord) -> Cited:
    # Record has no place of publication column yet; a caller's object may carry one.
    place = getattr(record, "place", "") or ""
    return Cited(
        title=record.title or "",
        authors=tuple(str(a) for a in (record.authors or ()) if str(a).strip()),
        publisher=record.publisher or "",
        year=record.year,
        edition=record.edition or "",
        format=str(record.format or ""),
        place=str(place),
    )


def cite(cited: Cited, style: Style | str) -> Citation:
    style = Style(style)
    return Citation(style=style, parts=_BUILDERS[style](cited))


def all_citations(cited: Cited) -> list[Citation]:
    return [cite(cited, style) for style in (Style.MLA, Style.APA, Style.CHICAGO)]


# ---------------------------------------------------------------------------------------------
# Names


@dataclass(frozen=True, slots=True)
class _Name:
    last: str  # the whole name when `whole`
    given: str = ""
    suffix: str = ""  # Jr., III
    whole: bool = True  # corporate ("World Health Organization") or single ("Homer")


_RELATOR = re.compile(
    r",?\s+(?:author|editor|compiler|illustrator|translator|narrator|joint author|"
    r"contributor|writer of introduction|writer of foreword|ed|eds|comp|ill|illus|tr|trans)"
    r"\.?$"
)  # MARC 100/700 $e, always lower case: "Smith, Ed" keeps its Ed
_DATES = re.compile(
    r",\s*(?:(?:b\.|d\.|ca\.|fl\.|approximately|active|born|died)\s*)?"
    r"(?:\d{3,4}\??\s*-\s*(?:ca\.\s*)?(?:\d{3,4}\??)?|-\s*\d{3,4}\??|\d{3,4}\??"
    r"|\d{1,2}(?:st|nd|rd|th) cent(?:\.|ury))$"
)  # MARC 100 $d: "1965-", "1892-1973", "-1850", "ca. 1400", "fl. 1520", "19th cent."
_FULLER = re.compile(r"\s*\([^)]*\)")  # MARC 100 $q: "(Joanne K.)"
_TRAILING = re.compile(r"[\s/:;,=]+$")  # ISBD punctuation a field can end with
_NAME_TRAILING = re.compile(r"[\s/:;,.=]+$")  # and a name's final period: `_with_periods` puts
# back the ones that belong to initials and abbreviations.
_SQUASHED = re.compile(r"(?<![^\W\d_])([^\W\d_])\.(?=[^\W\d_])")  # "J.K." -> "J. K."
_ABBREVIATIONS = frozenset({"Jr", "Sr", "Dr", "Mr", "Mrs", "Ms", "St", "Fr", "Sra", "Dra"})
# Words that stand for a whole given name (MARC 100 $c, "Seuss, Dr."); APA keeps them whole.
_HONORIFICS = frozenset({"Dr.", "Mr.", "Mrs.", "Ms.", "Sir", "Dame", "Lady", "Lord", "Saint"})


def _tidy_name(raw: str) -> str:
    text = _FULLER.sub("", " ".join(raw.split()))
    while True:
        before = text
        text = _DATES.sub("", _RELATOR.sub("", _NAME_TRAILING.sub("", text)))
        if text == before:
            return text


def _with_periods(words: str) -> str:
    """Give back the periods MARC cleaning took: "J. K" -> "J. K.", "Jr" -> "Jr."."""
    out = []
    for word in _SQUASHED.sub(r"\1. ", words).split():
        bare = word.rstrip(".")
        if (len(bare) == 1 and bare.isupper()) or bare in _ABBREVIATIONS:
            word = f"{bare}."
        out.append(word)
    return " ".join(out)


def _name(raw: str) -> _Name | None:
    text = _tidy_name(raw)
    if not text:
        return None
    if "," not in text:
        return _Name(last=text)
    last, _, rest = text.partition(",")
    given, _, suffix = (part.strip() for part in rest.partition(","))
    if not given:
        return _Name(last=last.strip())
    return _Name(
        last=last.strip(),
        given=_with_periods(given),
        suffix=_with_periods(suffix),
        whole=False,
    )


def _inverted(name: _Name) -> str:
    if name.whole:
        return name.last
    return ", ".join(p for p in (name.last, name.given, name.suffix) if p)


def _direct(name: _Name, *, suffix_comma: bool) -> str:
    if name.whole:
        return name.last
    text = f"{name.given} {name.last}"
    if name.suffix:
        text += f", {name.suffix}" if suffix_comma else f" {name.suffix}"
    return text


def _initials(given: str) -> str:
    """APA 7, 9.8: initials of the given names; a hyphenated name keeps its hyphen ("J.-P.").

    A title standing for the given name stays whole ("Seuss, Dr."); a lower-case particle
    MARC puts after the given name stays as written ("Beauvoir, S. de").
    """
    if given in _HONORIFICS:
        return given
    out = []
    for word in given.split():
        letters = [seg for seg in word.split("-") if any(c.isalpha() for c in seg)]
        if not letters:
            continue
        if word[0].islower():
            out.append(word)
            continue
        out.append("-".join(f"{next(c for c in seg if c.isalpha()).upper()}." for seg in letters))
    return " ".join(out)


def _apa_name(name: _Name) -> str:
    if name.whole:
        return name.last
    return ", ".join(p for p in (name.last, _initials(name.given), name.suffix) if p)


def _names(cited: Cited) -> list[_Name]:
    return [n for n in (_name(a) for a in cited.authors) if n is not None]


# ---------------------------------------------------------------------------------------------
# Title, edition, publisher, place

_END_MARKS = (".", "?", "!")


def _title(raw: str) -> str:
    """The cataloged title with ISBD spacing made ordinary: "Title : subtitle /" ->
    "Title: subtitle". MLA 9 and CMOS 17 both join a subtitle with a colon."""
    text = " ".join(raw.split())
    text = re.sub(r"\s+([:;])\s*", r"\1 ", text)
    return _TRAILING.sub("", text) or "[Untitled]"


def _keeps_capitals(segment: str) -> bool:
    letters = "".join(c for c in segment if c.isalpha())
    if not letters or letters == "I" or segment.startswith(("I'", "I\u2019")):
        return True
    return any(c.isupper() for c in letters[1:])


def _capitalize_first_letter(word: str) -> str:
    for i, c in enumerate(word):
        if c.isalpha():
            return word[:i] + c.upper() + word[i + 1 :]
    return word


def _sentence_case(title: str) -> str:
    """APA 7, 6.17: sentence case, i.e. capitals only for the first word, the first word after a
    colon (or ?, !, a full stop, a dash) and proper nouns.

    Proper nouns cannot be told from other words, so only words that show they are not plain
    words keep their capitals: a capital after the first letter ("McDonald", "NASA", "iPhone")
    or the pronoun "I". "Harry" in a title becomes "harry": the catalog's own capitals win only
    where they say more than title case does.
    """
    out = []
    starts = True
    for token in re.split(r"(\s+)", title):
        if not token or token.isspace():
            out.append(token)
            continue
        if token in {"\u2014", "\u2013", "-", "--"}:
            out.append(token)
            starts = True
            continue
        word = "-".join(seg if _keeps_capitals(seg) else seg.lower() for seg in token.split("-"))
        out.append(_capitalize_first_letter(word) if starts else word)
        starts = token.rstrip("\"'\u201d\u2019\u00bb)").endswith((":", "?", "!", ".", "\u2014"))
    return "".join(out)


_ORDINAL_WORDS = {
    word: n
    for n, words in enumerate(
        [
            ("first", "primera", "primer", "primero"),
            ("second", "segunda", "segundo"),
            ("third", "tercera", "tercer", "tercero"),
            ("fourth", "cuarta", "cuarto"),
            ("fifth", "quinta", "quinto"),
            ("sixth", "sexta", "sexto"),
            ("seventh", "séptima", "septima", "séptimo"),
            ("eighth", "octava", "octavo"),
            ("ninth", "novena", "noveno"),
            ("tenth", "décima", "decima", "décimo"),
            ("eleventh",),
            ("twelfth",),
        ],
        start=1,
    )
    for word in words
}
# "2nd", "2d" (AACR2), "2a"/"2ª"/"2.ª" (Spanish), "2e"/"2ème" (French), or a bare "2".
_ORDINAL_NUMBER = re.compile(r"^(\d{1,3})\.?\s*(?:st|nd|rd|th|d|a|ª|o|º|e|ème|er|re)?\.?$")
_EDITION_WORDS = frozenset({"edition", "ed", "edn", "edición", "edicion", "éd", "édition"})
_EDITION_ADJECTIVES = {"revised": "rev.", "rev": "rev.", "corregida": "rev.", "revisada": "rev."}


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    ending = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{ending}"


def _edition(raw: str) -> str:
    """The edition as all three styles abbreviate it: "Second edition" -> "2nd ed.",
    "Revised edition" -> "Rev. ed.". A first edition is never cited (MLA 9, "Version";
    APA 7, 10.2; CMOS 17, ch. 14, "editions other than the first"), and "" says so.
    """
    text = _TRAILING.sub("", " ".join(raw.replace("[", "").replace("]", "").split()))
    words = text.split()
    if not words:
        return ""
    number: int | None = None
    first = words[0].lower().rstrip(".,")
    if first in _ORDINAL_WORDS:
        number = _ORDINAL_WORDS[first]
    elif match := _ORDINAL_NUMBER.match(first):
        number = int(match.group(1))
    rest = words[1:] if number is not None else words
    edition_word = any(w.lower().rstrip(".,") in _EDITION_WORDS for w in rest)
    others = [w for w in rest if w.lower().rstrip(".,") not in _EDITION_WORDS]
    if number is None and not edition_word:
        return text  # "Large print", "Book club": a statement to give as written
    if number == 1:
        return ""  # "First American edition", "Primera edición en español": still a first
    adjectives = " ".join(_EDITION_ADJECTIVES.get(w.lower().rstrip(".,"), w) for w in others)
    phrase = " ".join(p for p in (_ordinal(number) if number else "", adjectives, "ed.") if p)
    return phrase[0].upper() + phrase[1:]


_UNKNOWN = frozenset(
    {
        "s.n", "s.l", "publisher not identified", "place of publication not identified",
        "editor no identificado", "lugar de publicación no identificado", "sine nomine",
    }
)  # fmt: skip
# MLA 9 (p. 172), APA 7 and CMOS 17 all drop business words from a publisher's name.
_BUSINESS = re.compile(r",?\s+(?:Inc|Incorporated|Ltd|Limited|Corp|Corporation|LLC|S\.A)\.?$")


def _bare(raw: str) -> str:
    text = _TRAILING.sub("", " ".join(raw.replace("[", "").replace("]", "").split()))
    return "" if text.lower().rstrip(".") in _UNKNOWN else text


def _publisher(raw: str) -> str:
    text = _bare(raw)
    while (shorter := _BUSINESS.sub("", text)) != text and shorter:
        text = shorter
    return text


def _mla_publisher(name: str) -> str:
    # MLA 9 (p. 172): "University Press" becomes "UP"; apart, the words become "U" and "P"
    # ("U of Chicago P"). Other presses keep "Press" ("MIT Press").
    if "University Press" in name:
        return name.replace("University Press", "UP")
    if re.search(r"\bUniversity\b", name) and re.search(r"\bPress\b", name):
        return re.sub(r"\bPress\b", "P", re.sub(r"\bUniversity\b", "U", name))
    return name


def _sole_author_publishes(names: list[_Name], publisher: str) -> bool:
    return (
        len(names) == 1
        and names[0].whole
        and bool(publisher)
        and names[0].last.casefold() == publisher.casefold()
    )


def _stop(text: str) -> str:
    """The period that closes an element, unless the element already ends in one ("J. K.")."""
    return "" if text.endswith(_END_MARKS) else "."


class _Parts:
    def __init__(self) -> None:
        self._parts: list[tuple[str, bool]] = []

    def add(self, text: str, italic: bool = False) -> None:
        if not text:
            return
        if self._parts and self._parts[-1][1] == italic:
            self._parts[-1] = (self._parts[-1][0] + text, italic)
        else:
            self._parts.append((text, italic))

    def done(self) -> tuple[tuple[str, bool], ...]:
        return tuple(self._parts)


# ---------------------------------------------------------------------------------------------
# The styles


def _mla(cited: Cited) -> tuple[tuple[str, bool], ...]:
    names = _names(cited)
    publisher = _publisher(cited.publisher)
    if _sole_author_publishes(names, publisher):
        # MLA 9: a work by an organization that also published it begins with the title and
        # names the organization once, as publisher.
        names = []
    if len(names) >= 3:
        # MLA 9, "Author": three or more authors: the first, then "et al."
        author = f"{_inverted(names[0])}, et al."
    elif len(names) == 2:
        # MLA 9, "Author": two authors: the first inverted, "and", the second in normal order.
        author = f"{_inverted(names[0])}, and {_direct(names[1], suffix_comma=True)}"
    elif names:
        author = _inverted(names[0])
    else:
        author = ""  # MLA 9: no author: the entry begins with the title.
    title = _title(cited.title)
    # MLA 9 core elements after the title, each followed by a comma: version (edition),
    # publisher, date; the last closes with a period.
    tail = ", ".join(
        p for p in (_edition(cited.edition), _mla_publisher(publisher), _year(cited)) if p
    )
    parts = _Parts()
    if author:
        parts.add(f"{author}{_stop(author)} ")
    parts.add(title, italic=True)
    parts.add(_stop(title))
    if tail:
        parts.add(f" {tail}{_stop(tail)}")
    return parts.done()


def _year(cited: Cited) -> str:
    return str(cited.year) if cited.year else ""


# APA 7, 9.21: a description in square brackets after the title says what a non-book is.
_APA_DESCRIPTIONS = {
    "audio": "Audiobook",
    "music": "Album",
    "video": "Film",
    "map": "Map",
    "score": "Musical score",
    "kit": "Kit",
}


def _apa(cited: Cited) -> tuple[tuple[str, bool], ...]:
    names = [_apa_name(n) for n in _names(cited)]
    if len(names) > 20:
        # APA 7, 9.8: 21 or more authors: the first 19, an ellipsis, then the final author
        # (no ampersand).
        author = ", ".join(names[:19]) + ", . . . " + names[-1]
    elif len(names) >= 2:
        # APA 7, 9.8: up to 20 authors, all named; "&" before the last, after a comma even
        # when there are only two.
        author = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        author = names[0] if names else ""
    # APA 7, 9.17: no date: "n.d."
    date = f"({cited.year})" if cited.year else "(n.d.)"
    title = _sentence_case(_title(cited.title))
    after_title = ""
    if edition := _edition(cited.edition):
        after_title += f" ({edition})"  # APA 7, 10.2: the edition in parentheses
    if description := _APA_DESCRIPTIONS.get(cited.format):
        after_title += f" [{description}]"
    publisher = _publisher(cited.publisher)
    if _sole_author_publishes(_names(cited), publisher):
        publisher = ""  # APA 7, 9.24: author and publisher the same: the publisher is omitted.
    parts = _Parts()
    if author:
        parts.add(f"{author}{_stop(author)} {date}. ")
        parts.add(title, italic=True)
        parts.add(f"{after_title}{_stop(after_title or title)}")
    else:
        # APA 7, 9.12: no author: the title moves to the author position, before the date.
        parts.add(title, italic=True)
        parts.add(f"{after_title}{_stop(after_title or title)} {date}.")
    if publisher:
        parts.add(f" {publisher}{_stop(publisher)}")
    return parts.done()


def _chicago(cited: Cited) -> tuple[tuple[str, bool], ...]:
    names = _names(cited)
    # CMOS 17, 14.76: a bibliography names up to ten authors; of more than ten, the first seven
    # followed by "et al." Only the first name is inverted (14.72).
    shown = names[:7] if len(names) > 10 else names
    rest = [_direct(n, suffix_comma=False) for n in shown[1:]]
    if len(names) > 10:
        author = ", ".join([_inverted(shown[0]), *rest]) + ", et al."
    elif rest:
        author = ", ".join([_inverted(shown[0]), *rest[:-1]]) + ", and " + rest[-1]
    else:
        author = _inverted(shown[0]) if shown else ""  # no author: begin with the title
    title = _title(cited.title)
    edition = _edition(cited.edition)
    place, publisher = _bare(cited.place), _publisher(cited.publisher)
    # CMOS 17, ch. 14: "Place: Publisher, Year"; without a date, "n.d."
    imprint = ": ".join(p for p in (place, publisher) if p)
    facts = ", ".join(p for p in (imprint, _year(cited) or "n.d.") if p)
    parts = _Parts()
    if author:
        parts.add(f"{author}{_stop(author)} ")
    parts.add(title, italic=True)
    parts.add(_stop(title))
    if edition:
        parts.add(f" {edition}{_stop(edition)}")
    parts.add(f" {facts}{_stop(facts)}")
    return parts.done()


_BUILDERS = {Style.MLA: _mla, Style.APA: _apa, Style.CHICAGO: _chicago}
