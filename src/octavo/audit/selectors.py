"""Reading the audit log (district admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from octavo.accounts.rules import Action, decide
from octavo.audit.models import AuditEntry
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class AuditFilter:
    actor_username: str = ""
    object_type: str = ""
    action: str = ""
    site_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_entries(*, actor: Actor, filters: AuditFilter = AuditFilter()) -> QuerySet[AuditEntry]:
    decision = decide(actor, Action.AUDIT_VIEW)
    if not decision:
        raise PermissionDenied(decision.reason)
    for name in ("since", "until"):
        moment = getattr(filters, name)
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("give a date and time with its time zone offset", field=name)
    qs = AuditEntry.objects.all()
    if filters.actor_username:
        qs = qs.filter(actor_username=filters.actor_username)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.site_id is not None:
        qs = qs.filter(site_id=filters.site_id)
    if filters.since is not None:
        qs = qs.filter(at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(at__lt=filters.until)
    return qs
