"""The caller, and accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from octavo.accounts import selectors, services
from octavo.accounts.models import User
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.schemas import Error, UserCreate, UserOut, UserUpdate
from octavo.shared.clock import now

router = Router(tags=["accounts"])
ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


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


@router.get("/me", response={200: UserOut, 401: Error}, summary="The caller's account")
def me(request: HttpRequest) -> dict[str, Any]:
    return user_out(request.auth)  # type: ignore[attr-defined]


@router.get("/users", response={200: dict[str, Any], **ERRORS}, summary="List accounts")
def list_users(request: HttpRequest) -> dict[str, Any]:
    users = [user_out(u) for u in selectors.visible_users(actor=actor_of(request))]
    return {"items": users, "count": len(users)}


@router.post("/users", response={201: UserOut, **ERRORS}, summary="Add an account")
def create_user(request: HttpRequest, payload: UserCreate) -> Status[dict[str, Any]]:
    user = services.create_user(
        actor=actor_of(request),
        username=payload.username,
        role=payload.role,
        site_codes=payload.sites,
        password=payload.password,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        at=now(),
    )
    return Status(201, user_out(user))


@router.get("/users/{username}", response={200: UserOut, **ERRORS}, summary="One account")
def get_user(request: HttpRequest, username: str) -> dict[str, Any]:
    return user_out(selectors.user_by_username(actor=actor_of(request), username=username))


@router.patch("/users/{username}", response={200: UserOut, **ERRORS}, summary="Change an account")
def update_user(request: HttpRequest, username: str, payload: UserUpdate) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.user_by_username(actor=actor, username=username)  # 404 for what one cannot see
    user = services.update_user(
        actor=actor, username=username, changes=payload.model_dump(exclude_unset=True), at=now()
    )
    return user_out(user)
