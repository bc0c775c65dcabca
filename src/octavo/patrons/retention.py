"""What the privacy job forgets about patrons (issue #7; docs/librarians/notices.md, "Privacy").

Loans and holds already drop their patron when they end, unless the patron keeps a reading
history (circulation and holds services). What is left: the wrong PINs and wrong parent
passwords, kept only to count failures within rules.PIN_FAILURE_WINDOW (15 minutes), are deleted
after a day; they say when someone tried a card, which nobody needs to know later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from octavo.patrons.models import ParentLoginFailure, PinFailure

KEEP_FAILURES = timedelta(days=1)


def forget_old_failures(*, at: datetime) -> int:
    """Delete wrong-PIN and wrong-password rows older than a day; how many."""
    before = at - KEEP_FAILURES
    with transaction.atomic():
        pins, _ = PinFailure.objects.filter(at__lt=before).delete()
        parents, _ = ParentLoginFailure.objects.filter(at__lt=before).delete()
    return pins + parents
