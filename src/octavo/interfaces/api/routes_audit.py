"""The audit log (district admins): filtered, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from octavo.audit.selectors import AuditFilter, audit_entries
from octavo.district.selectors import sites_by_codes, visible_sites
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.errors import responses
from octavo.interfaces.api.schemas import AuditPage, AuditQuery
from octavo.shared.errors import InvalidInput

router = Router(tags=["audit"])


@router.get(
    "/audit",
    response={200: AuditPage, **responses(401, 403, 422)},
    summary="The audit log, newest first",
)
def list_audit(request: HttpRequest, q: Query[AuditQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    filters = AuditFilter(
        actor_username=q.actor.strip(),
        object_type=q.object_type.strip(),
        action=q.action.strip(),
        since=q.since,
        until=q.until,
    )
    # Asked first without the site, so a caller who may not read the log learns nothing from
    # its filters (which site codes exist).
    entries = audit_entries(actor=actor, filters=filters)
    # Ninja passes over query parameters it does not know; a misspelt filter would silently
    # return the whole log, so it is refused instead.
    unknown = sorted(set(request.GET) - set(AuditQuery.model_fields))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown filter", field=unknown[0])
    if q.site.strip():
        site = sites_by_codes([q.site], field="site")[0]
        entries = audit_entries(actor=actor, filters=replace(filters, site_id=site.id))
    page = list(entries[q.offset : q.offset + q.limit])
    site_ids = {e.site_id for e in page if e.site_id is not None}
    codes = {s.id: s.code for s in visible_sites(actor=actor).filter(id__in=site_ids)}
    return {
        "count": entries.count(),
        "limit": q.limit,
        "offset": q.offset,
        "items": [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_username,
                "actor_role": e.actor_role,
                "source": e.source,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object": e.object_repr,
                "site": codes.get(e.site_id) if e.site_id is not None else None,
                "site_id": e.site_id,
                "changes": e.changes,
            }
            for e in page
        ],
    }
