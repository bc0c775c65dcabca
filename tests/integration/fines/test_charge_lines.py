"""The kiosk's fine list (fines.selectors.open_charge_lines, summed in cents by the database)
says what the staff ledger (open_charges) says: the same charges, the same amounts left."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import T0

from octavo.fines.selectors import open_charge_lines, open_charges
from octavo.fines.services import charge, pay, waive
from octavo.fines.states import ChargeType
from octavo.patrons.services import PatronFields, create_patron


def test_the_kiosk_list_matches_the_ledger_after_payments_and_waivers(district, cli_actor):
    patron = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P900", first_name="Iris", last_name="Vale", patron_type="student",
            site_code="NES",
        ),
        at=T0,
    )  # fmt: skip
    charges = [
        charge(
            actor=cli_actor,
            patron=patron,
            charge_type=kind,
            amount=Decimal(amount),
            site=district.north,
            at=T0,
        )
        for kind, amount in (
            (ChargeType.DAMAGED, "3.00"),
            (ChargeType.MANUAL, "1.10"),
            (ChargeType.PROCESSING, "0.35"),
        )
    ]
    pay(
        actor=cli_actor,
        patron_id=patron.pk,
        amount="1.25",
        method="cash",
        site_code="NES",
        at=T0,
        charge_id=charges[0].pk,
    )
    waive(
        actor=cli_actor,
        patron_id=patron.pk,
        amount="1.10",
        reason="torn by the library's own cart",
        site_code="NES",
        at=T0,
        charge_id=charges[1].pk,
    )
    lines = open_charge_lines(patron.pk)
    ledger = [(entry.pk, entry.charge_type, None, left) for entry, left in open_charges(patron.pk)]
    assert lines == ledger
    assert [(kind, left) for _id, kind, _item, left in lines] == [
        ("damaged", Decimal("1.75")),
        ("processing", Decimal("0.35")),
    ]
