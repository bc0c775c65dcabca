"""Creating and changing sites, opening hours and locations. The only code that writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from octavo.accounts.rules import Action, decide
from octavo.audit.services import changes_between, record
from octavo.district import rules
from octavo.district.models import ClosedDay, LabelSettings, Location, OpeningHours, Site
from octavo.district.rules import Period
from octavo.shared.actor import Actor
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_bool, as_text, reject_unknown


def _require(actor: Actor, action: Action, site_id: int | None = None) -> None:
    decision = decide(actor, action, site_id=site_id)
    if not decision:
        raise PermissionDenied(decision.reason)


def _site_snapshot(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name": site.name,
        "address": site.address,
        "time_zone": site.time_zone,
        "is_active": site.is_active,
    }


def _hours_snapshot(site: Site) -> list[str]:
    return [
        f"{h.weekday}:{h.opens:%H:%M}-{h.closes:%H:%M}"
        for h in OpeningHours.objects.filter(site=site).order_by("weekday", "opens")
    ]


def create_site(
    *,
    actor: Actor,
    code: str,
    name: str,
    at: datetime,
    address: str = "",
    time_zone: str = "America/Los_Angeles",
    hours: Sequence[Period] = (),
) -> Site:
    _require(actor, Action.SITE_CREATE)
    code = rules.normalize_code(code)
    name = rules.require_text(name, field="name", max_length=200)
    time_zone = rules.check_time_zone(time_zone)
    periods = rules.check_periods(hours)
    with transaction.atomic():
        if Site.objects.filter(code=code).exists():
            raise Duplicate(f"a site with code {code} already exists", field="code")
        try:
            with transaction.atomic():
                site = Site.objects.create(
                    code=code, name=name, address=address.strip(), time_zone=time_zone
                )
        except IntegrityError as exc:  # two admins adding the same code at once
            raise Duplicate(f"a site with code {code} already exists", field="code") from exc
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=p.weekday, opens=p.opens, closes=p.closes)
            for p in periods
        )
        after = _site_snapshot(site) | {"hours": _hours_snapshot(site)}
        record(
            actor=actor,
            action="site.create",
            object_type="site",
            object_id=site.code,
            object_repr=str(site),
            site_id=site.id,
            changes=changes_between({}, after),
            at=at,
        )
    return site


_SITE_FIELDS = frozenset({"name", "address", "time_zone", "is_active"})


def update_site(
    *,
    actor: Actor,
    code: str,
    changes: dict[str, Any],
    at: datetime,
    hours: Sequence[Period] | None = None,
) -> Site:
    """Change a site's fields (any of name, address, time_zone, is_active) and/or its hours."""
    reject_unknown(changes, _SITE_FIELDS)
    clean: dict[str, Any] = {}
    if "name" in changes:
        clean["name"] = rules.require_text(
            as_text(changes["name"], field="name"), field="name", max_length=200
        )
    if "address" in changes:
        clean["address"] = as_text(changes["address"], field="address")
    if "time_zone" in changes:
        clean["time_zone"] = rules.check_time_zone(as_text(changes["time_zone"], field="time_zone"))
    if "is_active" in changes:
        clean["is_active"] = as_bool(changes["is_active"], field="is_active")
    periods = rules.check_periods(hours) if hours is not None else None
    with transaction.atomic():
        site = Site.objects.select_for_update().filter(code=code.strip().upper()).first()
        if site is None:
            raise NotFound(f"no site with code {code!r}", field="site")
        _require(actor, Action.SITE_EDIT, site.id)
        before = _site_snapshot(site) | {"hours": _hours_snapshot(site)}
        for key, value in clean.items():
            setattr(site, key, value)
        site.save()
        if periods is not None:
            OpeningHours.objects.filter(site=site).delete()
            OpeningHours.objects.bulk_create(
                OpeningHours(site=site, weekday=p.weekday, opens=p.opens, closes=p.closes)
                for p in periods
            )
        after = _site_snapshot(site) | {"hours": _hours_snapshot(site)}
        diff = changes_between(before, after)
        if diff:
            record(
                actor=actor,
                action="site.update",
                object_type="site",
                object_id=site.code,
                object_repr=str(site),
                site_id=site.id,
                changes=diff,
                at=at,
            )
    return site


def _location_snapshot(location: Location) -> dict[str, Any]:
    return {"code": location.code, "name": location.name, "is_active": location.is_active}


def add_location(*, actor: Actor, site: Site, code: str, name: str, at: datetime) -> Location:
    _require(actor, Action.LOCATION_MANAGE, site.id)
    code = rules.normalize_code(code)
    name = rules.require_text(name, field="name", max_length=200)
    with transaction.atomic():
        if Location.objects.filter(site=site, code=code).exists():
            raise Duplicate(f"{site.code} already has a location {code}", field="code")
        try:
            with transaction.atomic():
                location = Location.objects.create(site=site, code=code, name=name)
        except IntegrityError as exc:
            raise Duplicate(f"{site.code} already has a location {code}", field="code") from exc
        record(
            actor=actor,
            action="location.create",
            object_type="location",
            object_id=location.id,
            object_repr=str(location),
            site_id=site.id,
            changes=changes_between({}, _location_snapshot(location)),
            at=at,
        )
    return location


def update_location(
    *, actor: Actor, location_id: int, changes: dict[str, Any], at: datetime
) -> Location:
    reject_unknown(changes, {"name", "is_active"})
    with transaction.atomic():
        location = (
            Location.objects.select_for_update()
            .select_related("site")
            .filter(id=location_id)
            .first()
        )
        if location is None:
            raise NotFound(f"no location with id {location_id}", field="location")
        _require(actor, Action.LOCATION_MANAGE, location.site_id)
        before = _location_snapshot(location)
        if "name" in changes:
            location.name = rules.require_text(
                as_text(changes["name"], field="name"), field="name", max_length=200
            )
        if "is_active" in changes:
            location.is_active = as_bool(changes["is_active"], field="is_active")
        location.save()
        diff = changes_between(before, _location_snapshot(location))
        if diff:
            record(
                actor=actor,
                action="location.update",
                object_type="location",
                object_id=location.id,
                object_repr=str(location),
                site_id=location.site_id,
                changes=diff,
                at=at,
            )
    return location


# --- closed days (issue #4, "Policy": due dates never fall on one) ----------------------------

# A winter break or a summer is one range; a longer one is more likely a typo in the year.
MAX_CLOSED_RANGE_DAYS = 366


def _day(value: object, *, field: str) -> date:
    # A datetime is a date too; refused so that a time zone never shifts the day silently.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput("must be a date", field=field)
    return value


def _closed_range(first: object, last: object | None) -> list[date]:
    start = _day(first, field="first")
    end = start if last is None else _day(last, field="last")
    if end < start:
        raise InvalidInput("the last day comes before the first", field="last")
    count = (end - start).days + 1
    if count > MAX_CLOSED_RANGE_DAYS:
        raise InvalidInput(f"at most {MAX_CLOSED_RANGE_DAYS} days at once", field="last")
    return [start + timedelta(days=n) for n in range(count)]


def _locked_site(actor: Actor, site_code: str) -> Site:
    code = as_text(site_code, field="site").upper()
    site = Site.objects.select_for_update().filter(code=code).first()
    if site is None:
        raise NotFound(f"no site with code {site_code!r}", field="site")
    _require(actor, Action.POLICY_EDIT, site.id)
    return site


def add_closed_days(
    *,
    actor: Actor,
    site_code: str,
    first: date,
    at: datetime,
    last: date | None = None,
    reason: str = "",
) -> list[ClosedDay]:
    """Close a site on each day from `first` to `last` (inclusive; one day if `last` is left
    out): "winter break, 21 Dec - 1 Jan" in one call. Days already closed keep their reason;
    the days added are returned (none: nothing changed, nothing audited)."""
    days = _closed_range(first, last)
    reason = as_text(reason, field="reason")
    if len(reason) > 200:
        raise InvalidInput("at most 200 characters", field="reason")
    with transaction.atomic():
        site = _locked_site(actor, site_code)
        already = set(
            ClosedDay.objects.filter(site=site, day__in=days).values_list("day", flat=True)
        )
        added = ClosedDay.objects.bulk_create(
            ClosedDay(site=site, day=d, reason=reason) for d in days if d not in already
        )
        if added:
            record(
                actor=actor,
                action="closed_days.add",
                object_type="site",
                object_id=site.code,
                object_repr=str(site),
                site_id=site.id,
                changes={
                    "closed_days": [None, [d.day.isoformat() for d in added]],
                    "reason": [None, reason],
                },
                at=at,
            )
    return added


def remove_closed_days(
    *, actor: Actor, site_code: str, first: date, at: datetime, last: date | None = None
) -> int:
    """Open a site again on the closed days from `first` to `last` (inclusive; one day if
    `last` is left out). How many were removed; none closed in the range is NotFound."""
    days = _closed_range(first, last)
    with transaction.atomic():
        site = _locked_site(actor, site_code)
        found = ClosedDay.objects.filter(site=site, day__in=days)
        removed = sorted(d.isoformat() for d in found.values_list("day", flat=True))
        if not removed:
            span = days[0].isoformat() if len(days) == 1 else f"{days[0]} to {days[-1]}"
            raise NotFound(f"{site.code} is not marked closed on {span}", field="first")
        found.delete()
        record(
            actor=actor,
            action="closed_days.remove",
            object_type="site",
            object_id=site.code,
            object_repr=str(site),
            site_id=site.id,
            changes={"closed_days": [removed, None]},
            at=at,
        )
    return len(removed)


# --- label printing (issue #8: "save printer offsets per site") -------------------------------

MAX_OFFSET_MM = Decimal(20)  # more than 2 cm off is a sheet loaded the wrong way, not an offset


def _offset(value: object, *, field: str) -> Decimal:
    try:
        offset = Decimal(str(value).strip() or "0").quantize(Decimal("0.1"))
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a number of millimetres", field=field) from None
    if not -MAX_OFFSET_MM <= offset <= MAX_OFFSET_MM:
        raise InvalidInput(f"from -{MAX_OFFSET_MM} to {MAX_OFFSET_MM} mm", field=field)
    return offset


def _label_snapshot(settings: LabelSettings) -> dict[str, Any]:
    return {
        "offset_x_mm": str(settings.offset_x_mm),
        "offset_y_mm": str(settings.offset_y_mm),
        "symbology": settings.symbology,
        "codabar_start": settings.codabar_start,
        "codabar_stop": settings.codabar_stop,
    }


def set_label_settings(
    *,
    actor: Actor,
    site_code: str,
    at: datetime,
    offset_x_mm: object = 0,
    offset_y_mm: object = 0,
    symbology: str = "auto",
    codabar_start: str = "A",
    codabar_stop: str = "A",
) -> LabelSettings:
    """A site's label printer: offsets in millimetres (right and down positive, up to 20 mm
    either way), the barcode symbology (auto, codabar, code39, code128) and Codabar's start and
    stop characters (A to D). Whoever prints the site's labels may set them (CATALOG_EDIT)."""
    clean = {
        "offset_x_mm": _offset(offset_x_mm, field="offset_x_mm"),
        "offset_y_mm": _offset(offset_y_mm, field="offset_y_mm"),
        "symbology": as_text(symbology, field="symbology").lower(),
        "codabar_start": as_text(codabar_start, field="codabar_start").upper(),
        "codabar_stop": as_text(codabar_stop, field="codabar_stop").upper(),
    }
    if clean["symbology"] not in LabelSettings.SYMBOLOGIES:
        known = ", ".join(LabelSettings.SYMBOLOGIES)
        raise InvalidInput(f"{symbology!r} is not a symbology ({known})", field="symbology")
    for end in ("codabar_start", "codabar_stop"):
        if clean[end] not in ("A", "B", "C", "D"):
            raise InvalidInput("one of A, B, C or D", field=end)
    with transaction.atomic():
        code = as_text(site_code, field="site").upper()
        site = Site.objects.select_for_update().filter(code=code).first()
        if site is None:
            raise NotFound(f"no site with code {site_code!r}", field="site")
        _require(actor, Action.CATALOG_EDIT, site.id)
        settings = LabelSettings.objects.filter(site=site).first() or LabelSettings(site=site)
        before = _label_snapshot(settings) if settings.pk else {}
        for key, value in clean.items():
            setattr(settings, key, value)
        settings.save()
        diff = changes_between(before, _label_snapshot(settings))
        if diff:
            record(
                actor=actor,
                action="label_settings.update",
                object_type="site",
                object_id=site.code,
                object_repr=str(site),
                site_id=site.id,
                changes=diff,
                at=at,
            )
    return settings
