"""Reading accounts, limited to what the actor may see, and resolving API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from octavo.accounts.models import ApiToken, User
from octavo.accounts.rules import Action, may_ever
from octavo.accounts.tokens import token_digest
from octavo.db import rows
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied

# Writing last_used_at on every request would turn each API read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


def visible_users(*, actor: Actor) -> QuerySet[User]:
    if not may_ever(actor, Action.USER_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not view accounts")
    qs = User.objects.prefetch_related("sites")
    if actor.is_district_admin:
        return qs
    # Accounts that work at one of the actor's sites; district admins stay out of sight.
    return qs.filter(Q(sites__id__in=actor.site_ids)).exclude(role="district_admin").distinct()


def user_by_username(*, actor: Actor, username: str) -> User:
    user = visible_users(actor=actor).filter(username=username).first()
    if user is None:
        raise NotFound(f"no account {username!r}", field="username")
    return user


def user_for_token(raw: str, *, at: datetime) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    # Every API request asks: two lookups by key, without the query compiler (octavo.db.rows).
    token = rows.one(ApiToken, "digest = %s AND revoked_at IS NULL", [token_digest(raw)])
    if token is None:
        return None
    user = rows.one(User, "id = %s AND is_active = %s", [token.user_id, True])
    if user is None:
        return None
    if token.last_used_at is None or at - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return user
