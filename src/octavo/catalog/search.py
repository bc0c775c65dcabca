"""Catalog search: ranked records with facet counts, on SQLite FTS5 or PostgreSQL full text.

One interface (`search`) for the staff side, the OPAC and the API. Ranking is computed over a
bounded candidate set: at most CANDIDATES matching records are scored (issue #3 measured
unbounded scoring of common words at 170 ms on 1M records); facets count the same set.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from octavo.catalog.models import Record
from octavo.catalog.query import COLUMNS_FOR, Field, Query, Term, parse
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus

CANDIDATES = 5000
# bm25 column weights, in COLUMNS order: title, authors, subjects, series, identifiers,
# call_number, other.
_WEIGHTS = (10.0, 6.0, 3.0, 3.0, 10.0, 4.0, 1.0)
FACETS = ("format", "language", "year", "reading_level")


@dataclass(frozen=True)
class Filters:
    format: str = ""
    language: str = ""
    year: int | None = None
    reading_level: str = ""
    site: str = ""  # a site code: records with an item there
    available: bool = False  # records with an item on the shelf (at `site`, if given)


@dataclass
class SearchResult:
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _fts_term(term: Term) -> str:
    words = " ".join(f'"{w}"' for w in term.words)
    phrase = f"({words})" if len(term.words) == 1 else f'"{" ".join(term.words)}"'
    if term.prefix:
        # The exact word scores twice, so `cat` ranks "cat" above "catalog" while still
        # finding what a student is halfway through typing.
        phrase = f'("{term.words[-1]}" OR "{term.words[-1]}" *)' if len(term.words) == 1 else phrase
    columns = COLUMNS_FOR.get(term.field)
    return f"{{{' '.join(columns)}}} : {phrase}" if columns else phrase


def fts5_expression(query: Query) -> str:
    return " AND ".join(_fts_term(t) for t in query.terms)


_PG_WEIGHT = {
    Field.TITLE: "A",
    Field.AUTHOR: "B",
    Field.SUBJECT: "C",
    Field.SERIES: "C",
    Field.ISBN: "A",
    Field.CALL_NUMBER: "B",
}


def pg_tsquery(query: Query) -> str:
    """The tsquery text: each term's words in sequence, labelled with the field's weight.

    The weights mirror octavo.catalog.search_index (title A, authors B, subjects and series C).
    Words are \\w+ only (octavo.catalog.query), so nothing here needs escaping.
    """
    parts = []
    for term in query.terms:
        weight = _PG_WEIGHT.get(term.field, "")
        lexemes = []
        for n, word in enumerate(term.words):
            star = "*" if term.prefix and n == len(term.words) - 1 else ""
            label = star + weight
            lexemes.append(f"{word}:{label}" if label else word)
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def _candidates(query: Query) -> list[int]:
    """Matching record ids, best first, at most CANDIDATES of them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            weights = ", ".join(str(w) for w in _WEIGHTS)
            cursor.execute(
                f"SELECT rowid FROM catalog_search WHERE catalog_search MATCH %s "  # noqa: S608
                f"ORDER BY bm25(catalog_search, {weights}) LIMIT %s",
                [fts5_expression(query), CANDIDATES],
            )
        else:
            cursor.execute(
                "SELECT record_id FROM catalog_search, to_tsquery('simple', %s) AS query "
                "WHERE document @@ query ORDER BY ts_rank(document, query) DESC, record_id "
                "LIMIT %s",
                [pg_tsquery(query), CANDIDATES],
            )
        return [row[0] for row in cursor.fetchall()]


def search(
    text: str, *, filters: Filters = Filters(), limit: int = 20, offset: int = 0
) -> SearchResult:
    query = parse(text)
    if query.empty:
        return SearchResult(total=0, results=[], facets={f: [] for f in FACETS})
    ids = _candidates(query)
    rows = {
        r["id"]: r
        for r in Record.objects.filter(id__in=ids).values(
            "id",
            "control_number",
            "title",
            "authors",
            "isbns",
            "year",
            "format",
            "language",
            "reading_level",
        )
    }
    ordered: list[dict[str, Any]] = [dict(rows[i]) for i in ids if i in rows]
    if filters.site or filters.available:
        items = Item.objects.filter(record_id__in=ids)
        if filters.site:
            items = items.filter(site__code=filters.site.upper())
        if filters.available:
            items = items.filter(status=ItemStatus.AVAILABLE.value)
        held = set(items.values_list("record_id", flat=True))
        ordered = [r for r in ordered if r["id"] in held]
    facets = {
        name: Counter(r[name] for r in ordered if r[name] not in ("", None)) for name in FACETS
    }
    for name in FACETS:
        wanted = getattr(filters, name)
        if wanted not in ("", None):
            ordered = [r for r in ordered if r[name] == wanted]
    page = ordered[offset : offset + limit]
    availability = _availability([r["id"] for r in page])
    results = [
        {
            "id": r["id"],
            "control_number": r["control_number"],
            "title": r["title"],
            "authors": r["authors"],
            "isbns": r["isbns"],
            "year": r["year"],
            "format": r["format"],
            "language": r["language"],
            "reading_level": r["reading_level"],
            "availability": availability.get(r["id"], []),
        }
        for r in page
    ]
    return SearchResult(
        total=len(ordered),
        results=results,
        facets={
            name: [(str(k), n) for k, n in counts.most_common(20)]
            for name, counts in facets.items()
        },
    )


def _availability(record_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per record, per site: how many items, and how many of them are on the shelf."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for record_id, code, name, status in Item.objects.filter(record_id__in=record_ids).values_list(
        "record_id", "site__code", "site__name", "status"
    ):
        entry = out.setdefault(record_id, {}).setdefault(
            code, {"site": code, "site_name": name, "items": 0, "available": 0}
        )
        entry["items"] += 1
        entry["available"] += status == ItemStatus.AVAILABLE.value
    return {rid: sorted(sites.values(), key=lambda e: e["site"]) for rid, sites in out.items()}
