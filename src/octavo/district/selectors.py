"""Reading sites and locations, limited to what the actor may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from octavo.accounts.rules import Action, decide, may_ever
from octavo.district.errors import UnknownSite
from octavo.district.models import ClosedDay, Location, OpeningHours, Site
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied


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
