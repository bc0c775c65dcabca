"""Turning a MARC record into a stored Record, and the simple cataloging form into MARC.

Shared by the importer (batches) and the catalog services (one record at a time), so a record
saved either way has the same derived columns, keys and index entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import pymarc

from octavo.catalog.mapping import Description, clean, normalize_isbn
from octavo.catalog.models import Record, RecordKey
from octavo.shared.errors import InvalidInput

SUBJECT_TAGS = frozenset({"600", "610", "611", "630", "650", "651", "655"})
NON_FILING = ("the ", "a ", "an ", "el ", "la ", "los ", "las ", "un ", "una ")


def match_keys(d: Description, marc: bytes) -> list[tuple[str, str]]:
    """The keys a record is matched on, strongest first; the fingerprint always comes last."""
    keys: list[tuple[str, str]] = []
    if d.control_number:
        keys.append((RecordKey.Kind.CONTROL, f"{d.control_number_source}|{d.control_number}"))
    # "(OCoLC)12345" identifies a record; a bare "(OCoLC)" identifies nothing and must not
    # make unrelated records match (seen in the real samples).
    keys += [(RecordKey.Kind.SYSTEM, n) for n in d.system_numbers if n.split(")")[-1].strip()]
    keys += [(RecordKey.Kind.ISBN, i) for i in d.isbns.valid]
    keys.append((RecordKey.Kind.FINGERPRINT, hashlib.sha256(marc).hexdigest()))
    return [(kind, value[:160]) for kind, value in dict.fromkeys(keys)]


def title_sort(d: Description, record: pymarc.Record) -> str:
    title = d.title
    f245 = record.get("245")
    skip = f245.indicator2 if f245 is not None else " "
    if skip and skip.isdigit():  # 245 ind2: non-filing characters ("The ", "A ")
        title = title[int(skip) :]
    return clean(title).casefold()[:255]


def fill(
    target: Record,
    record: pymarc.Record,
    d: Description,
    marc: bytes,
    raw: bytes | None,
    at: datetime,
) -> None:
    """Set every derived column of `target` from `record` (already UTF-8, leader/09 'a')."""
    target.control_number = d.control_number[:64]
    target.control_number_source = d.control_number_source[:64]
    target.title = d.title
    target.title_sort = title_sort(d, record)
    target.responsibility = d.responsibility
    target.authors = list(d.authors)
    target.edition = d.edition[:255]
    target.publisher = d.publisher[:255]
    target.year = d.year
    target.format = d.format.value
    target.language = d.language
    target.isbns = list(d.isbns.valid)
    target.invalid_isbns = list(d.isbns.invalid)
    target.issns = list(d.issns)
    target.subjects = list(d.subjects)
    target.series = list(d.series)
    target.summary = d.summary
    target.reading_level = d.reading_level[:64]
    target.call_number = d.call_number[:100]
    target.marc = marc
    target.marc_original = raw if raw is not None and raw[9:10] != b"a" else None
    target.updated_at = at


@dataclass(frozen=True)
class RecordFields:
    """The cataloging form: what a technician fills in without knowing MARC."""

    title: str
    responsibility: str = ""
    authors: tuple[str, ...] = ()
    edition: str = ""
    publisher: str = ""
    year: int | None = None
    isbns: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    summary: str = ""
    reading_level: str = ""
    call_number: str = ""
    language: str = "eng"
    extra: dict[str, str] = field(default_factory=dict)


def _data(tag: str, ind: str, *pairs: tuple[str, str]) -> pymarc.Field:
    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators(ind[0], ind[1]),
        subfields=[pymarc.Subfield(c, v) for c, v in pairs if v],
    )


def check_fields(f: RecordFields) -> None:
    if not f.title.strip():
        raise InvalidInput("a record needs a title", field="title")
    for isbn in f.isbns:
        if isbn.strip() and normalize_isbn(isbn) is None:
            raise InvalidInput(f"{isbn!r} is not a valid ISBN (check the digits)", field="isbns")
    if f.year is not None and not 0 < f.year <= 9999:
        raise InvalidInput("a year has four digits", field="year")
    if len(f.language) != 3 or not f.language.isalpha():
        raise InvalidInput("a MARC language code has three letters (eng, spa)", field="language")


def form_fields(f: RecordFields) -> dict[str, list[pymarc.Field]]:
    """The MARC fields the form writes, by tag (MARC 21 bibliographic, minimal-level)."""
    title = " ".join(f.title.split())
    skip = next((len(a) for a in NON_FILING if title.lower().startswith(a)), 0)
    authors = [a.strip() for a in f.authors if a.strip()]
    return {
        "020": [_data("020", "  ", ("a", str(normalize_isbn(i)))) for i in f.isbns if i.strip()],
        "100": [_data("100", "1 ", ("a", authors[0]))] if authors else [],
        "245": [
            _data(
                "245", f"{1 if authors else 0}{skip}", ("a", title), ("c", f.responsibility.strip())
            )
        ],
        "250": [_data("250", "  ", ("a", f.edition.strip()))] if f.edition.strip() else [],
        "264": [
            _data("264", " 1", ("b", f.publisher.strip()), ("c", str(f.year) if f.year else ""))
        ]
        if f.publisher.strip() or f.year
        else [],
        "490": [_data("490", "0 ", ("a", s.strip())) for s in f.series if s.strip()],
        "520": [_data("520", "  ", ("a", f.summary.strip()))] if f.summary.strip() else [],
        "521": [_data("521", "  ", ("a", f.reading_level.strip()))]
        if f.reading_level.strip()
        else [],
        # Subjects typed in a form come from no thesaurus: 650 second indicator 4.
        "650": [_data("650", " 4", ("a", s.strip())) for s in f.subjects if s.strip()],
        "700": [_data("700", "1 ", ("a", a)) for a in authors[1:]],
        "092": [_data("092", "  ", ("a", f.call_number.strip()))] if f.call_number.strip() else [],
    }


def fixed_field(f: RecordFields, *, created: str) -> str:
    """008 for a book: date entered, single date, language (MARC 21 008/00-39)."""
    date1 = f"{f.year:04d}" if f.year else "uuuu"
    kind = "s" if f.year else "n"
    return f"{created}{kind}{date1}    xx            000 0 {f.language.lower()} d"


def new_record(f: RecordFields, *, at: datetime) -> pymarc.Record:
    check_fields(f)
    record = pymarc.Record(force_utf8=True, leader="00000nam a22000007i 4500")
    record.add_ordered_field(pymarc.Field(tag="008", data=fixed_field(f, created=f"{at:%y%m%d}")))
    for fields in sorted(form_fields(f).items()):
        for item in fields[1]:
            record.add_ordered_field(item)
    return record


def apply_fields(record: pymarc.Record, f: RecordFields, before: Description) -> pymarc.Record:
    """Rewrite only the parts of `record` the form changed, so an edit of the title leaves a
    cataloger's subject headings (with their $x, $v, $0) exactly as they were."""
    check_fields(f)
    changed: set[str] = set()
    if tuple(normalize_isbn(i) for i in f.isbns if i.strip()) != before.isbns.valid:
        changed.add("020")
    if tuple(a.strip() for a in f.authors if a.strip()) != before.authors:
        changed |= {"100", "700", "110", "111", "710", "711"}
    if (" ".join(f.title.split()), f.responsibility.strip()) != (
        before.title,
        before.responsibility,
    ):
        changed.add("245")
    simple = {
        "250": (f.edition, before.edition),
        "490": ("|".join(f.series), "|".join(before.series)),
        "520": (f.summary, before.summary),
        "521": (f.reading_level, before.reading_level),
        "650": ("|".join(f.subjects), "|".join(before.subjects)),
        "092": (f.call_number, before.call_number),
    }
    changed |= {tag for tag, (new, old) in simple.items() if new.strip() != old}
    if (f.publisher.strip(), f.year) != (before.publisher, before.year):
        changed |= {"264", "260"}
    if "650" in changed:  # the form shows all subject headings as one list
        changed |= SUBJECT_TAGS
    new = form_fields(f)
    for tag in sorted(changed):
        for old in record.get_fields(tag):
            record.remove_field(old)
        for item in new.get(tag, []):
            record.add_ordered_field(item)
    return record
