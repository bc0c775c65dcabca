"""Who is reading the OPAC, the door of its account pages, and its limits per address.

A card holder logs in with card number and PIN (patrons.services.verify_pin: the same failure
count as the desk and the kiosks). Who is logged in lives in the session, never in a Django
user: patrons are not staff accounts. Every page that shows a patron's own data is sent with
`Cache-Control: no-store`, so a shared school computer's back button and cache keep nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from octavo.patrons.models import ParentAccount, Patron
from octavo.patrons.parents import children_of
from octavo.patrons.selectors import by_card
from octavo.shared.actor import Actor

SESSION_PATRON = "opac_patron"
SESSION_PARENT = "opac_parent"

# Per address: an anonymous reader searches a few times a minute; a script, hundreds. These
# are far above what a class of thirty sharing one school address does (each page is one
# search), and far below what would slow the catalog for everyone (issue #6, "Security").
SEARCH_RATE = "300/m"
LOGIN_RATE = "30/m"


@dataclass(frozen=True)
class Reader:
    """Someone logged in to the OPAC: a card holder (their own patron) or a parent."""

    actor: Actor
    patron: Patron | None = None
    children: tuple[Patron, ...] = field(default=())
    parent_email: str = ""

    @property
    def is_parent(self) -> bool:
        return self.patron is None

    def patrons(self) -> tuple[Patron, ...]:
        return (self.patron,) if self.patron is not None else self.children


def client_address(group: str, request: HttpRequest) -> str:
    """The reader's address: the socket's, or behind OCTAVO_PROXY_COUNT proxies the one the
    outermost proxy saw (the same trust as the staff login's lock-out, settings.py)."""
    proxies = int(getattr(settings, "OCTAVO_PROXY_COUNT", 0))
    if proxies:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def limited(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against its address's limit; True once the limit is passed."""
    return bool(
        is_ratelimited(
            request, group=group, key=client_address, rate=rate, method=ALL, increment=True
        )
    )


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "opac/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def reader_of(request: HttpRequest) -> Reader | None:
    """Who is logged in to this session: a card holder, or a parent with the children the
    school's records give them now (a child moved away since the login is gone at once).
    A card blocked or merged since the login still reads its account (to see why); a patron
    or parent account removed since ends the session."""
    address = client_address("", request)
    parent_id = request.session.get(SESSION_PARENT)
    if parent_id is not None:
        account = ParentAccount.objects.filter(pk=parent_id).first()
        if account is None:
            request.session.flush()
            return None
        children = tuple(children_of(account))
        ids = frozenset(child.pk for child in children)
        actor = Actor.parent(account.email, ids, address=address)
        return Reader(actor=actor, children=children, parent_email=account.email)
    patron_id = request.session.get(SESSION_PATRON)
    if patron_id is None:
        return None
    patron = Patron.objects.filter(pk=patron_id).select_related("home_site").first()
    if patron is None:
        request.session.flush()
        return None
    if patron.merged_into_id is not None:
        patron = by_card(patron.barcode) or patron
    actor = Actor.card_holder(patron.pk, patron.barcode, address=address)
    return Reader(actor=actor, patron=patron)


def log_in(request: HttpRequest, patron: Patron) -> None:
    """A new session for the card holder (a new key: one set before the login is not theirs)."""
    request.session.flush()
    request.session[SESSION_PATRON] = patron.pk


def log_in_parent(request: HttpRequest, account: ParentAccount) -> None:
    request.session.flush()
    request.session[SESSION_PARENT] = account.pk


def log_out(request: HttpRequest) -> None:
    request.session.flush()


def private(response: HttpResponse) -> HttpResponse:
    """A page with a patron's data: kept by no cache, not even the browser's history."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


ReaderView = Callable[..., HttpResponse]


def reader_page(view: ReaderView) -> Callable[..., HttpResponse]:
    """An account page: the reader logged in (else the login page, then back here), passed to
    the view, and the answer marked private."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reader = reader_of(request)
        if reader is None:
            login = reverse("opac:login")
            return private(redirect(f"{login}?{urlencode({'next': request.get_full_path()})}"))
        return private(view(request, reader, *args, **kwargs))

    return wrapped
