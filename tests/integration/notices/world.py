"""A small school for the notices tests (integration and staff screens): sites' hours, policy,
notice schedule, titles, and four patrons who get their mail in different ways."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.services import check_out
from octavo.district.models import OpeningHours
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.jobs.runner import run_jobs
from octavo.notices.models import NoticeSchedule
from octavo.patrons.services import GuardianFields, PatronFields, add_guardian, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role

PACIFIC = ZoneInfo("America/Los_Angeles")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PACIFIC)


def night(day: date, **kw):
    """The run for `day`, at 01:00 that night, as cron would start it."""
    return run_jobs(at=local(day, 1), day=day, **kw)


def build_school(district, cli_actor):
    """North Elementary, open Monday to Friday 08:00-15:30. Loans of 7 days, fines of 0.25 a
    day, billed as lost 6 days overdue (price + 5.00); holds kept 3 days. Notices: courtesy 2
    days before due, overdue after 1, 3 and 5 days. Ana (English, her own address), Beto
    (Spanish, a guardian's address), Cy (no address anywhere: the printable stack), Dee (a
    teacher whose card runs out on 20 September)."""
    for weekday in range(5):
        OpeningHours.objects.create(
            site=district.north, weekday=weekday, opens=time(8), closes=time(15, 30)
        )
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        loan_days=7,
        fine_per_day=Decimal("0.25"),
        lost_after_days=6,
        processing_fee=Decimal("5.00"),
        hold_shelf_days=3,
    )
    NoticeSchedule.objects.create(
        courtesy_days=2,
        overdue_first_days=1,
        overdue_second_days=3,
        overdue_final_days=5,
        hold_expiring_days=1,
        card_expiring_days=30,
        fines_minimum=Decimal("1.00"),
    )
    frog = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    owl = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["B1", "B2"],
        fields=ItemFields(site_code="NES", price=Decimal("15.00")),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["B3"],
        fields=ItemFields(site_code="NES"),
        at=T0,
    )

    def patron(barcode, first, **kw):
        fields = {"patron_type": "student", "site_code": "NES", "last_name": "Kid", **kw}
        return create_patron(
            actor=cli_actor,
            fields=PatronFields(barcode=barcode, first_name=first, **fields),
            at=T0,
        )

    ana = patron("P1", "Ana", email="ana@example.org", grade="3", homeroom="Ms. Lee")
    beto = patron("P2", "Beto", language="es", grade="3", homeroom="Ms. Lee")
    add_guardian(
        actor=cli_actor,
        patron_id=beto.pk,
        fields=GuardianFields(name="Rosa Kid", email="rosa@example.org"),
        at=T0,
    )
    cy = patron("P3", "Cy", grade="4", homeroom="Mr. Park")
    dee = patron(
        "P4", "Dee", patron_type="teacher", email="dee@example.org", card_expires=date(2026, 9, 20)
    )
    return {
        "ana": ana,
        "beto": beto,
        "cy": cy,
        "dee": dee,
        "owl": owl,
        "tech": district.users[Role.TECHNICIAN].actor(),
    }


def lend(school, patron: str, item: str, at: datetime) -> None:
    check_out(actor=school["tech"], patron_barcode=patron, item_barcode=item, at=at)
