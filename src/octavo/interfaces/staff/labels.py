"""The staff side's words for codes the services use: reasons, audit actions, object types.

STYLE.md, "Where logic goes" 5: each interface keeps one table from `Reason` to its own words.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from octavo.shared.errors import OctavoError, Reason

REASON_WORDS: dict[Reason, Promise] = {
    Reason.INVALID: _("Please check this value"),
    Reason.NOT_FOUND: _("Not found"),
    Reason.DUPLICATE: _("Already in use"),
    Reason.PERMISSION_DENIED: _("Not allowed"),
    Reason.WEAK_PASSWORD: _("Password too weak"),
    Reason.UNKNOWN_SITE: _("Unknown site"),
    Reason.UNAUTHENTICATED: _("Please log in again"),
    # The desk's words for circulation's refusals (issue #4): what the clerk reads first.
    Reason.PATRON_BLOCKED: _("The card is blocked"),
    Reason.PATRON_EXPIRED: _("The card has expired"),
    Reason.FINES_OVER_LIMIT: _("Owes more than the limit"),
    Reason.TOO_MANY_OVERDUES: _("Too many overdue items"),
    Reason.LIMIT_REACHED: _("Has as many items as allowed"),
    Reason.ITEM_NOT_FOR_LOAN: _("This item is not for loan"),
    Reason.ITEM_ON_HOLD: _("On hold for another patron"),
    Reason.ITEM_UNAVAILABLE: _("This item cannot go out"),
    Reason.ITEM_CHECKED_OUT: _("Already checked out"),
    Reason.NO_RENEWALS_LEFT: _("No renewals left"),
    Reason.NOT_CHECKED_OUT: _("Not checked out"),
    Reason.OVER_BALANCE: _("More than is owed"),
}

ACTION_LABELS: dict[str, Promise] = {
    "site.create": _("Site added"),
    "site.update": _("Site changed"),
    "location.create": _("Location added"),
    "location.update": _("Location changed"),
    "user.create": _("Account added"),
    "user.update": _("Account changed"),
    "user.password": _("Password set"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "record.create": _("Record added"),
    "record.update": _("Record changed"),
    "record.marc": _("MARC record edited"),
    "item.create": _("Item added"),
    "item.update": _("Item changed"),
    "catalog.import": _("MARC file imported"),
    "patron.view": _("Patron record viewed"),
    "patron.create": _("Patron added"),
    "patron.update": _("Patron changed"),
    "patron.block": _("Patron card blocked"),
    "patron.unblock": _("Patron card unblocked"),
    "loan.override": _("Check-out block overridden"),
    "loan.renew.override": _("Renewal block overridden"),
    "ledger.charge": _("Charge added"),
    "ledger.payment": _("Payment taken"),
    "ledger.waiver": _("Charge waived"),
    "ledger.refund": _("Refund given"),
    "policy.create": _("Policy row added"),
    "policy.update": _("Policy row changed"),
    "policy.delete": _("Policy row deleted"),
    "patron_type.create": _("Patron type added"),
    "material_type.create": _("Material type added"),
    "closed_days.add": _("Closed days added"),
    "closed_days.remove": _("Closed days removed"),
    "list.create": _("Reading list added"),
    "report.schedule": _("Report scheduled by e-mail"),
    "report.unschedule": _("Scheduled report stopped"),
    "list.update": _("Reading list changed"),
    "list.delete": _("Reading list deleted"),
    "list.entry.add": _("Title added to a reading list"),
    "list.entry.move": _("Title moved in a reading list"),
    "list.entry.note": _("Reading list note changed"),
    "list.entry.remove": _("Title removed from a reading list"),
    "patron.reading_history": _("Reading history turned on or off"),
    "parent.password": _("Parent set a password"),
    # Processing, inventory, weeding and item care (issue #8).
    "label_settings.update": _("Label printer settings changed"),
    "inventory.start": _("Inventory started"),
    "inventory.finish": _("Inventory finished"),
    "inventory.cancel": _("Inventory cancelled"),
    "weeding.build": _("Weeding list built"),
    "weeding.apply": _("Weeding list applied"),
    "item.withdraw": _("Item withdrawn"),
    "item.repair": _("Item sent to repair"),
    "item.repair_done": _("Item back from repair"),
    "item.damaged": _("Item marked damaged"),
    "label_batch.create": _("Label batch started"),
    "label_batch.add": _("Items added to a label batch"),
    "label_batch.remove": _("Item taken out of a label batch"),
    "label_batch.empty": _("Label batch emptied"),
    "label_batch.delete": _("Label batch deleted"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "site": _("Site"),
    "location": _("Location"),
    "user": _("Account"),
    "api_token": _("API token"),
    "record": _("Record"),
    "item": _("Item"),
    "import": _("MARC import"),
    "patron": _("Patron"),
    "policy_rule": _("Policy row"),
    "patron_type": _("Patron type"),
    "material_type": _("Material type"),
    "reading_list": _("Reading list"),
    "parent": _("Parent login"),
    "weeding_list": _("Weeding list"),
    "label_batch": _("Label batch"),
}

# The field names services write into an audit entry's changes.
FIELD_LABELS: dict[str, Promise] = {
    "code": _("Code"),
    "name": _("Name"),
    "address": _("Address"),
    "time_zone": _("Time zone"),
    "is_active": _("Active"),
    "hours": _("Opening hours"),
    "username": _("Username"),
    "role": _("Role"),
    "sites": _("Sites"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail address"),
    "password": _("Password"),
    "user": _("Account"),
    "revoked": _("Revoked"),
    "overridden": _("Blocks overridden"),
    "amount": _("Amount"),
    "kind": _("Kind"),
    # Policy rows and closed days (octavo.policy.services, octavo.district.services).
    "site": _("Site"),
    "patron_type": _("Patron type"),
    "material_type": _("Material type"),
    "loan_days": _("Loan period (days)"),
    "loan_hours": _("Loan period (hours)"),
    "max_items": _("Maximum items out"),
    "renewals": _("Renewals allowed"),
    "fine_per_day": _("Fine per day"),
    "fine_cap": _("Fine cap"),
    "grace_days": _("Grace days"),
    "hold_limit": _("Holds allowed"),
    "hold_shelf_days": _("Days on the hold shelf"),
    "lost_after_days": _("Billed as lost after (days overdue)"),
    "processing_fee": _("Processing fee"),
    "max_balance": _("Blocked when owing more than"),
    "max_overdues": _("Blocked with more overdue items than"),
    "closed_days": _("Closed days"),
    "reason": _("Reason"),
    "circulates": _("May be checked out"),
    # Items, weeding lists and item care (octavo.holdings.services, octavo.circulation.weeding,
    # octavo.circulation.care).
    "status": _("Status"),
    "condition": _("Condition"),
    "barcode": _("Barcode"),
    "call_number": _("Call number"),
    "price": _("Price"),
    "acquired_on": _("Acquisition date"),
    "public_note": _("Public note"),
    "staff_note": _("Staff note"),
    "location": _("Location"),
    "record": _("Record"),
    "note": _("Note"),
    "charged": _("Charged"),
    "weeding_list": _("Weeding list"),
    "scope": _("Shelves"),
    "criteria": _("Criteria"),
    "entries": _("Entries"),
    "withdrawn": _("Withdrawn"),
    "skipped": _("Not withdrawn"),
    "kept": _("Kept"),
    "barcodes": _("Barcodes"),
}

SOURCE_LABELS: dict[str, Promise] = {
    "staff": _("Staff screens"),
    "api": _("API"),
    "cli": _("Command line"),
    "system": _("System"),
}


# The fines ledger and patrons (issue #4): codes from octavo.fines.states and patrons.states.
ENTRY_LABELS: dict[str, Promise] = {
    "charge": _("Charge"),
    "payment": _("Payment"),
    "waiver": _("Waiver"),
    "refund": _("Refund"),
}

CHARGE_LABELS: dict[str, Promise] = {
    "overdue": _("Overdue fine"),
    "lost": _("Lost item"),
    "damaged": _("Damaged item"),
    "processing": _("Processing fee"),
    "manual": _("Other charge"),
}

METHOD_LABELS: dict[str, Promise] = {
    "cash": _("Cash"),
    "check": _("Check"),
    "card": _("Card"),
    "other": _("Other"),
}

PATRON_STATUS_LABELS: dict[str, Promise] = {
    "active": pgettext_lazy("patron status", "Active"),
    "blocked": pgettext_lazy("patron status", "Blocked"),
    "expired": pgettext_lazy("patron status", "Expired"),
    "merged": pgettext_lazy("patron status", "Merged into another record"),
}


HOLD_LABELS: dict[str, Promise] = {
    "waiting": _("Waiting in the queue"),
    "in_transit": _("On its way to the pickup site"),
    "ready": _("Ready on the hold shelf"),
    "fulfilled": _("Picked up"),
    "cancelled": _("Cancelled"),
    "expired": pgettext_lazy("hold status", "Expired"),
}


def error_text(exc: OctavoError) -> str:
    """The reason in the reader's language, then the service's message naming the record."""
    words = REASON_WORDS.get(exc.reason, REASON_WORDS[Reason.INVALID])
    return f"{words}: {capfirst(exc.message)}"


def label(table: dict[str, Promise], code: str) -> str:
    """A code's label, or the code itself for codes added after this table."""
    return str(table.get(code, code))
