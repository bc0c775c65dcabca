"""Reading what a person typed into a search box. Pure: no Django, no database.

`cat in the hat`, `title:cat author:seuss`, `isbn:0-306-40615-2`, `subject:"civil war"`,
or just an ISBN or ISSN in any form. Words are matched whole, the last one also as a prefix
(a student still typing `dinosa` finds dinosaurs).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from stdnum import isbn as stdisbn
from stdnum import issn as stdissn
from stdnum.exceptions import ValidationError


class Field(StrEnum):
    ANY = "any"
    TITLE = "title"
    AUTHOR = "author"
    SUBJECT = "subject"
    SERIES = "series"
    ISBN = "isbn"
    CALL_NUMBER = "callnumber"


# Index columns each field searches (octavo.catalog.search_index.COLUMNS).
COLUMNS_FOR = {
    Field.TITLE: ("title",),
    Field.AUTHOR: ("authors",),
    Field.SUBJECT: ("subjects",),
    Field.SERIES: ("series",),
    Field.ISBN: ("identifiers",),
    Field.CALL_NUMBER: ("call_number",),
}
_ALIASES = {
    "ti": Field.TITLE,
    "au": Field.AUTHOR,
    "su": Field.SUBJECT,
    "se": Field.SERIES,
    "issn": Field.ISBN,
    "call": Field.CALL_NUMBER,
    "cn": Field.CALL_NUMBER,
    "kw": Field.ANY,
    "keyword": Field.ANY,
}
_PART = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to narrow a search; dropped when the query has other words.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "to",
        "for",
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "y",
        "un",
        "una",
    }
)


@dataclass(frozen=True, slots=True)
class Term:
    field: Field
    words: tuple[str, ...]  # lower-case; a phrase when more than one
    prefix: bool = False  # the last word may be the start of a longer word


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms


def fold(text: str) -> str:
    """Lower case without accents: `Pérez` -> `perez`, so either spelling finds the other."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def identifier(text: str) -> str | None:
    """A normalized ISBN-13 or ISSN when `text` is one, in any form."""
    compact = text.replace("-", "").replace(" ", "")
    try:
        return str(stdisbn.to_isbn13(stdisbn.validate(compact)))
    except ValidationError:
        pass
    try:
        return str(stdissn.format(stdissn.validate(compact)))
    except ValidationError:
        return None


def parse(text: str) -> Query:
    terms: list[Term] = []
    parts = list(_PART.finditer(text.strip()))
    for index, match in enumerate(parts):
        name, quoted, bare = match.group(1), match.group(2), match.group(3)
        field = Field.ANY
        if name:
            key = name.lower()
            named = _ALIASES.get(key) or (Field(key) if key in Field._value2member_map_ else None)
            if named is None:  # "word:word" that is not a field name: search it as typed
                bare = f"{name}:{bare or quoted or ''}"
            else:
                field = named
        raw = quoted if quoted is not None else (bare or "")
        found = identifier(raw) if field in (Field.ANY, Field.ISBN) else None
        if found:
            terms.append(Term(Field.ISBN, (found.replace("-", "").lower(),)))
            continue
        words = tuple(_WORD.findall(fold(raw)))
        if not words:
            continue
        last = index == len(parts) - 1 and quoted is None and not text.endswith(" ")
        terms.append(Term(field, words, prefix=last))
    plain = [
        t
        for t in terms
        if not (
            len(t.words) == 1 and t.words[0] in STOP_WORDS and t.field is Field.ANY and not t.prefix
        )
    ]
    return Query(tuple(plain or terms))
