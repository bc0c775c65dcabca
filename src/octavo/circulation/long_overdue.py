"""Billing long-overdue loans as lost (issue #7, the nightly jobs): a loan overdue for at least
its policy's `lost_after_days` (LoanRules; None: never automatically) is ended as lost through
the desk's own service, services.mark_lost: the same charges (replacement cost plus processing
fee), the same refund if the item turns up, the same privacy rule.

The candidates are read in one statement (open loans due before the smallest threshold any
policy row sets); each is then held to its own row of the matrix and its site's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from octavo.circulation.models import Loan
from octavo.circulation.services import mark_lost
from octavo.db import rows
from octavo.policy.models import PolicyRule
from octavo.policy.selectors import calendar_for, rules_for
from octavo.shared.actor import Actor
from octavo.shared.errors import OctavoError

BATCH = 50  # loans billed per transaction
_CANDIDATES = (
    "SELECT l.id, i.barcode, s.code, l.site_id, l.patron_type_id, i.material_type_id, l.due_at "
    "FROM circulation_loan l JOIN holdings_item i ON i.id = l.item_id "
    "JOIN district_site s ON s.id = l.site_id "
    "WHERE l.status = 'open' AND l.patron_id IS NOT NULL AND l.due_at < %s ORDER BY l.due_at, l.id"
)


@dataclass
class Billed:
    loans: int = 0
    charged: Decimal = Decimal("0.00")
    refused: list[str] = field(default_factory=list)  # "barcode: why", for the run's report

    def summary(self) -> str:
        text = f"billed {self.loans} loan(s) as lost, charged {self.charged}"
        if self.refused:
            text += f"; not billed {len(self.refused)}: " + "; ".join(self.refused[:5])
        return text


def _due(day: date, smallest: int) -> list[tuple[str, str]]:
    """(item barcode, site code) of each loan its own policy row says to bill on `day`."""
    # A day's margin for time zones; each candidate is checked exactly below.
    latest = datetime.combine(day - timedelta(days=smallest - 1), time(0), ZoneInfo("UTC"))
    due = []
    for _pk, barcode, site_code, site_id, patron_type_id, material_type_id, due_at in rows.table(
        _CANDIDATES, [rows.moment(latest + timedelta(days=1))]
    ):
        after = rules_for(
            site_id=site_id, patron_type_id=patron_type_id, material_type_id=material_type_id
        ).rules.lost_after_days
        if after is None:
            continue
        due_day = calendar_for(site_id).local_date(rows.converted(Loan, "due_at", due_at))
        if (day - due_day).days >= after:
            due.append((barcode, site_code))
    return due


def bill_long_overdue(*, actor: Actor, day: date, at: datetime) -> Billed:
    """Bill as lost, at `at`, every open loan overdue by at least its policy's lost_after_days
    on `day` (calendar days after the due date, in the lending site's calendar). Running it
    again finds nothing more: billed loans are no longer open."""
    report = Billed()
    thresholds = [
        n
        for n in PolicyRule.objects.exclude(lost_after_days=None).values_list(
            "lost_after_days", flat=True
        )
        if n is not None
    ]
    if not thresholds:
        return report
    due = _due(day, min(thresholds))
    # A few dozen loans to a transaction, each mark_lost a savepoint in it: at night nobody
    # waits for the write lock, and a commit per loan would be much of a loan's cost.
    for start in range(0, len(due), BATCH):
        with transaction.atomic():
            for barcode, site_code in due[start : start + BATCH]:
                try:
                    result = mark_lost(
                        actor=actor, item_barcode=barcode, at=at, site_code=site_code
                    )
                except OctavoError as error:
                    report.refused.append(f"{barcode}: {error}")
                    continue
                report.loans += 1
                report.charged += result.charged
    return report
