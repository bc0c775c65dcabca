"""Who keeps a saved label batch, and which items may go into one (issue #8: "Choose what to
print: ... a saved batch", after Koha's label batches). Pure: no Django, no database.

A batch is processing work, like the labels it prints: whoever may edit items at its site
(CATALOG_EDIT, the right that adds copies) sees it, adds to it, takes items out, prints it,
empties and deletes it. A district-wide batch belongs to no one site, so it is a district
admin's, as a district-wide reading list is (octavo.lists.rules): a technician at one school
sees neither another school's batches nor the district's.

A site's batch holds that site's items only, so everyone who sees it may label all of it; a
district-wide batch holds items of any site.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from octavo.accounts.rules import Action, Decision, decide, may_ever
from octavo.shared.actor import Actor


class Refusal(StrEnum):
    """Why a line handed in was not added; each interface has its words for these."""

    BLANK = "blank"
    NOT_A_BARCODE = "not_a_barcode"
    CHECK_DIGIT = "check_digit"  # 14 digits whose check digit is wrong: a misread scan
    REPEATED = "repeated"  # listed twice in what was handed in
    NO_ITEM = "no_item"
    NOT_ALLOWED = "not_allowed"  # at a site the actor does not edit items for
    OTHER_SITE = "other_site"  # a site's batch holds that site's items only
    WITHDRAWN = "withdrawn"  # a withdrawn item gets no label
    ALREADY_IN = "already_in"


@dataclass(frozen=True, slots=True)
class NotAdded:
    """A line that added nothing: its number (from 1), the text as read, why, and what the
    reason names (the line first listing a repeat; the item's site code)."""

    line: int
    value: str
    reason: Refusal
    first_line: int = 0
    site: str = ""
    detail: str = ""  # the reader's own words, for NOT_A_BARCODE

    def __str__(self) -> str:
        why = {
            Refusal.BLANK: "blank line",
            Refusal.NOT_A_BARCODE: self.detail or "not a barcode",
            Refusal.CHECK_DIGIT: "wrong check digit (a misread scan?)",
            Refusal.REPEATED: f"already listed on line {self.first_line}",
            Refusal.NO_ITEM: "no item with this barcode",
            Refusal.NOT_ALLOWED: f"at {self.site}, a site you do not label items for",
            Refusal.OTHER_SITE: f"belongs to {self.site}, not to the batch's site",
            Refusal.WITHDRAWN: "withdrawn",
            Refusal.ALREADY_IN: "already in the batch",
        }[self.reason]
        text = f"{self.value}: {why}" if self.value else why
        return f"line {self.line}: {text}"


def decide_keep(actor: Actor, *, site_id: int | None) -> Decision:
    """May `actor` see, fill, print, empty and delete a batch of `site_id` (None: the
    district's)?"""
    if site_id is not None or not may_ever(actor, Action.CATALOG_EDIT):
        return decide(actor, Action.CATALOG_EDIT, site_id=site_id)
    if not actor.is_district_admin:
        return Decision(False, "district-wide label batches are kept by a district admin")
    return decide(actor, Action.CATALOG_EDIT)


def refuse_item(
    actor: Actor, *, batch_site_id: int | None, item_site_id: int, withdrawn: bool
) -> Refusal | None:
    """Why this item may not go into the batch, or None. (Being in it already is the
    service's to see.)"""
    if batch_site_id is not None and item_site_id != batch_site_id:
        return Refusal.OTHER_SITE
    if not decide(actor, Action.CATALOG_EDIT, site_id=item_site_id):
        return Refusal.NOT_ALLOWED
    if withdrawn:
        return Refusal.WITHDRAWN
    return None
