"""A fine-free district (issue #4, "Fines and fees": a district setting for fine-free): no
overdue fine at any site whatever the rows say; lost items are still charged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0
from tests.integration.circulation.test_check_out_in_renew import MORNING, desk, out  # noqa: F401

from octavo.audit.models import AuditEntry
from octavo.circulation.services import check_in, mark_lost
from octavo.fines.selectors import balance
from octavo.holdings.models import Item
from octavo.policy.models import PolicyRule
from octavo.policy.selectors import rules_for
from octavo.policy.services import set_fine_free
from octavo.shared.actor import Role
from octavo.shared.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def fined(desk, district):  # noqa: F811 - the imported fixture
    PolicyRule.objects.update(fine_per_day=Decimal("0.25"), processing_fee=Decimal("2.00"))
    return desk


def test_a_late_return_in_a_fine_free_district_charges_nothing(fined, district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    out(fined)
    set_fine_free(actor=admin, fine_free=True, at=T0)
    late = check_in(actor=fined["tech"], item_barcode="B1", at=MORNING + timedelta(days=30))
    assert late.late_days > 0 and late.fine == Decimal("0.00")
    assert balance(fined["ana"].pk) == Decimal("0.00")
    rules = rules_for(site_id=district.north.id, patron_type_id=1, material_type_id=None).rules
    assert rules.fine_per_day == Decimal("0.00")


def test_switching_it_off_charges_fines_again(fined, district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    set_fine_free(actor=admin, fine_free=True, at=T0)
    set_fine_free(actor=admin, fine_free=False, at=T0)
    out(fined)
    late = check_in(actor=fined["tech"], item_barcode="B1", at=MORNING + timedelta(days=30))
    assert late.fine > 0
    changes = [
        e.changes["fine_free"]
        for e in AuditEntry.objects.filter(action="policy.fine_free").order_by("id")
    ]
    assert changes == [[False, True], [True, False]]


def test_lost_items_are_still_charged(fined, district) -> None:
    set_fine_free(actor=district.users[Role.DISTRICT_ADMIN].actor(), fine_free=True, at=T0)
    Item.objects.filter(barcode="B1").update(price=Decimal("12.00"))
    out(fined)
    lost = mark_lost(actor=fined["tech"], item_barcode="B1", at=MORNING + timedelta(days=40))
    assert lost.charged == Decimal("14.00")


def test_only_a_district_admin_sets_it(fined, district) -> None:
    for role in (Role.SITE_LIBRARIAN, Role.TECHNICIAN):
        with pytest.raises(PermissionDenied):
            set_fine_free(actor=district.users[role].actor(), fine_free=True, at=T0)
    assert not AuditEntry.objects.filter(action="policy.fine_free").exists()
