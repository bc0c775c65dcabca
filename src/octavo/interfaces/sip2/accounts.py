"""SIP2 accounts: one per kiosk, book drop or gate; who may log in, from where, to do what.

The kiosk acts at its site as a desk without overrides (a student helper's reach: check out,
check in, renew, holds, take payments). Two permissions reach further and are off unless
given: `block` (a 01 message stops a card, as staff would) and `offline` (a check-out the
kiosk made while the server was away, sent with no-block: recorded past the blocks the rules
let staff override).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.interfaces.sip2.models import Sip2Account
from octavo.shared.actor import Actor, Role, Source
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied, Reason

PERMISSIONS = ("checkout", "checkin", "renew", "pay", "fines", "hold", "status", "block", "offline")
DEFAULT_PERMISSIONS = ("checkout", "checkin", "renew", "pay", "fines", "hold", "status")
ENCODINGS = ("utf-8", "cp850")
LANGUAGES = ("en", "es")
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Kiosk:
    """A logged-in account, as the server keeps it for the connection."""

    id: int
    name: str
    site_id: int
    site_code: str
    site_name: str
    time_zone: str
    permissions: frozenset[str]
    encoding: str
    language: str
    pin_required: bool
    personal_data: bool

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    def actor(self, *, elevated: bool = False) -> Actor:
        """Who the services see: a desk at the kiosk's site. `elevated` (a block or an offline
        check-out the account is allowed) acts with a technician's reach, at that site only."""
        return Actor(
            username=f"sip2:{self.name}",
            role=Role.TECHNICIAN if elevated else Role.STUDENT_HELPER,
            site_ids=frozenset({self.site_id}),
            source=Source.SIP2,
        )


def networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`--allow 10.1.0.0/16,192.168.4.20`: each a network (an address alone is one host)."""
    found = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        try:
            found.append(ipaddress.ip_network(piece, strict=False))
        except ValueError:
            raise InvalidInput(f"{piece!r} is not an address or network", field="allow") from None
    return found


def _permissions(words: str | None) -> str:
    if words is None:
        return ",".join(DEFAULT_PERMISSIONS)
    chosen = [w.strip().lower() for w in words.split(",") if w.strip()]
    unknown = [w for w in chosen if w not in PERMISSIONS]
    if unknown:
        raise InvalidInput(
            f"unknown permission {unknown[0]!r} (known: {', '.join(PERMISSIONS)})", field="may"
        )
    return ",".join(p for p in PERMISSIONS if p in chosen)


def add_account(
    *,
    actor: Actor,
    name: str,
    password: str,
    site_code: str,
    at: datetime,
    allow: str = "",
    may: str | None = None,
    encoding: str = "utf-8",
    language: str = "en",
    pin_required: bool = True,
    personal_data: bool = False,
) -> Sip2Account:
    """A new kiosk account. Only a district admin adds them (they open the circulation services
    to a machine)."""
    if not actor.is_district_admin:
        raise PermissionDenied("only a district admin adds SIP2 accounts")
    if not _NAME.match(name):
        raise InvalidInput(
            "a login is 1 to 64 letters, digits and . _ @ - (no spaces)", field="name"
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters",
            field="password",
            reason=Reason.WEAK_PASSWORD,
        )
    if encoding.lower() not in ENCODINGS:
        raise InvalidInput(f"encoding is one of {', '.join(ENCODINGS)}", field="encoding")
    if language not in LANGUAGES:
        raise InvalidInput(f"language is one of {', '.join(LANGUAGES)}", field="language")
    site = Site.objects.filter(code=site_code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {site_code!r}", field="site", reason=Reason.UNKNOWN_SITE)
    allowed = ",".join(str(n) for n in networks(allow))
    account = Sip2Account(
        name=name,
        password_hash=make_password(password),
        site=site,
        allowed_networks=allowed,
        permissions=_permissions(may),
        encoding=encoding.lower(),
        language=language,
        pin_required=pin_required,
        personal_data=personal_data,
        created_at=at,
    )
    try:
        with transaction.atomic():
            account.save()
            audit(
                actor=actor,
                action="sip2_account.add",
                object_type="sip2_account",
                object_id=account.pk,
                object_repr=name,
                site_id=site.id,
                changes={
                    "permissions": [None, account.permissions],
                    "allowed_networks": [None, allowed],
                },
                at=at,
            )
    except IntegrityError:
        raise Duplicate(f"a SIP2 account {name!r} already exists", field="name") from None
    return account


def disable_account(*, actor: Actor, name: str, at: datetime) -> Sip2Account:
    if not actor.is_district_admin:
        raise PermissionDenied("only a district admin changes SIP2 accounts")
    with transaction.atomic():
        account = Sip2Account.objects.select_for_update().filter(name=name).first()
        if account is None:
            raise NotFound(f"no SIP2 account {name!r}", field="name")
        account.disabled_at = at
        account.save(update_fields=["disabled_at"])
        audit(
            actor=actor,
            action="sip2_account.disable",
            object_type="sip2_account",
            object_id=account.pk,
            object_repr=name,
            site_id=account.site_id,
            changes={"disabled_at": [None, at.isoformat()]},
            at=at,
        )
    return account


def accounts() -> list[Sip2Account]:
    return list(Sip2Account.objects.select_related("site").order_by("name"))


def log_in(name: str, password: str, *, address: str | None) -> Kiosk | None:
    """The kiosk, when the login, password and source address are right and the account is
    not disabled; None otherwise (the caller counts the failure; which part was wrong is not
    told to the other end)."""
    account = Sip2Account.objects.select_related("site").filter(name=name).first()
    if account is None or account.disabled_at is not None:
        make_password(password)  # the same time spent as for a wrong password
        return None
    if not _password_right(account, password):
        return None
    if account.allowed_networks and not _from(address, account.allowed_networks):
        return None
    return Kiosk(
        id=account.pk,
        name=account.name,
        site_id=account.site_id,
        site_code=account.site.code,
        site_name=account.site.name,
        time_zone=account.site.time_zone,
        permissions=frozenset(p for p in account.permissions.split(",") if p),
        encoding=account.encoding,
        language=account.language,
        pin_required=account.pin_required,
        personal_data=account.personal_data,
    )


# Logins checked right in this process: account -> (its hash then, a fast digest of the
# password). A kiosk that reconnects (200 of them after a network blip) costs a SHA-256, not
# 0.6 s of PBKDF2 each; a changed password or a wrong one still goes the slow way.
_SALT = secrets.token_bytes(16)
_checked: dict[int, tuple[str, bytes]] = {}


def _password_right(account: Sip2Account, password: str) -> bool:
    digest = hashlib.sha256(_SALT + password.encode()).digest()
    known = _checked.get(account.pk)
    if known is not None and known[0] == account.password_hash:
        return secrets.compare_digest(known[1], digest)
    if not check_password(password, account.password_hash):
        return False
    _checked[account.pk] = (account.password_hash, digest)
    return True


def _from(address: str | None, allowed: str) -> bool:
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks(allowed))
