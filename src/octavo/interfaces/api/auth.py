"""Bearer-token authentication: `Authorization: Bearer TOKEN` (tokens from `octavo token`).

Which token belongs to whom, and whether it still works, is the accounts selector's answer;
a request without a usable token gets a 401 from errors.py.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from octavo.accounts.models import User
from octavo.accounts.selectors import user_for_token
from octavo.shared.actor import Actor, Source
from octavo.shared.clock import now


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> User | None:
        # Read the header here rather than in ninja's HttpBearer, which logs the whole header
        # (other schemes' credentials included) when DEBUG is on.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token, at=now())


def actor_of(request: HttpRequest) -> Actor:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - routes without auth never call this
    return user.actor(source=Source.API, address=request.META.get("REMOTE_ADDR"))
