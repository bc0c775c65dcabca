"""Reading sites and locations, limited to what the actor may see."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Prefetch, QuerySet

from octavo.accounts.rules import Action, decide, may_ever
from octavo.db import rows
from octavo.district.errors import UnknownSite
from octavo.district.models import ClosedDay, Location, OpeningHours, Site
from octavo.shared.actor import Actor
from octavo.shared.change_token import SQL_READ
from octavo.shared.errors import NotFound, PermissionDenied

T = TypeVar("T")


def visible_sites(*, actor: Actor) -> QuerySet[Site]:
    if not may_ever(actor, Action.SITE_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not view sites")
    qs = Site.objects.prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )
    if actor.is_district_admin:
        return qs
    return qs.filter(id__in=actor.site_ids)


def site_by_code(*, actor: Actor, code: str, action: Action = Action.SITE_VIEW) -> Site:
    """The site with this code, if the actor may do `action` there."""
    site = Site.objects.filter(code=code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {code!r}", field="site")
    decision = decide(actor, action, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    return site


def sites_by_codes(codes: list[str], *, field: str = "sites") -> list[Site]:
    """Resolve site codes (unscoped: the caller checks permission); unknown codes are an error."""
    wanted = [c.strip().upper() for c in codes if c.strip()]
    found = {s.code: s for s in Site.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise UnknownSite(f"unknown site code(s): {', '.join(missing)}", field=field)
    return [found[c] for c in dict.fromkeys(wanted)]


def locations_at(*, actor: Actor, site: Site) -> QuerySet[Location]:
    decision = decide(actor, Action.LOCATION_VIEW, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    return Location.objects.filter(site=site).select_related("site")


def closed_days_at(*, actor: Actor, site: Site) -> QuerySet[ClosedDay]:
    """A site's closed days, oldest first: whoever may see the site may see when it is shut."""
    decision = decide(actor, Action.SITE_VIEW, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    return ClosedDay.objects.filter(site=site).order_by("day")


# --- what the desk reads on every scan, kept in memory while the configuration stands ------

# (token, values): replaced whole when the token moves, so two threads never see a new token
# with the old values.
_held: tuple[int | None, dict[Hashable, Any]] = (None, {})


def config_token() -> int | None:
    """The configuration token (octavo.shared.change_token); None in an emptied database. On
    SQLite, read once per transaction while the transaction changes nothing (the backend's
    unchanged_since): a check-out asks four times before it writes."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's connection, not the shared proxy
    marker_of = getattr(wrapper, "unchanged_since", None)
    marker = marker_of() if marker_of is not None else None
    memo = getattr(wrapper, "octavo_config_token", None)
    if marker is not None and memo is not None and memo[0] == marker:
        return memo[1]  # type: ignore[no-any-return]
    row = rows.first(SQL_READ, [])
    token = None if row is None else int(row[0])
    if marker is not None:
        wrapper.octavo_config_token = (marker, token)  # type: ignore[attr-defined]
    return token


def cached(key: Hashable, build: Callable[[], T]) -> T:
    """build(), kept in this process until the configuration token moves. `build` may read
    sites, opening hours, closed days, material types and policy rows only (the tables the
    token watches: shared.change_token), and
    what it returns is shared: never change it."""
    global _held
    token = config_token()
    if token is None:
        return build()
    held, values = _held
    if held != token:
        values = {}
        _held = (token, values)
    if key not in values:
        values[key] = build()
    return values[key]  # type: ignore[no-any-return]


def site_id_by_code(code: str) -> int | None:
    """The id of the site with this code (as typed: the caller folds the case), from memory
    while the configuration stands; None for no such site. The desk and the kiosks name their
    site on every check-out and check-in, inside the transaction that holds SQLite's writers
    back: a query compiled each time cost a fifth of it (docs/benchmarks.md, SIP2)."""
    return cached(
        ("site-code", code),
        lambda: Site.objects.filter(code=code).values_list("id", flat=True).first(),
    )


def site_by_id(site_id: int) -> Site:
    """A site by id, from memory while the configuration stands (the desk asks on every scan).
    A copy: the caller may keep it on a loan or change it without touching the memory."""
    return copy.copy(cached(("site", site_id), lambda: Site.objects.get(pk=site_id)))
