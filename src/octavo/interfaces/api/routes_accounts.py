"""The caller, and accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from octavo.accounts import selectors, services
from octavo.accounts.models import User
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.errors import responses
from octavo.interfaces.api.schemas import UserCreate, UserList, UserOut, UserUpdate
from octavo.shared.clock import now

router = Router(tags=["accounts"])


def user_out(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "sites": sorted(s.code for s in user.sites.all()),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
    }


@router.get("/me", response={200: UserOut, **responses(401)}, summary="The caller's account")
def me(request: HttpRequest) -> dict[str, Any]:
    return user_out(request.auth)  # type: ignore[attr-defined]


@router.get("/users", response={200: UserList, **responses(401, 403)}, summary="List accounts")
def list_users(request: HttpRequest) -> dict[str, Any]:
    users = [user_out(u) for u in selectors.visible_users(actor=actor_of(request))]
    return {"items": users, "count": len(users)}


@router.post(
    "/users",
    response={201: UserOut, **responses(400, 401, 403, 409, 422)},
    summary="Add an account",
)
def create_user(request: HttpRequest, payload: UserCreate) -> Status[dict[str, Any]]:
    user = services.create_user(
        actor=actor_of(request),
        username=payload.username,
        role=payload.role,
        site_codes=payload.sites,
        password=payload.password if "password" in payload.model_fields_set else None,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        at=now(),
    )
    return Status(201, user_out(user))


@router.get(
    "/users/{username}", response={200: UserOut, **responses(401, 403, 404)}, summary="One account"
)
def get_user(request: HttpRequest, username: str) -> dict[str, Any]:
    return user_out(selectors.user_by_username(actor=actor_of(request), username=username))


@router.patch(
    "/users/{username}",
    response={200: UserOut, **responses(400, 401, 403, 404, 422)},
    summary="Change an account",
)
def update_user(request: HttpRequest, username: str, payload: UserUpdate) -> dict[str, Any]:
    actor = actor_of(request)
    # An account the caller may not see is "not found", as it is for GET.
    selectors.user_by_username(actor=actor, username=username)
    user = services.update_user(
        actor=actor, username=username, changes=payload.model_dump(exclude_unset=True), at=now()
    )
    return user_out(user)
