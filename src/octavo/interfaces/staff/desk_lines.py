"""The desk's lines: what each scan did, kept in the session as codes and shown in the
reader's language with an outcome (STYLE.md, "Where logic goes" 5: the desk's words for each
`Reason` are labels.REASON_WORDS).

Each outcome has a CSS class (a colour and a border), a word and a sound (sounds.TONES): never
the colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from octavo.circulation.errors import Refused
from octavo.circulation.services import (
    NEVER_OVERRIDDEN,
    CheckinResult,
    CheckoutResult,
    RenewResult,
)
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.interfaces.staff.labels import REASON_WORDS
from octavo.shared.errors import OctavoError, Reason

OUTCOMES = ("ok", "attention", "block")


def site_zone(site: Site) -> ZoneInfo:
    return ZoneInfo(site.time_zone)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def when(value: datetime | str, zone: ZoneInfo) -> str:
    """A moment (or its ISO text, as the session keeps it) as the reader writes dates, at the
    site's time."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(timezone.localtime(moment, zone), "DATETIME_FORMAT")


def receipt_rows(lines: list[dict[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """The receipt's rows (printed and e-mailed alike): each item, its title, when it is due
    in the reader's date format, whether it was renewed."""
    return [
        {
            "item": line["item"],
            "title": line["title"],
            "due": when(line["due"], zone),
            "renewed": line["kind"] == "renewed",
        }
        for line in lines
    ]


def _title(barcode: str) -> str:
    """The title of the item with this barcode, for the line (blank when there is none)."""
    title = Item.objects.filter(barcode=barcode).values_list("record__title", flat=True).first()
    return title or ""


def money(amount: Decimal | str) -> str:
    return formats.number_format(Decimal(amount), 2)


# --- lines: what happened, kept as codes and shown in the reader's language -----------------


def _reason_lines(refused: Refused) -> list[list[str]]:
    return [[b.reason.value, b.message] for b in refused.blocks]


def loan_line(
    kind: str, result: CheckoutResult | RenewResult, overridden: Iterable[Reason]
) -> dict[str, Any]:
    item = result.loan.item
    return {
        "kind": kind,
        "outcome": "ok",
        "item": item.barcode,
        "title": _title(item.barcode),
        "due": _iso(result.due_at),
        "overridden": [r.value for r in overridden],
    }


def blocked_line(action: str, barcode: str, refused: Refused) -> dict[str, Any]:
    return {
        "kind": "blocked",
        "outcome": "block",
        "action": action,
        "item": barcode,
        "title": _title(barcode),
        "reasons": _reason_lines(refused),
    }


def error_line(barcode: str, error: OctavoError) -> dict[str, Any]:
    return {
        "kind": "error",
        "outcome": "block",
        "item": barcode,
        "reason": error.reason.value,
        "message": error.message,
    }


def checkin_line(barcode: str, result: CheckinResult) -> dict[str, Any]:
    attention = (
        result.fine > 0
        or result.credited > 0
        or result.destination != "shelf"
        or not result.was_checked_out
    )
    return {
        "kind": "in",
        "outcome": "attention" if attention else "ok",
        "item": result.item.barcode,
        "title": _title(result.item.barcode),
        "was_out": result.was_checked_out,
        "late": result.late_days,
        "fine": str(result.fine),
        "destination": result.destination,
        "to": result.to_site.code if result.to_site else "",
        "to_name": result.to_site.name if result.to_site else "",
        # The hold it now serves, by id only: the slip reads who it is for when printed.
        "hold": result.hold.pk if result.hold else None,
        "credited": str(result.credited),
    }


@dataclass
class Shown:
    """One line as the desk shows it."""

    outcome: str
    headline: str
    item: str = ""
    title: str = ""
    reasons: list[str] = field(default_factory=list)  # the desk's words for each block
    details: list[str] = field(default_factory=list)  # the services' own messages
    slip_url: str = ""
    slip_label: str = ""
    override: dict[str, Any] | None = None  # on the newest block, for a role that may
    ask_for_override: bool = False  # the newest block, for a role that may not override

    @property
    def outcome_words(self) -> str:
        if self.outcome == "block":
            # A block (glossary: the reasons a check-out is refused), or a scan that did nothing.
            return _("Blocked") if self.reasons else _("Not done")
        return _("Done") if self.outcome == "ok" else _("Attention")


def _reason_words(code: str) -> str:
    try:
        return str(REASON_WORDS.get(Reason(code), code))
    except ValueError:
        return code


def _shown(line: dict[str, Any], zone: ZoneInfo) -> Shown:
    kind = line["kind"]
    item, title = line.get("item", ""), line.get("title", "")
    if kind == "patron":
        return Shown("ok", _("Patron %(name)s: scan the items.") % {"name": line["name"]})
    if kind in ("out", "repeated", "renewed"):
        due = when(line["due"], zone)
        headline = {
            "out": _("Checked out: due %(due)s"),
            "repeated": _("Already checked out to this patron a moment ago: due %(due)s"),
            "renewed": _("Renewed: due %(due)s"),
        }[kind] % {"due": due}
        reasons = [_reason_words(code) for code in line.get("overridden", [])]
        details = [_("Block overridden.")] if reasons else []
        return Shown("ok", headline, item, title, reasons, details)
    if kind == "blocked":
        headline = _("Not renewed.") if line["action"] == "renew" else _("Not checked out.")
        return Shown(
            "block",
            headline,
            item,
            title,
            [_reason_words(code) for code, _message in line["reasons"]],
            [capfirst(message) for _code, message in line["reasons"]],
        )
    if kind == "nopatron":
        if line["is_item"]:
            text = _("%(barcode)s is an item, not a patron's card: scan the patron's card first.")
        else:
            text = _("No patron has the card %(barcode)s.")
        return Shown("block", text % {"barcode": item}, item)
    if kind == "nothing":
        return Shown("attention", _("Nothing to renew: the patron has no items out."))
    if kind == "in":
        return _shown_checkin(line)
    if kind == "lost":
        headline = _("Marked lost: %(amount)s charged.") % {"amount": money(line["charged"])}
        return Shown("attention", headline, item, title)
    if kind == "claimed":
        headline = _("Claims returned: the loan ends with no fine; the item is missing.")
        return Shown("attention", headline, item, title)
    # "error": a barcode the service could not use.
    return Shown(
        "block", _reason_words(line["reason"]), item, title, details=[capfirst(line["message"])]
    )


def _shown_checkin(line: dict[str, Any]) -> Shown:
    details = []
    fine = Decimal(line["fine"])
    late = int(line["late"])
    if fine > 0:
        details.append(
            ngettext(
                "Fine charged: %(amount)s (%(days)s open day late).",
                "Fine charged: %(amount)s (%(days)s open days late).",
                late,
            )
            % {"amount": money(fine), "days": late}
        )
    elif late > 0:
        details.append(
            ngettext(
                "Back %(days)s open day late; no fine.",
                "Back %(days)s open days late; no fine.",
                late,
            )
            % {"days": late}
        )
    credited = Decimal(line.get("credited", "0"))
    if credited > 0:
        details.append(_("Lost item found: %(amount)s credited.") % {"amount": money(credited)})
    slip = ""
    hold = line.get("hold")
    site = f"{line['to']} {line['to_name']}"
    if line["destination"] == "transit" and hold:
        details.append(_("A hold at %(site)s: put it on the transit cart.") % {"site": site})
        slip = reverse("staff:desk_transit", kwargs={"barcode": line["item"]})
    elif line["destination"] == "transit":
        details.append(_("In transit to %(site)s: put it on the transit cart.") % {"site": site})
        slip = reverse("staff:desk_transit", kwargs={"barcode": line["item"]})
    elif line["destination"] == "hold_shelf" and hold:
        details.append(_("A hold here: put it on the hold shelf with its slip."))
        slip = reverse("staff:desk_hold_slip", kwargs={"hold_id": hold})
    elif line["destination"] == "shelf":
        details.append(_("Back to the shelf."))
    headline = _("Returned.") if line["was_out"] else _("Was not checked out.")
    return Shown(
        line["outcome"],
        headline,
        line["item"],
        line["title"],
        details=details,
        slip_url=slip,
        slip_label=_("Hold slip") if "/holds/" in slip else _("Transit slip"),
    )


def shown_lines(lines: list[dict[str, Any]], zone: ZoneInfo, *, may_override: bool) -> list[Shown]:
    """The lines newest first; the newest block carries the override form when allowed."""
    shown = [_shown(line, zone) for line in reversed(lines)]
    if not shown or lines[-1]["kind"] != "blocked":
        return shown
    codes = [code for code, _message in lines[-1]["reasons"]]
    if any(Reason(code) in NEVER_OVERRIDDEN for code in codes):
        return shown  # nobody overrides these: check the item in first, or put it back
    if may_override:
        shown[0].override = {
            "action": lines[-1]["action"],
            "item": lines[-1]["item"],
            "reasons": codes,
            "note_missing": bool(lines[-1].get("note_missing")),
        }
    else:
        shown[0].ask_for_override = True
    return shown
