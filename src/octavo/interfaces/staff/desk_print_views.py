"""What the desk prints: the patron's receipt, transit slips and hold slips (each a page with a
print stylesheet: only the slip is printed), and the desk's sounds."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.views.decorators.http import require_safe

from octavo.accounts.rules import Action, decide
from octavo.holdings.models import Transit
from octavo.holds.models import Hold
from octavo.holds.states import TRAPPED, HoldStatus
from octavo.interfaces.staff import sounds
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import receipt_rows, site_zone
from octavo.interfaces.staff.desk_views import (
    current_patron,
    desk_site,
    desk_state,
    receipt_lines,
    require_desk,
)
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, PermissionDenied


@require_safe
@staff_page
def desk_receipt(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site = desk_site(request, actor)
    state = desk_state(request)
    patron = current_patron(actor, state)
    zone = site_zone(site)
    rows = receipt_rows(receipt_lines(state), zone)
    context = {
        "site": site,
        "patron": patron,
        "rows": rows,
        "printed": formats.date_format(timezone.localtime(now(), zone), "DATETIME_FORMAT"),
    }
    return page(request, "staff/desk_receipt.html", context, actor=actor)


@require_safe
@staff_page
def desk_transit_slip(request: HttpRequest, actor: Actor, barcode: str) -> HttpResponse:
    require_desk(actor)
    site = desk_site(request, actor)
    transit = (
        Transit.objects.select_related("item", "item__record", "from_site", "to_site")
        .filter(item__barcode=barcode.strip(), arrived_at__isnull=True)
        .first()
    )
    if transit is None:
        raise NotFound(f"{barcode} is not in transit", field="barcode")
    zone = site_zone(site)
    for_hold = Hold.objects.filter(item=transit.item, status=HoldStatus.IN_TRANSIT.value).exists()
    context = {
        "transit": transit,
        "for_hold": for_hold,
        "sent": formats.date_format(timezone.localtime(transit.sent_at, zone), "DATETIME_FORMAT"),
    }
    return page(request, "staff/desk_transit_slip.html", context, actor=actor)


@require_safe
@staff_page
def desk_hold_slip(request: HttpRequest, actor: Actor, hold_id: int) -> HttpResponse:
    """The slip put in an item on the hold shelf: who it is for and until when, never the
    title (issue #4: the hold shelf faces the public)."""
    require_desk(actor)
    hold = (
        Hold.objects.select_related("patron", "pickup_site", "item")
        .filter(pk=hold_id, status__in=[s.value for s in TRAPPED], patron__isnull=False)
        .first()
    )
    if hold is None or hold.patron is None:
        raise NotFound(f"no hold {hold_id} waiting for its patron", field="hold")
    decision = decide(actor, Action.CIRCULATE, site_id=hold.pickup_site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    zone = site_zone(hold.pickup_site)
    until = ""
    if hold.expires_at:
        until = formats.date_format(timezone.localtime(hold.expires_at, zone), "DATE_FORMAT")
    context = {"hold": hold, "patron": hold.patron, "until": until}
    return page(request, "staff/desk_hold_slip.html", context, actor=actor)


# --- sounds ----------------------------------------------------------------------------------


@require_safe
def desk_sound(request: HttpRequest, name: str) -> HttpResponse:
    """A short tone (sounds.py); the same bytes for everyone, so cached for a day."""
    if name not in sounds.TONES:
        raise Http404(name)
    response = HttpResponse(sounds.wav(name), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response
