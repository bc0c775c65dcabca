"""Writing the audit log. Called by other apps' services inside their own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from octavo.audit.models import AuditEntry
from octavo.shared.actor import Actor


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields that differ, as {field: [before, after]}; secrets are never passed in."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    object_repr: str,
    at: datetime,
    site_id: int | None = None,
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        at=at,
        actor_username=actor.username,
        actor_role=actor.role.value,
        source=actor.source.value,
        address=actor.address or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        site_id=site_id,
        changes=dict(changes or {}),
    )
