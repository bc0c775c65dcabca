"""What a reader sees of a record beyond its indexed fields: the contents (MARC 505), general
and audience notes (500, 521), awards (586) and the other titles it is known by (246).

Read from the stored MARC when a record page is shown (a few hundred microseconds), so nothing
extra is stored or indexed for pages read far less often than searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymarc

# MARC 505 separates the titles of a formatted contents note with " -- " (MARC 21, 505 $a).
_CONTENTS_SEPARATOR = " -- "


@dataclass(frozen=True)
class Description:
    contents: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    awards: tuple[str, ...] = ()
    other_titles: tuple[str, ...] = ()


def _clean(text: str) -> str:
    """Trailing ISBD punctuation (and an enhanced 505's " --" between parts) off, spaces
    collapsed."""
    return re.sub(r"(\s*(--|[/:;,.]))+$", "", " ".join(text.split())).strip()


def _texts(record: pymarc.Record, tag: str, codes: str) -> list[str]:
    out = []
    for field in record.get_fields(tag):
        words = " ".join(v for v in field.get_subfields(*codes) if v)
        if _clean(words):
            out.append(_clean(words))
    return out


def _contents(record: pymarc.Record) -> list[str]:
    """Each title of the contents notes: the formatted ($a split at " -- ") and the enhanced
    ones ($t titles, with their $r responsibility)."""
    out: list[str] = []
    for field in record.get_fields("505"):
        titles = field.get_subfields("t")
        if titles:
            people = field.get_subfields("r")
            for n, title in enumerate(titles):
                who = _clean(people[n]) if n < len(people) else ""
                out.append(f"{_clean(title)} / {who}" if who else _clean(title))
            continue
        for text in field.get_subfields("a"):
            out.extend(_clean(part) for part in text.split(_CONTENTS_SEPARATOR) if _clean(part))
    return out


def describe(marc: bytes | memoryview) -> Description:
    """The reader's description of a stored MARC record; an unreadable one describes nothing
    more (the page still shows the record's indexed fields)."""
    try:
        record = pymarc.Record(bytes(marc), force_utf8=True)
    except Exception:
        return Description()
    return Description(
        contents=tuple(_contents(record)),
        notes=tuple(_texts(record, "500", "a")),
        audience=tuple(_texts(record, "521", "ab")),
        awards=tuple(_texts(record, "586", "a")),
        other_titles=tuple(_texts(record, "246", "ab")),
    )
