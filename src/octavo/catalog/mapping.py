"""What a MARC 21 record says, in library words: title, authors, ISBNs, format, language...

Pure (pymarc and python-stdnum only). The catalog stores the MARC record as the truth and these
derived values beside it for display, matching, search and facets.
Field meanings: MARC 21 Format for Bibliographic Data (leader/06-07, 007/00, 008, 0XX-8XX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import pymarc
from stdnum import isbn as stdisbn
from stdnum import issn as stdissn
from stdnum.exceptions import ValidationError


class Format(StrEnum):
    BOOK = "book"
    PERIODICAL = "periodical"
    BRAILLE = "braille"
    AUDIO = "audio"
    MUSIC = "music"  # musical sound recording
    SCORE = "score"
    VIDEO = "video"
    PICTURE = "picture"
    MAP = "map"
    KIT = "kit"
    OBJECT = "object"
    ERESOURCE = "e-resource"
    OTHER = "other"


_BY_TYPE = {
    "c": Format.SCORE,
    "d": Format.SCORE,
    "e": Format.MAP,
    "f": Format.MAP,
    "g": Format.VIDEO,
    "i": Format.AUDIO,
    "j": Format.MUSIC,
    "k": Format.PICTURE,
    "m": Format.ERESOURCE,
    "o": Format.KIT,
    "p": Format.KIT,
    "r": Format.OBJECT,
}
_TRAILING = re.compile(r"[\s/:;,.=]+$")
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")


@dataclass(frozen=True, slots=True)
class Isbns:
    valid: tuple[str, ...]  # ISBN-13, digits only
    invalid: tuple[str, ...]  # as found, for the data-quality report


@dataclass(frozen=True, slots=True)
class Description:
    control_number: str
    control_number_source: str
    system_numbers: tuple[str, ...]  # 035 $a
    title: str
    responsibility: str
    authors: tuple[str, ...]
    edition: str
    publisher: str
    year: int | None
    isbns: Isbns
    issns: tuple[str, ...]
    format: Format
    language: str
    subjects: tuple[str, ...]
    series: tuple[str, ...]
    summary: str
    reading_level: str
    call_number: str
    extra_text: tuple[str, ...] = field(default=())  # contents, notes: searchable only


def clean(text: str) -> str:
    """A subfield's text without ISBD's trailing punctuation ("Title /" -> "Title")."""
    return _TRAILING.sub("", " ".join(text.split()))


def _values(record: pymarc.Record, tag: str, codes: str) -> list[str]:
    out = []
    for f in record.get_fields(tag):
        text = " ".join(sf.value for sf in f.subfields if sf.code in codes and sf.value.strip())
        if text.strip():
            out.append(clean(text))
    return out


def _first(record: pymarc.Record, tags: tuple[str, ...], codes: str) -> str:
    for tag in tags:
        found = _values(record, tag, codes)
        if found:
            return found[0]
    return ""


def _control(record: pymarc.Record, tag: str) -> str:
    f = record.get(tag)
    return (f.data or "").strip() if f is not None else ""


def normalize_isbn(text: str) -> str | None:
    """ISBN-13 digits for any valid form ('0-306-40615-2', '9780306406157 (pbk.)'), else None."""
    candidate = text.strip().split(" ")[0].split("(")[0]
    try:
        return str(stdisbn.to_isbn13(stdisbn.validate(candidate)))
    except ValidationError:
        return None


def file_invalid_isbns(record: pymarc.Record) -> list[str]:
    """Move each 020 $a that is not a valid ISBN to $z (MARC 21: "canceled/invalid ISBN").

    The text is kept, never dropped; the values moved are returned for the import report.
    """
    moved = []
    for f in record.get_fields("020"):
        subfields = []
        for sf in f.subfields:
            if sf.code == "a" and normalize_isbn(sf.value) is None:
                moved.append(sf.value.strip())
                sf = pymarc.Subfield("z", sf.value)
            subfields.append(sf)
        f.subfields = subfields
    return moved


def isbns_of(record: pymarc.Record) -> Isbns:
    valid: list[str] = []
    invalid: list[str] = []
    for f in record.get_fields("020"):
        for sf in f.subfields:
            if sf.code == "a":
                normalized = normalize_isbn(sf.value)
                if normalized:
                    if normalized not in valid:
                        valid.append(normalized)
                else:
                    invalid.append(sf.value.strip())
            elif sf.code == "z":  # cancelled/invalid, kept by the cataloger on purpose
                invalid.append(sf.value.strip())
    return Isbns(tuple(valid), tuple(invalid))


def issns_of(record: pymarc.Record) -> tuple[str, ...]:
    out = []
    for f in record.get_fields("022"):
        for value in f.get_subfields("a"):
            try:
                out.append(str(stdissn.format(stdissn.validate(value.strip().split(" ")[0]))))
            except ValidationError:
                continue
    return tuple(out)


def format_of(record: pymarc.Record) -> Format:
    leader = str(record.leader)
    kind, level = leader[6:7], leader[7:8]
    fixed = _control(record, "008").ljust(40)
    physical = [(f.data or "")[:1] for f in record.get_fields("007")]
    if kind in {"a", "t"}:
        form = fixed[23]
        if form == "f" or "f" in physical:
            return Format.BRAILLE
        if form in {"o", "q", "s"} or "c" in physical:
            return Format.ERESOURCE
        return Format.PERIODICAL if level in {"b", "i", "s"} else Format.BOOK
    return _BY_TYPE.get(kind, Format.OTHER)


def language_of(record: pymarc.Record) -> str:
    code = _control(record, "008").ljust(40)[35:38].strip().lower()
    if re.fullmatch(r"[a-z]{3}", code) and code not in {"und", "zxx", "mul"}:
        return code
    for f in record.get_fields("041"):
        for value in f.get_subfields("a"):
            if re.fullmatch(r"[a-z]{3}", value.strip().lower()[:3]):
                return value.strip().lower()[:3]
    return code if re.fullmatch(r"[a-z]{3}", code) else ""


def year_of(record: pymarc.Record) -> int | None:
    date1 = _control(record, "008").ljust(40)[7:11]
    if date1.isdigit() and date1 != "9999" and int(date1) > 0:
        return int(date1)
    for tag in ("264", "260"):
        for f in record.get_fields(tag):
            for value in f.get_subfields("c"):
                found = _YEAR.search(value)
                if found:
                    return int(found.group(1))
    return None


def describe(record: pymarc.Record) -> Description:
    title = _first(record, ("245",), "abfgknps") or _first(record, ("246", "240", "130"), "a")
    authors = [
        *_values(record, "100", "abcdq"),
        *_values(record, "110", "ab"),
        *_values(record, "111", "a"),
        *_values(record, "700", "abcdq"),
        *_values(record, "710", "ab"),
        *_values(record, "711", "a"),
    ]
    subjects = [
        value
        for tag in ("600", "610", "611", "630", "650", "651", "655")
        for value in _values(record, tag, "abcdvxyz")
    ]
    series = [
        *_values(record, "490", "av"),
        *_values(record, "800", "atv"),
        *_values(record, "830", "anpv"),
    ]
    call_number = _first(record, ("092", "082"), "ab") or _first(record, ("050", "090"), "ab")
    return Description(
        control_number=_control(record, "001"),
        control_number_source=_control(record, "003"),
        system_numbers=tuple(_values(record, "035", "a")),
        title=title,
        responsibility=_first(record, ("245",), "c"),
        authors=tuple(dict.fromkeys(authors)),
        edition=_first(record, ("250",), "ab"),
        publisher=_first(record, ("264", "260"), "b"),
        year=year_of(record),
        isbns=isbns_of(record),
        issns=issns_of(record),
        format=format_of(record),
        language=language_of(record),
        subjects=tuple(dict.fromkeys(subjects)),
        series=tuple(dict.fromkeys(series)),
        summary=_first(record, ("520",), "ab"),
        reading_level=_first(record, ("521",), "ab"),
        call_number=call_number,
        extra_text=tuple(_values(record, "505", "agrt")),
    )
