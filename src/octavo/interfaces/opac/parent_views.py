"""Parents and guardians in the OPAC: ask for a link, set a password, log in, and choose a
young child's reading history. What a parent sees is the account page (account_views), with
each child's loans, holds and fines; a parent changes nothing else (accounts.rules)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octavo.circulation.history import choose_reading_history
from octavo.interfaces.opac.access import (
    LOGIN_RATE,
    Reader,
    limited,
    log_in_parent,
    private,
    reader_page,
    too_many,
)
from octavo.interfaces.opac.forms import ParentLinkForm, ParentLoginForm, ParentPasswordForm
from octavo.interfaces.opac.views import page
from octavo.interfaces.opac.words import patron_text
from octavo.patrons import parents
from octavo.patrons.services import PinOutcome
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError

GET_POST = require_http_methods(["GET", "POST"])


@GET_POST
def parent_login(request: HttpRequest) -> HttpResponse:
    form = ParentLoginForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if limited(request, "opac.login", LOGIN_RATE):
            return private(too_many(request))
        if form.is_valid():
            data = form.cleaned_data
            check = parents.verify(email=data["email"], password=data["password"], at=now())
            if check.outcome is PinOutcome.ACCEPTED and check.account is not None:
                log_in_parent(request, check.account)
                return private(redirect("opac:account"))
            error = _("That e-mail address and password do not match.")
            if check.outcome is PinOutcome.LOCKED and check.locked_until is not None:
                when = formats.time_format(check.locked_until.astimezone(), "TIME_FORMAT")
                error = _(
                    "Too many wrong passwords. Try again after %(time)s, or ask at the library."
                ) % {"time": when}
    return private(page(request, "parent_login.html", {"form": form, "error": error}))


@GET_POST
def parent_link(request: HttpRequest) -> HttpResponse:
    """Mail a link to set a password, if the address is a guardian's on file. The answer is
    the same either way, so the page cannot be used to learn who has children here."""
    form = ParentLinkForm(request.POST or None)
    if request.method == "POST":
        if limited(request, "opac.parent_link", LOGIN_RATE):
            return private(too_many(request))
        if form.is_valid():
            found = parents.request_link(email=form.cleaned_data["email"], at=now())
            if found is not None:
                account, token = found
                link = request.build_absolute_uri(
                    reverse("opac:parent_set", args=[account.pk, token])
                )
                context = {"link": link}
                send_mail(
                    _("Set your password for the library catalog"),
                    render_to_string("opac/email/parent_link.txt", context),
                    settings.DEFAULT_FROM_EMAIL,
                    [account.email],
                )
            return private(page(request, "parent_link_sent.html", {}))
    return private(page(request, "parent_link.html", {"form": form}))


@GET_POST
def parent_set(request: HttpRequest, account_id: int, token: str) -> HttpResponse:
    account = parents.account_for_link(account_id, token)
    if account is None:
        return private(page(request, "parent_link_expired.html", {}, status=404))
    form = ParentPasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            account = parents.set_password(
                account_id=account.pk,
                token=token,
                password=form.cleaned_data["password"],
                at=now(),
            )
        except OctavoError as refused:
            error = refused.message if refused.field == "password" else patron_text(refused)
        else:
            log_in_parent(request, account)
            messages.success(request, _("Your password is set."))
            return private(redirect("opac:account"))
    context = {"form": form, "error": error, "email": account.email}
    return private(page(request, "parent_set.html", context))


@require_POST
@reader_page
def child_history(request: HttpRequest, reader: Reader, patron_id: int) -> HttpResponse:
    """A parent turns a young child's reading history on or off (the service decides whether
    this reader chooses for this child; another patron's id is not found)."""
    keep = bool(request.POST.get("keep"))
    try:
        choose_reading_history(actor=reader.actor, patron_id=patron_id, keep=keep, at=now())
    except OctavoError as error:
        messages.error(request, patron_text(error))
    else:
        messages.success(
            request,
            _("The reading history is on.")
            if keep
            else _("The reading history is off, and what it held is gone."),
        )
    return redirect("opac:account")
