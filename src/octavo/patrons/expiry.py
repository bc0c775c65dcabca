"""Cards that have run out (issue #7, the nightly jobs): a patron whose card expired before the
day is moved to `expired` (states.PatronEvent.EXPIRE), with an audit entry each, so lists and
reports show them as the desk already treats them (policy.rules: an expired card blocks).
Renewing the card (a later card_expires, services.update_patron) brings them back.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from octavo.audit.services import record as audit
from octavo.patrons.models import Patron
from octavo.patrons.states import PatronEvent, PatronStatus, advance
from octavo.shared.actor import Actor

_STILL_GOING = (PatronStatus.ACTIVE.value, PatronStatus.BLOCKED.value)


def expire_cards(*, actor: Actor, day: date, at: datetime) -> int:
    """Expire every active or blocked patron whose card_expires is before `day`; how many.
    Running it again finds nobody: they are expired."""
    expired = 0
    with transaction.atomic():
        due = list(
            Patron.objects.select_for_update(of=("self",))
            .filter(status__in=_STILL_GOING, card_expires__lt=day)
            .values_list("id", "barcode", "last_name", "first_name", "status", "home_site_id")
        )
        for patron_id, barcode, last, first, status, site_id in due:
            new_status = advance(PatronStatus(status), PatronEvent.EXPIRE).value
            Patron.objects.filter(pk=patron_id).update(status=new_status, updated_at=at)
            audit(
                actor=actor,
                action="patron.expire",
                object_type="patron",
                object_id=patron_id,
                object_repr=f"{barcode} {last}, {first}",
                site_id=site_id,
                changes={"status": [status, new_status]},
                at=at,
            )
            expired += 1
    return expired
