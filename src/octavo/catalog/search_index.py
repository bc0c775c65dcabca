"""Writing the full-text index, one implementation per database engine behind one interface.

Called by catalog services inside their transaction, so a record and its index entry are
committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from octavo.catalog.mapping import Description
from octavo.catalog.query import fold

COLUMNS = ("title", "authors", "subjects", "series", "identifiers", "call_number", "other")
# PostgreSQL weights: A for title, B for authors, C for subjects/series, D for the rest.
_PG_WEIGHTS = ("A", "B", "C", "C", "A", "B", "D")


def document(description: Description) -> tuple[str, ...]:
    """The texts indexed for a record, in COLUMNS order."""
    d = description
    # ISBNs as 13 digits and ISSNs without the hyphen: the query side normalizes any form
    # (octavo.catalog.query.identifier) to the same token.
    identifiers = [
        *d.isbns.valid,
        *(i.replace("-", "") for i in d.issns),
        d.control_number,
        *d.isbns.invalid,
    ]
    return (
        d.title,
        " ; ".join(d.authors) + (" ; " + d.responsibility if d.responsibility else ""),
        " ; ".join(d.subjects),
        " ; ".join(d.series),
        " ".join(i for i in identifiers if i),
        d.call_number,
        " ".join([d.summary, d.publisher, d.edition, *d.extra_text]),
    )


def replace(entries: Sequence[tuple[int, Description]]) -> None:
    """Index (or re-index) these records."""
    if not entries:
        return
    ids = [record_id for record_id, _ in entries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM catalog_search WHERE rowid = %s", [(i,) for i in ids])
            cursor.executemany(
                "INSERT INTO catalog_search (rowid, title, authors, subjects, series, "
                "identifiers, call_number, other) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(record_id, *document(d)) for record_id, d in entries],
            )
        else:
            # 'simple' keeps accents; folding here and in the query makes Pérez = Perez.
            vector = " || ".join(
                f"setweight(to_tsvector('simple', %s), '{w}')" for w in _PG_WEIGHTS
            )
            cursor.executemany(
                f"INSERT INTO catalog_search (record_id, document) VALUES (%s, {vector}) "  # noqa: S608 - weights are constants
                "ON CONFLICT (record_id) DO UPDATE SET document = EXCLUDED.document",
                [(record_id, *(fold(t) for t in document(d))) for record_id, d in entries],
            )


def remove(ids: Iterable[int]) -> None:
    table_key = "rowid" if connection.vendor == "sqlite" else "record_id"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM catalog_search WHERE {table_key} = %s",  # noqa: S608 - a constant
            [(i,) for i in ids],
        )
