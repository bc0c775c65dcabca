"""Creating and changing accounts and API tokens. Every change is audited in its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from octavo.accounts.errors import WeakPassword
from octavo.accounts.models import ApiToken, User
from octavo.accounts.rules import Action, decide, decide_user_change
from octavo.accounts.tokens import new_token, token_digest
from octavo.audit.services import changes_between, record
from octavo.district.selectors import sites_by_codes
from octavo.shared.actor import Actor, Role
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_bool, as_text, as_text_list, reject_unknown

_username_validator = UnicodeUsernameValidator()


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidInput(f"{value!r} is not a role; use one of {known}", field="role") from None


def _check_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise InvalidInput("this field is required", field="username")
    if len(name) > 150:
        raise InvalidInput("at most 150 characters", field="username")
    try:
        _username_validator(name)
    except ValidationError as exc:
        raise InvalidInput("use letters, digits and @ . + - _ only", field="username") from exc
    return name


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(" ".join(str(m) for m in exc.messages), field="password") from exc


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "sites": sorted(user.sites.values_list("code", flat=True)),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
    }


def _audit_site(site_ids: Sequence[int]) -> int | None:
    # An account that works at one site is filed under it; multi-site accounts under none.
    return site_ids[0] if len(site_ids) == 1 else None


def create_user(
    *,
    actor: Actor,
    username: str,
    role: str | Role,
    site_codes: Sequence[str],
    at: datetime,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create an account. Without a password the account cannot log in until one is set."""
    username = _check_username(username)
    target_role = _role(role)
    sites = sites_by_codes(list(site_codes))
    site_ids = frozenset(s.id for s in sites)
    if target_role is not Role.DISTRICT_ADMIN and not sites:
        raise InvalidInput("give at least one site code", field="sites")
    decision = decide_user_change(actor, target_role=target_role, target_site_ids=site_ids)
    if not decision:
        raise PermissionDenied(decision.reason, field="role")
    probe = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password is not None:
        _check_password(password, probe)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Duplicate(f"the username {username!r} is taken", field="username")
        try:
            with transaction.atomic():
                user = User(
                    username=username,
                    role=target_role.value,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    email=email.strip(),
                )
                if password is None:
                    user.set_unusable_password()
                else:
                    user.set_password(password)
                user.save()
        except IntegrityError as exc:
            raise Duplicate(f"the username {username!r} is taken", field="username") from exc
        user.sites.set(sites)
        record(
            actor=actor,
            action="user.create",
            object_type="user",
            object_id=user.username,
            object_repr=user.username,
            site_id=_audit_site([s.id for s in sites]),
            changes=changes_between({}, _snapshot(user)),
            at=at,
        )
    return user


_USER_FIELDS = frozenset({"role", "sites", "first_name", "last_name", "email", "is_active"})


def update_user(*, actor: Actor, username: str, changes: dict[str, Any], at: datetime) -> User:
    """Change an account's role, sites (a list of codes), names, e-mail or active flag."""
    reject_unknown(changes, _USER_FIELDS)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(f"no account {username!r}", field="username")
        current_role = Role(user.role)
        current_sites = frozenset(user.sites.values_list("id", flat=True))
        target_role = _role(changes["role"]) if "role" in changes else current_role
        new_sites = (
            sites_by_codes(as_text_list(changes["sites"], field="sites"))
            if "sites" in changes
            else None
        )
        target_sites = (
            frozenset(s.id for s in new_sites) if new_sites is not None else current_sites
        )
        decision = decide_user_change(
            actor,
            target_role=target_role,
            target_site_ids=target_sites,
            current_role=current_role,
            current_site_ids=current_sites,
        )
        if not decision:
            raise PermissionDenied(decision.reason, field="role")
        if actor.user_id == user.pk and (
            target_role is not current_role or changes.get("is_active") is False
        ):
            raise PermissionDenied(
                "you cannot change your own role or deactivate yourself", field="role"
            )
        if target_role is not Role.DISTRICT_ADMIN and not target_sites:
            raise InvalidInput("give at least one site code", field="sites")
        before = _snapshot(user)
        user.role = target_role.value
        for key in ("first_name", "last_name", "email"):
            if key in changes:
                setattr(user, key, as_text(changes[key], field=key))
        if "is_active" in changes:
            user.is_active = as_bool(changes["is_active"], field="is_active")
        user.save()
        if new_sites is not None:
            user.sites.set(new_sites)
        diff = changes_between(before, _snapshot(user))
        if diff:
            record(
                actor=actor,
                action="user.update",
                object_type="user",
                object_id=user.username,
                object_repr=user.username,
                site_id=_audit_site(sorted(target_sites)),
                changes=diff,
                at=at,
            )
    return user


def set_password(*, actor: Actor, username: str, password: str, at: datetime) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(f"no account {username!r}", field="username")
        if actor.user_id != user.pk:
            decision = decide_user_change(
                actor,
                target_role=Role(user.role),
                target_site_ids=frozenset(user.sites.values_list("id", flat=True)),
            )
            if not decision:
                raise PermissionDenied(decision.reason, field="password")
        _check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        # The log says that the password changed, never what it is.
        record(
            actor=actor,
            action="user.password",
            object_type="user",
            object_id=user.username,
            object_repr=user.username,
            changes={"password": ["(old)", "(new)"]},
            at=at,
        )
    return user


def create_token(
    *, actor: Actor, username: str, at: datetime, name: str = ""
) -> tuple[ApiToken, str]:
    """Issue an API token for `username`; returns the stored row and the token (shown once)."""
    decision = decide(actor, Action.TOKEN_MANAGE)
    if not decision and actor.username != username:
        raise PermissionDenied(decision.reason, field="username")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            raise NotFound(f"no account {username!r}", field="username")
        if not user.is_active:
            raise InvalidInput(f"the account {username!r} is deactivated", field="username")
        raw = new_token()
        token = ApiToken.objects.create(
            user=user,
            digest=token_digest(raw),
            prefix=raw[4:12],
            name=name.strip(),
            created_at=at,
        )
        record(
            actor=actor,
            action="token.create",
            object_type="api_token",
            object_id=token.prefix,
            object_repr=f"{user.username} token {token.prefix}",
            changes={"user": [None, user.username]},
            at=at,
        )
    return token, raw


def revoke_token(*, actor: Actor, prefix: str, at: datetime) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise NotFound(f"no active token {prefix!r}", field="token")
        decision = decide(actor, Action.TOKEN_MANAGE)
        if not decision and actor.user_id != token.user_id:
            raise PermissionDenied(decision.reason, field="token")
        token.revoked_at = at
        token.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="token.revoke",
            object_type="api_token",
            object_id=token.prefix,
            object_repr=f"{token.user.username} token {token.prefix}",
            changes={"revoked": [False, True]},
            at=at,
        )
    return token
