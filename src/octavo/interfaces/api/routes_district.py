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
from octavo.interfaces.api.schemas import (
    Error,
    LocationCreate,
    LocationOut,
    LocationUpdate,
    SiteCreate,
    SiteOut,
    SiteUpdate,
)
from octavo.interfaces.api.schemas import Period as PeriodIn
from octavo.shared.clock import now

router = Router(tags=["sites"])
ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


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


@router.get("/sites", response={200: dict[str, Any], **ERRORS}, summary="List sites")
def list_sites(request: HttpRequest) -> dict[str, Any]:
    sites = [site_out(s) for s in selectors.visible_sites(actor=actor_of(request))]
    return {"items": sites, "count": len(sites)}


@router.post("/sites", response={201: SiteOut, **ERRORS}, summary="Add a site")
def create_site(request: HttpRequest, payload: SiteCreate) -> Status[dict[str, Any]]:
    site = services.create_site(
        actor=actor_of(request),
        code=payload.code,
        name=payload.name,
        address=payload.address,
        time_zone=payload.time_zone,
        hours=_periods(payload.opening_hours),
        at=now(),
    )
    return Status(201, site_out(site))


@router.get("/sites/{code}", response={200: SiteOut, **ERRORS}, summary="One site")
def get_site(request: HttpRequest, code: str) -> dict[str, Any]:
    return site_out(selectors.site_by_code(actor=actor_of(request), code=code))


@router.patch("/sites/{code}", response={200: SiteOut, **ERRORS}, summary="Change a site")
def update_site(request: HttpRequest, code: str, payload: SiteUpdate) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    hours = fields.pop("opening_hours", None)
    site = services.update_site(
        actor=actor_of(request),
        code=code,
        changes=fields,
        at=now(),
        hours=_periods(payload.opening_hours or []) if hours is not None else None,
    )
    return site_out(Site.objects.prefetch_related("opening_hours").get(pk=site.pk))


@router.get(
    "/sites/{code}/locations",
    response={200: dict[str, Any], **ERRORS},
    summary="Locations at a site",
)
def list_locations(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = actor_of(request)
    site = selectors.site_by_code(actor=actor, code=code, action=Action.LOCATION_VIEW)
    items = [location_out(loc) for loc in selectors.locations_at(actor=actor, site=site)]
    return {"items": items, "count": len(items)}


@router.post(
    "/sites/{code}/locations", response={201: LocationOut, **ERRORS}, summary="Add a location"
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
    "/locations/{location_id}", response={200: LocationOut, **ERRORS}, summary="Change a location"
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
