"""Sites, opening hours and locations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from octavo.accounts.rules import Action
from octavo.district import selectors, services
from octavo.district.models import Location, Site
from octavo.district.rules import Period
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.errors import responses
from octavo.interfaces.api.schemas import (
    LocationCreate,
    LocationList,
    LocationOut,
    LocationUpdate,
    SiteCreate,
    SiteList,
    SiteOut,
    SiteUpdate,
)
from octavo.interfaces.api.schemas import Period as PeriodIn
from octavo.shared.clock import now

router = Router(tags=["sites"])


def site_out(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name": site.name,
        "address": site.address,
        "time_zone": site.time_zone,
        "is_active": site.is_active,
        "opening_hours": [
            {"weekday": h.weekday, "opens": f"{h.opens:%H:%M}", "closes": f"{h.closes:%H:%M}"}
            for h in site.opening_hours.all()
        ],
    }


def location_out(location: Location) -> dict[str, Any]:
    return {
        "id": location.id,
        "site": location.site.code,
        "code": location.code,
        "name": location.name,
        "is_active": location.is_active,
    }


def _periods(hours: list[PeriodIn]) -> list[Period]:
    return [Period(h.weekday, h.opens, h.closes) for h in hours]


@router.get("/sites", response={200: SiteList, **responses(401, 403)}, summary="List sites")
def list_sites(request: HttpRequest) -> dict[str, Any]:
    sites = [site_out(s) for s in selectors.visible_sites(actor=actor_of(request))]
    return {"items": sites, "count": len(sites)}


@router.post(
    "/sites", response={201: SiteOut, **responses(400, 401, 403, 409, 422)}, summary="Add a site"
)
def create_site(request: HttpRequest, payload: SiteCreate) -> Status[dict[str, Any]]:
    # Left out, the time zone is the service's default rather than one repeated here.
    sent = payload.model_fields_set
    zone = {"time_zone": payload.time_zone} if "time_zone" in sent else {}
    site = services.create_site(
        actor=actor_of(request),
        code=payload.code,
        name=payload.name,
        address=payload.address,
        hours=_periods(payload.opening_hours),
        at=now(),
        **zone,
    )
    return Status(201, site_out(site))


@router.get(
    "/sites/{code}", response={200: SiteOut, **responses(401, 403, 404)}, summary="One site"
)
def get_site(request: HttpRequest, code: str) -> dict[str, Any]:
    return site_out(selectors.site_by_code(actor=actor_of(request), code=code))


@router.patch(
    "/sites/{code}",
    response={200: SiteOut, **responses(400, 401, 403, 404, 422)},
    summary="Change a site",
)
def update_site(request: HttpRequest, code: str, payload: SiteUpdate) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True, exclude={"opening_hours"})
    sent = payload.model_fields_set
    site = services.update_site(
        actor=actor_of(request),
        code=code,
        changes=changes,
        hours=_periods(payload.opening_hours) if "opening_hours" in sent else None,
        at=now(),
    )
    return site_out(site)


@router.get(
    "/sites/{code}/locations",
    response={200: LocationList, **responses(401, 403, 404)},
    summary="Locations at a site",
)
def list_locations(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = actor_of(request)
    site = selectors.site_by_code(actor=actor, code=code, action=Action.LOCATION_VIEW)
    items = [location_out(loc) for loc in selectors.locations_at(actor=actor, site=site)]
    return {"items": items, "count": len(items)}


@router.post(
    "/sites/{code}/locations",
    response={201: LocationOut, **responses(400, 401, 403, 404, 409, 422)},
    summary="Add a location",
)
def create_location(
    request: HttpRequest, code: str, payload: LocationCreate
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    site = selectors.site_by_code(actor=actor, code=code, action=Action.LOCATION_MANAGE)
    location = services.add_location(
        actor=actor, site=site, code=payload.code, name=payload.name, at=now()
    )
    return Status(201, location_out(location))


@router.patch(
    "/locations/{location_id}",
    response={200: LocationOut, **responses(400, 401, 403, 404, 422)},
    summary="Change a location",
)
def update_location(
    request: HttpRequest, location_id: int, payload: LocationUpdate
) -> dict[str, Any]:
    location = services.update_location(
        actor=actor_of(request),
        location_id=location_id,
        changes=payload.model_dump(exclude_unset=True),
        at=now(),
    )
    return location_out(location)
