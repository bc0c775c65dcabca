"""The audit log (district admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from octavo.audit.selectors import AuditFilter, audit_entries
from octavo.district.models import Site
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.schemas import Error
from octavo.shared.errors import NotFound

router = Router(tags=["audit"])


class AuditQuery(Schema):
    actor: str = ""
    object_type: str = ""
    action: str = ""
    site: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get(
    "/audit",
    response={200: dict[str, Any], 401: Error, 403: Error, 404: Error, 422: Error},
    summary="The audit log, newest first",
)
def list_audit(request: HttpRequest, q: Query[AuditQuery]) -> dict[str, Any]:
    site_id = None
    if q.site:
        site = Site.objects.filter(code=q.site.strip().upper()).first()
        if site is None:
            raise NotFound(f"no site with code {q.site!r}", field="site")
        site_id = site.id
    entries = audit_entries(
        actor=actor_of(request),
        filters=AuditFilter(
            actor_username=q.actor,
            object_type=q.object_type,
            action=q.action,
            site_id=site_id,
            since=q.since,
            until=q.until,
        ),
    )
    page = entries[q.offset : q.offset + q.limit]
    return {
        "count": entries.count(),
        "items": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor_username,
                "actor_role": e.actor_role,
                "source": e.source,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object": e.object_repr,
                "site_id": e.site_id,
                "changes": e.changes,
            }
            for e in page
        ],
    }
