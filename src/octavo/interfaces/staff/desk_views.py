"""The scan-first circulation desk: check out, check in, renew and overrides (issue #4, "The
desk"). The words of each line are desk_lines.py; receipts, slips and sounds desk_print_views.py.

Each scan is one call to a circulation service, which decides; the desk says what happened in
the reader's language, with a colour, words and a sound (never the colour alone). What the desk
remembers between scans (its site, the patron at the counter, this session's lines for the
receipt) lives in the Django session, not in a table, and is dropped when the clerk finishes
with the patron.

Every form is a plain POST that answers with a redirect back to the desk; with htmx the same
POST answers with the desk panel alone, swapped in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import record as audit
from octavo.circulation.errors import Refused
from octavo.circulation.selectors import patron_for_desk, standing_blocks
from octavo.circulation.services import (
    check_in,
    check_out,
    open_loans,
    renew,
    renew_all,
)
from octavo.district.models import Site
from octavo.fines.selectors import balance
from octavo.holdings.models import Item
from octavo.holds.selectors import active_holds
from octavo.holds.states import HoldStatus
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_forms import ItemForm, OverrideForm, ScanForm, SiteChoiceForm
from octavo.interfaces.staff.desk_lines import (
    blocked_line,
    checkin_line,
    error_line,
    loan_line,
    money,
    shown_lines,
    site_zone,
    when,
)
from octavo.interfaces.staff.labels import (
    HOLD_LABELS,
    PATRON_STATUS_LABELS,
    REASON_WORDS,
    label,
)
from octavo.patrons.models import Patron
from octavo.patrons.selectors import find_patrons
from octavo.patrons.services import patron_for_staff
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import (
    InvalidInput,
    NotFound,
    OctavoError,
    PermissionDenied,
    Reason,
)

GET_POST = require_http_methods(["GET", "POST"])
SESSION_KEY = "octavo.desk"
MAX_LINES = 60  # a class of thirty checking out two books each; older lines drop off


# --- the desk's memory, in the session ------------------------------------------------------


def desk_state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        state = {}
    state.setdefault("site", "")
    state.setdefault("patron", None)
    state.setdefault("card", "")  # the patron's card: a visiting patron is found by it
    state.setdefault("lines", [])  # check-out mode: this patron's session, oldest first
    state.setdefault("checkin", [])  # check-in mode, oldest first; no patron named
    state.setdefault("sound", "")  # the outcome to sound on the next page shown
    return state


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _add(state: dict[str, Any], key: str, line: dict[str, Any]) -> None:
    state[key] = [*state[key], line][-MAX_LINES:]
    state["sound"] = line["outcome"]


def desk_sites(actor: Actor) -> list[Site]:
    """The active sites where the actor may circulate, by code."""
    sites = Site.objects.filter(is_active=True).order_by("code")
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [s for s in sites if decide(actor, Action.CIRCULATE, site_id=s.id)]


def desk_site(request: HttpRequest, actor: Actor) -> Site:
    """The site this desk works at: the one chosen this session, else the actor's first."""
    sites = desk_sites(actor)
    if not sites:
        raise PermissionDenied(f"{actor.username} circulates at no active site", field="site")
    state = desk_state(request)
    chosen = next((s for s in sites if s.code == state["site"]), sites[0])
    if state["site"] != chosen.code:
        state["site"] = chosen.code
        _save(request, state)
    return chosen


def require_desk(actor: Actor) -> None:
    if not may_ever(actor, Action.CIRCULATE):
        raise PermissionDenied(f"role {actor.role.value} does not circulate")


def receipt_lines(state: dict[str, Any]) -> list[dict[str, Any]]:
    """This patron's check-outs and renewals this session, one line an item (the latest)."""
    latest: dict[str, dict[str, Any]] = {}
    for line in state["lines"]:
        if line["kind"] in ("out", "renewed"):
            latest.pop(line["item"], None)
            latest[line["item"]] = line
    return list(latest.values())


# --- the patron at the counter ---------------------------------------------------------------


def current_patron(actor: Actor, state: dict[str, Any]) -> Patron | None:
    if not state["patron"]:
        return None
    patron = patron_for_desk(actor=actor, barcode=state["card"])
    if patron is None or patron.pk != state["patron"]:  # gone, or given another card
        state["patron"], state["card"], state["lines"] = None, "", []
        return None
    return patron


def _patron_by_card(actor: Actor, code: str) -> Patron | None:
    """The patron whose card this is, from any site (a visiting patron borrows here too), or
    whose student ID it is (typed for a forgotten card: the actor's own sites only)."""
    patron = patron_for_desk(actor=actor, barcode=code)
    if patron is not None:
        return patron
    found = find_patrons(code, actor=actor, limit=2)
    by_id = [p for p in found if p.student_id == code]
    return by_id[0] if len(by_id) == 1 else None


def _viewed(actor: Actor, patron: Patron, site: Site, at: datetime) -> None:
    """The audit log's "viewed" (issue #4, "Privacy"). A patron of another site, at this
    desk with their card, is not one the actor may open the record of (patron_for_staff):
    the desk's view of them is written with the desk's site."""
    if decide(actor, Action.PATRON_VIEW, site_id=patron.home_site_id):
        patron_for_staff(actor=actor, patron_id=patron.pk, at=at)
        return
    audit(
        actor=actor,
        action="patron.view",
        object_type="patron",
        object_id=patron.pk,
        object_repr=f"{patron.barcode} {patron.last_name}, {patron.first_name}",
        site_id=site.id,
        at=at,
    )


def _take_card(
    actor: Actor,
    state: dict[str, Any],
    site: Site,
    code: str,
    at: datetime,
    current: Patron | None,
) -> bool:
    """Make the patron with this card the one at the counter (a new receipt). False when no
    patron the actor may see has it."""
    patron = _patron_by_card(actor, code)
    if patron is None:
        return False
    if current is not None and patron.pk == current.pk:
        state["sound"] = "ok"  # their own card again: nothing changes
        return True
    _viewed(actor, patron, site, at)
    state["patron"], state["card"] = patron.pk, patron.barcode
    state["lines"] = []
    _add(state, "lines", {"kind": "patron", "outcome": "ok", "name": _name(patron)})
    return True


def _name(patron: Patron) -> str:
    return f"{patron.first_name} {patron.last_name}"


def _scan_out(actor: Actor, state: dict[str, Any], site: Site, code: str) -> None:
    at = now()
    current = current_patron(actor, state)
    if current is None:
        if not _take_card(actor, state, site, code, at, None):
            is_item = Item.objects.filter(barcode=code).exists()
            _add(
                state,
                "lines",
                {"kind": "nopatron", "outcome": "block", "item": code, "is_item": is_item},
            )
        return
    try:
        result = check_out(
            actor=actor,
            patron_barcode=current.barcode,
            item_barcode=code,
            at=at,
            site_code=site.code,
        )
    except Refused as refused:
        _add(state, "lines", blocked_line("checkout", code, refused))
    except InvalidInput as error:
        # A patron's card in the item box: the next patron at the counter.
        if error.field == "item_barcode" and _take_card(actor, state, site, code, at, current):
            return
        _add(state, "lines", error_line(code, error))
    except (NotFound, PermissionDenied) as error:
        _add(state, "lines", error_line(code, error))
    else:
        kind = "repeated" if result.repeated else "out"
        _add(state, "lines", loan_line(kind, result, result.overridden))


def _standing(patron: Patron, site: Site, at: datetime) -> list[dict[str, str]]:
    """What any check-out by this patron would meet now, whatever the item (the same rules the
    check-out service applies), in the desk's words, before the clerk scans."""
    shown = []
    for block in standing_blocks(patron_id=patron.pk, site_id=site.id, at=at):
        words = str(REASON_WORDS.get(block.reason, block.reason.value))
        if block.reason is Reason.PATRON_BLOCKED and patron.block_note:
            words = f"{words}: {patron.block_note}"
        shown.append(
            {"reason": block.reason.value, "words": words, "detail": capfirst(block.message)}
        )
    return shown


def _patron_context(actor: Actor, patron: Patron, site: Site) -> dict[str, Any]:
    at = now()
    zone = site_zone(site)
    loans = [
        {"loan": loan, "overdue": loan.due_at < at, "due": when(loan.due_at, zone)}
        for loan in open_loans(patron)
    ]
    owed = balance(patron.pk)
    today = timezone.localtime(at, zone).date()
    may_view = bool(decide(actor, Action.PATRON_VIEW, site_id=patron.home_site_id))
    holds = [
        {
            "hold": hold,
            "ready": hold.status == HoldStatus.READY.value,
            "status": label(HOLD_LABELS, hold.status),
        }
        for hold in active_holds(patron.pk)
    ]
    return {
        "holds": holds,
        "patron": patron,
        "status_label": label(PATRON_STATUS_LABELS, patron.status),
        "loans": loans,
        "owed": owed,
        "owed_text": money(owed),
        "standing": _standing(patron, site, at),
        "card_expired": bool(patron.card_expires and patron.card_expires < today),
        "may_view_patron": may_view,
        "visiting": patron.home_site_id != site.id,
    }


# --- answering -------------------------------------------------------------------------------


def _desk_context(request: HttpRequest, actor: Actor, mode: str) -> dict[str, Any]:
    site = desk_site(request, actor)
    state = desk_state(request)
    zone = site_zone(site)
    sound = state["sound"]
    state["sound"] = ""  # sounded once, not again on a reload
    context: dict[str, Any] = {
        "mode": mode,
        "site": site,
        "sites": desk_sites(actor),
        "sound_url": reverse("staff:desk_sound", kwargs={"name": sound}) if sound else "",
        "may_override": bool(decide(actor, Action.OVERRIDE, site_id=site.id)),
    }
    if mode == "checkin":
        context["lines"] = shown_lines(state["checkin"], zone, may_override=False)
        context["lines_caption"] = _("Checked in at this desk, newest first")
    else:
        context["lines_caption"] = _("This patron at the desk, newest first")
        patron = current_patron(actor, state)
        context["lines"] = shown_lines(state["lines"], zone, may_override=context["may_override"])
        context["receipt_count"] = len(receipt_lines(state))
        if patron is not None:
            context |= _patron_context(actor, patron, site)
    _save(request, state)
    return context


def _answer(request: HttpRequest, actor: Actor, mode: str) -> HttpResponse:
    """The desk panel alone for htmx, else a redirect to the desk (so a reload sends nothing)."""
    if getattr(request, "htmx", False):
        template = "staff/_checkin_panel.html" if mode == "checkin" else "staff/_desk_panel.html"
        return page(request, template, _desk_context(request, actor, mode), actor=actor)
    return redirect("staff:desk_checkin" if mode == "checkin" else "staff:desk")


def _mode(request: HttpRequest) -> str:
    return "checkin" if request.POST.get("mode") == "checkin" else "checkout"


# --- check out -------------------------------------------------------------------------------


@GET_POST
@staff_page
def desk(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    if request.method == "POST":
        site = desk_site(request, actor)
        state = desk_state(request)
        form = ScanForm(request.POST)
        if form.is_valid() and form.cleaned_data["barcode"]:
            _scan_out(actor, state, site, form.cleaned_data["barcode"])
        _save(request, state)
        return _answer(request, actor, "checkout")
    return page(request, "staff/desk.html", _desk_context(request, actor, "checkout"), actor=actor)


@require_POST
@staff_page
def desk_override(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Check out (or renew) past the blocks the clerk saw; the service checks the actor may."""
    require_desk(actor)
    if not may_ever(actor, Action.OVERRIDE):
        raise PermissionDenied(f"role {actor.role.value} may not override a block")
    site = desk_site(request, actor)
    state = desk_state(request)
    form = OverrideForm(request.POST, reasons=[(r.value, r.value) for r in Reason])
    if not form.is_valid():
        _ask_for_note(state, form)
    else:
        data = form.cleaned_data
        code, reasons, note = data["item"], data["reasons"], data["note"]
        at = now()
        try:
            if data["action"] == "renew":
                renewed = renew(
                    actor=actor,
                    item_barcode=code,
                    at=at,
                    site_code=site.code,
                    overrides=reasons,
                    override_note=note,
                )
                _add(state, "lines", loan_line("renewed", renewed, renewed.overridden))
            else:
                patron = current_patron(actor, state)
                if patron is None:
                    raise InvalidInput("scan the patron's card first", field="patron_barcode")
                result = check_out(
                    actor=actor,
                    patron_barcode=patron.barcode,
                    item_barcode=code,
                    at=at,
                    site_code=site.code,
                    overrides=reasons,
                    override_note=note,
                )
                _add(state, "lines", loan_line("out", result, result.overridden))
        except Refused as refused:
            _add(state, "lines", blocked_line(data["action"], code, refused))
        except OctavoError as error:
            _add(state, "lines", error_line(code, error))
    _save(request, state)
    return _answer(request, actor, "checkout")


def _ask_for_note(state: dict[str, Any], form: OverrideForm) -> None:
    """An override sent without its note: the block is shown again, its form asking for it."""
    if "note" not in form.errors or not state["lines"]:
        return
    last = state["lines"][-1]
    if last["kind"] == "blocked" and last["item"] == form.data.get("item"):
        _add(state, "lines", {**last, "note_missing": True})


@require_POST
@staff_page
def desk_renew(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site = desk_site(request, actor)
    state = desk_state(request)
    form = ItemForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["item"]
        try:
            result = renew(actor=actor, item_barcode=code, at=now(), site_code=site.code)
        except Refused as refused:
            _add(state, "lines", blocked_line("renew", code, refused))
        except OctavoError as error:
            _add(state, "lines", error_line(code, error))
        else:
            _add(state, "lines", loan_line("renewed", result, result.overridden))
    _save(request, state)
    return _answer(request, actor, "checkout")


@require_POST
@staff_page
def desk_renew_all(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site = desk_site(request, actor)
    state = desk_state(request)
    patron = current_patron(actor, state)
    if patron is not None:
        lines = renew_all(actor=actor, patron_barcode=patron.barcode, at=now(), site_code=site.code)
        for line in lines:
            if line.result is not None:
                _add(state, "lines", loan_line("renewed", line.result, line.result.overridden))
            elif line.refused is not None:
                _add(state, "lines", blocked_line("renew", line.item_barcode, line.refused))
        if not lines:
            _add(state, "lines", {"kind": "nothing", "outcome": "attention"})
        elif any(line.refused for line in lines):
            state["sound"] = "block"
    _save(request, state)
    return _answer(request, actor, "checkout")


@require_POST
@staff_page
def desk_finish(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Done with this patron (check-out: the receipt goes too) or with the check-in list."""
    require_desk(actor)
    state = desk_state(request)
    mode = _mode(request)
    if mode == "checkin":
        state["checkin"] = []
    else:
        state["patron"], state["card"], state["lines"] = None, "", []
    state["sound"] = ""
    _save(request, state)
    return _answer(request, actor, mode)


@require_POST
@staff_page
def desk_choose_site(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    form = SiteChoiceForm(request.POST)
    state = desk_state(request)
    if form.is_valid():
        code = form.cleaned_data["site"].strip().upper()
        if code in {s.code for s in desk_sites(actor)}:
            state["site"] = code
    _save(request, state)
    return redirect("staff:desk_checkin" if _mode(request) == "checkin" else "staff:desk")


# --- check in --------------------------------------------------------------------------------


@GET_POST
@staff_page
def desk_checkin(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    if request.method == "POST":
        site = desk_site(request, actor)
        state = desk_state(request)
        form = ScanForm(request.POST)
        code = form.cleaned_data["barcode"] if form.is_valid() else ""
        if code:
            try:
                result = check_in(actor=actor, item_barcode=code, at=now(), site_code=site.code)
            except OctavoError as error:
                _add(state, "checkin", error_line(code, error))
            else:
                _add(state, "checkin", checkin_line(code, result))
        _save(request, state)
        return _answer(request, actor, "checkin")
    context = _desk_context(request, actor, "checkin")
    return page(request, "staff/desk_checkin.html", context, actor=actor)
