"""Who may curate a reading list. Pure: no Django, no database.

Lists are catalog work (issue #6: "Staff curate reading lists and featured shelves on the staff
side"): whoever may catalog at a site curates that site's lists. A district-wide list (no site)
belongs to no one site, so only a district admin curates it.
"""

from __future__ import annotations

from octavo.accounts.rules import Action, Decision, decide, may_ever
from octavo.shared.actor import Actor


def decide_curate(actor: Actor, *, site_id: int | None) -> Decision:
    """May `actor` create, change or delete a list at `site_id` (None: district-wide)?"""
    if not may_ever(actor, Action.CATALOG_EDIT) or site_id is not None:
        return decide(actor, Action.CATALOG_EDIT, site_id=site_id)
    if not actor.is_district_admin:
        return Decision(False, "district-wide lists are curated by a district admin")
    return decide(actor, Action.CATALOG_EDIT)
