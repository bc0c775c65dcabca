"""Bearer-token authentication: `Authorization: Bearer TOKEN` (tokens from `octavo token`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from octavo.accounts.models import User
from octavo.accounts.selectors import user_for_token
from octavo.shared.actor import Actor, Source
from octavo.shared.clock import now


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token.strip(), at=now())


def actor_of(request: HttpRequest) -> Actor:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - routes without auth never call this
    return user.actor(source=Source.API, address=request.META.get("REMOTE_ADDR"))
