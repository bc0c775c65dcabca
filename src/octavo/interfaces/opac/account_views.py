"""The OPAC's account pages: log in with card and PIN, see loans, holds and fines, renew,
place and cancel holds, and choose whether to keep a reading history.

Every change is one call to the same service the desk uses, with the card holder's own actor
(Actor.card_holder): the services decide what a card holder may do, and an id that is not
theirs is "not found" there, so a hand-made request never reaches another patron's data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octavo.catalog.models import Record
from octavo.circulation.history import choose_reading_history, chooses_for, reading_history
from octavo.circulation.services import cancel_hold, open_loans, renew_own
from octavo.district.models import Site
from octavo.fines.selectors import balance, open_charges
from octavo.holds.selectors import active_holds, queue_position
from octavo.holds.services import place_hold
from octavo.interfaces.opac.access import (
    LOGIN_RATE,
    Reader,
    limited,
    log_in,
    log_out,
    private,
    reader_page,
    too_many,
)
from octavo.interfaces.opac.forms import HistoryForm, HoldForm, LoginForm
from octavo.interfaces.opac.views import not_found, page
from octavo.interfaces.opac.words import patron_text
from octavo.interfaces.staff.labels import CHARGE_LABELS, HOLD_LABELS, label
from octavo.patrons.models import Patron
from octavo.patrons.selectors import by_card
from octavo.patrons.services import PinOutcome, verify_pin
from octavo.shared.actor import Role
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError

GET_POST = require_http_methods(["GET", "POST"])


def _next_url(request: HttpRequest) -> str:
    """Where to go after logging in: the page that asked, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return str(wanted)
    return reverse("opac:account")


@GET_POST
def login_page(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if limited(request, "opac.login", LOGIN_RATE):
            return private(too_many(request))
        if form.is_valid():
            patron = by_card(form.cleaned_data["card"])
            # One answer for an unknown card, a card with no PIN and a wrong PIN: the page
            # never tells a guesser which card numbers exist.
            error = _("That card number and PIN do not match. No PIN yet? Ask at the library.")
            if patron is not None:
                check = verify_pin(patron=patron, pin=form.cleaned_data["pin"], at=now())
                if check.accepted:
                    log_in(request, patron)
                    response = redirect(_next_url(request))
                    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                        response.set_cookie(
                            settings.LANGUAGE_COOKIE_NAME,
                            patron.language,
                            max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax",
                        )
                    return private(response)
                if check.outcome is PinOutcome.LOCKED and check.locked_until is not None:
                    when = formats.time_format(check.locked_until.astimezone(), "TIME_FORMAT")
                    error = _(
                        "Too many wrong PINs on this card. Try again after %(time)s, or ask "
                        "at the library."
                    ) % {"time": when}
    context = {"form": form, "error": error, "next": _next_url(request)}
    return private(page(request, "login.html", context, status=200))


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    log_out(request)
    messages.success(request, _("You are logged out."))
    return private(redirect("opac:home"))


def _patron_account(reader: Reader, patron: Patron) -> dict[str, Any]:
    """One patron's loans, holds and fines: the card holder's own, or a parent's child's."""
    at = now()
    loans = [
        {"loan": loan, "overdue": loan.due_at < at, "record_id": loan.item.record_id}
        for loan in open_loans(patron)
    ]
    holds = [
        {
            "hold": hold,
            "status": label(HOLD_LABELS, hold.status),
            "position": queue_position(hold) if hold.status == "waiting" else None,
        }
        for hold in active_holds(patron.pk)
    ]
    charges = [
        {"entry": entry, "left": left, "type": label(CHARGE_LABELS, entry.charge_type)}
        for entry, left in open_charges(patron.pk)
    ]
    return {
        "patron": patron,
        "loans": loans,
        "holds": holds,
        "charges": charges,
        "balance": balance(patron.pk),
        "chooses_history": chooses_for(reader.actor, patron.grade),
    }


@require_http_methods(["GET"])
@reader_page
def account_page(request: HttpRequest, reader: Reader) -> HttpResponse:
    accounts = [_patron_account(reader, patron) for patron in reader.patrons()]
    return page(request, "account.html", {"reader": reader, "accounts": accounts})


@require_POST
@reader_page
def renew_page(request: HttpRequest, reader: Reader) -> HttpResponse:
    barcodes = request.POST.getlist("item")
    if reader.patron is not None and request.POST.get("all"):
        barcodes = [loan.item.barcode for loan in open_loans(reader.patron)]
    renewed = 0
    for barcode in barcodes[:100]:
        try:
            result = renew_own(actor=reader.actor, item_barcode=barcode, at=now())
        except OctavoError as error:
            title = _title_of_loan(reader, barcode)
            messages.error(
                request, f"{title}: {patron_text(error)}" if title else patron_text(error)
            )
        else:
            renewed += 1
            due = formats.date_format(result.due_at.astimezone(), "DATE_FORMAT")
            messages.success(
                request,
                _("Renewed %(title)s: now due %(due)s.")
                % {"title": result.loan.item.record.title, "due": due},
            )
    return redirect("opac:account")


def _title_of_loan(reader: Reader, barcode: str) -> str:
    if reader.patron is None:
        return ""
    for loan in open_loans(reader.patron):
        if loan.item.barcode == barcode:
            return str(loan.item.record.title)
    return ""


def _pickup_sites(reader: Reader) -> list[tuple[str, str]]:
    sites = list(Site.objects.filter(is_active=True).order_by("name"))
    home = reader.patron.home_site_id if reader.patron else None
    sites.sort(key=lambda s: (s.pk != home, s.name))
    return [(s.code, s.name) for s in sites]


@GET_POST
@reader_page
def hold_page(request: HttpRequest, reader: Reader, record_id: int) -> HttpResponse:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        return not_found(request)
    if reader.actor.role is Role.PARENT:
        messages.error(request, _("Holds are placed by the student, with their own card."))
        return redirect("opac:record", record_id=record.pk)
    form = HoldForm(request.POST or None, sites=_pickup_sites(reader))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            hold = place_hold(
                actor=reader.actor,
                record_id=record.pk,
                pickup_site_code=form.cleaned_data["pickup"],
                at=now(),
            )
        except OctavoError as refused:
            error = patron_text(refused)
        else:
            messages.success(
                request,
                _(
                    "Your hold on %(title)s is placed. We will tell you when it is ready at "
                    "%(site)s."
                )
                % {"title": record.title, "site": hold.pickup_site.name},
            )
            return redirect("opac:account")
    return page(request, "hold.html", {"record": record, "form": form, "error": error})


@require_POST
@reader_page
def cancel_page(request: HttpRequest, reader: Reader, hold_id: int) -> HttpResponse:
    try:
        hold, _where = cancel_hold(actor=reader.actor, hold_id=hold_id, at=now())
    except OctavoError as error:
        messages.error(request, patron_text(error))
    else:
        messages.success(
            request, _("Your hold on %(title)s is cancelled.") % {"title": hold.record.title}
        )
    return redirect("opac:account")


@GET_POST
@reader_page
def history_page(request: HttpRequest, reader: Reader) -> HttpResponse:
    patron = reader.patron
    if patron is None:
        return redirect("opac:account")
    chooses = chooses_for(reader.actor, patron.grade)
    posted = request.POST if request.method == "POST" else None  # unticked: an empty POST
    form = HistoryForm(posted, initial={"keep": patron.keeps_reading_history})
    if request.method == "POST" and chooses and form.is_valid():
        keep = form.cleaned_data["keep"]
        try:
            choose_reading_history(actor=reader.actor, patron_id=patron.pk, keep=keep, at=now())
        except OctavoError as error:
            messages.error(request, patron_text(error))
        else:
            messages.success(
                request,
                _("Your reading history is on.")
                if keep
                else _("Your reading history is off, and what it held is gone."),
            )
        return redirect("opac:history")
    lines = reading_history(patron.pk) if patron.keeps_reading_history else []
    context = {"patron": patron, "form": form, "chooses": chooses, "lines": lines}
    return page(request, "history.html", context)
