"""Catalog search (public: the OPAC uses it too)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from octavo.catalog.search import Filters, search
from octavo.interfaces.api.schemas import Error

router = Router(tags=["catalog"])


class SearchQuery(Schema):
    q: str = Field(
        "",
        description="words, `title:`/`author:`/`subject:`/`series:`/`isbn:`/"
        "`callnumber:` terms, or an ISBN/ISSN in any form",
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=5000)
    format: str = ""
    language: str = ""
    year: int | None = None
    reading_level: str = ""
    site: str = ""
    available: bool = False


@router.get(
    "/search",
    auth=None,
    response={200: dict[str, Any], 422: Error},
    summary="Search the catalog (no token needed)",
)
def search_catalog(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    result = search(
        params.q,
        limit=params.limit,
        offset=params.offset,
        filters=Filters(
            format=params.format,
            language=params.language,
            year=params.year,
            reading_level=params.reading_level,
            site=params.site,
            available=params.available,
        ),
    )
    return {
        "total": result.total,
        # True when the query matched more records than are ranked: `total` and the facet
        # counts are then those of the newest matches ranked (octavo.catalog.search).
        "more": result.more,
        "results": result.results,
        "facets": {
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in result.facets.items()
        },
    }
