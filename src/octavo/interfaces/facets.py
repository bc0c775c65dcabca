"""Facet links for a catalog search page, shared by the staff catalog and the OPAC.

Each facet is a list of links that set one filter of the query string (so a search with its
filters is a URL that can be bookmarked, and works without JavaScript); the chosen value is
marked and has a link that removes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from octavo.catalog.search import Filters
from octavo.district.models import Site
from octavo.interfaces.words import FORMAT_LABELS, LANGUAGE_LABELS, shown


def search_url(params: QueryDict | Mapping[str, Any], **changes: str | None) -> str:
    """This search with some parameters set (or, given None, removed) and the others as they
    were, in their order; without `page` unless it is one of the changes (a new filter starts
    from the first page). A page has dozens of these links: built from plain pairs, not by
    copying the QueryDict for each."""
    pairs = params.lists() if isinstance(params, QueryDict) else params.items()
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    for key, values in pairs:
        if key in changes:
            if key not in done and changes[key] is not None:
                out.append((key, str(changes[key])))
            done.add(key)
        elif key != "page":
            listed = values if isinstance(values, list) else [values]
            out.extend((key, str(v)) for v in listed)
    out.extend((k, str(v)) for k, v in changes.items() if k not in done and v is not None)
    return f"?{urlencode(out)}"


def _facet(
    params: QueryDict,
    key: str,
    label: str,
    values: list[tuple[str, str, int | None]],
    selected: str,
) -> dict[str, Any]:
    """One facet list: (value, words, count or None) rows as links, the selected one marked."""
    return {
        "key": key,
        "label": label,
        "selected": selected,
        "remove_url": search_url(params, **{key: None}),
        "values": [
            {
                "value": value,
                "label": words,
                "count": count,
                "selected": value == selected,
                "url": search_url(params, **{key: value}),
            }
            for value, words, count in values
        ],
    }


def facet_groups(
    params: QueryDict, filters: Filters, counted: dict[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    # Sites the search counted are named from the site list; a chosen site is kept even when
    # no record matched there, so that it can be removed.
    names = {site.code: site.name for site in Site.objects.all()}
    year = str(filters.year) if filters.year is not None else ""
    groups = [
        _facet(
            params,
            "available",
            _("Availability"),
            [("on", _("On the shelf now"), n) for _value, n in counted.get("available", [])],
            "on" if filters.available else "",
        ),
        _facet(
            params,
            "site",
            _("Site"),
            [
                (code, f"{code} {names.get(code, '')}".strip(), n)
                for code, n in counted.get("site", [])
            ],
            filters.site,
        ),
        _facet(
            params,
            "format",
            _("Format"),
            [(v, shown(FORMAT_LABELS, v), n) for v, n in counted.get("format", [])],
            filters.format,
        ),
        _facet(
            params,
            "language",
            _("Language"),
            [(v, shown(LANGUAGE_LABELS, v), n) for v, n in counted.get("language", [])],
            filters.language,
        ),
        _facet(
            params,
            "year",
            _("Year"),
            sorted(((v, v, n) for v, n in counted.get("year", [])), reverse=True),
            year,
        ),
        _facet(
            params,
            "reading_level",
            _("Reading level"),
            [(v, v, n) for v, n in counted.get("reading_level", [])],
            filters.reading_level,
        ),
    ]
    return [g for g in groups if g["values"] or g["selected"]]


def page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1
