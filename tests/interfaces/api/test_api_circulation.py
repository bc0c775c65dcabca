"""The desk over the API: check out, check in, renew and payments, with Idempotency-Key."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.circulation.models import Loan
from octavo.fines import services as fines
from octavo.fines.models import LedgerEntry
from octavo.fines.states import ChargeType
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db
TECH = Role.TECHNICIAN


def post(api, path, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.client.post(path, data=json.dumps(body), content_type="application/json", **headers)


OUT = {"patron_barcode": "P1", "item_barcode": "NES1"}


def test_a_check_out_answers_with_the_due_date(api_as, catalog_record, patron) -> None:
    response = post(api_as(TECH), "/api/v1/circulation/checkout", OUT)
    assert response.status_code == 201
    body = response.json()
    assert body["item_barcode"] == "NES1" and body["repeated"] is False
    # The site's local time, with its offset: the moment the loan row holds.
    assert datetime.fromisoformat(body["due_at"]) == Loan.objects.get().due_at
    assert "T23:59:59-0" in body["due_at"]  # no opening hours: the end of the day, Pacific


def test_a_refusal_is_409_with_its_stable_code(api_as, catalog_record, patron) -> None:
    PolicyRule.objects.update(max_items=0)
    response = post(api_as(TECH), "/api/v1/circulation/checkout", OUT)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "limit_reached"
    overridden = post(
        api_as(TECH), "/api/v1/circulation/checkout", {**OUT, "override": ["limit_reached"]}
    )
    assert overridden.status_code == 201
    assert overridden.json()["overridden"] == ["limit_reached"]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_acts_once(
    api_as, catalog_record, patron
) -> None:
    api = api_as(TECH)
    first = post(api, "/api/v1/circulation/checkout", OUT, key="desk1-0001")
    second = post(api, "/api/v1/circulation/checkout", OUT, key="desk1-0001")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Loan.objects.count() == 1
    # A check-in with its own key, then the check-out key sent again: still the first answer,
    # no new loan (without the key it would be a second check-out).
    assert post(api, "/api/v1/circulation/checkin", {"item_barcode": "NES1"}).status_code == 200
    third = post(api, "/api/v1/circulation/checkout", OUT, key="desk1-0001")
    assert third.json() == first.json() and Loan.objects.count() == 1


def test_a_key_used_for_another_request_is_refused(api_as, catalog_record, patron) -> None:
    api = api_as(TECH)
    post(api, "/api/v1/circulation/checkout", OUT, key="k-1")
    other = post(api, "/api/v1/circulation/checkin", {"item_barcode": "NES1"}, key="k-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Loan.objects.get().status == "open"


def test_check_in_and_renew(api_as, catalog_record, patron) -> None:
    api = api_as(TECH)
    post(api, "/api/v1/circulation/checkout", OUT)
    renewed = post(api, "/api/v1/circulation/renew", {"item_barcode": "NES1"})
    assert renewed.status_code == 200 and renewed.json()["renewals"] == 1
    back = post(api, "/api/v1/circulation/checkin", {"item_barcode": "NES1"})
    assert back.json() == {
        "item_barcode": "NES1",
        "was_checked_out": True,
        "late_days": 0,
        "fine": "0.00",
        "destination": "shelf",
        "to_site": None,
    }


def test_a_payment_is_applied_and_the_same_payment_taken_once(
    api_as, district, patron, cli_actor
) -> None:
    fines.charge(
        actor=cli_actor,
        patron=patron,
        charge_type=ChargeType.LOST,
        amount=Decimal("12.00"),
        site=district.north,
        at=T0,
    )
    api = api_as(TECH)
    path = f"/api/v1/patrons/{patron.pk}/payments"
    body = {"amount": "5.00", "method": "cash", "site": "NES"}
    first = post(api, path, body, key="receipt-77")
    again = post(api, path, body, key="receipt-77")
    assert first.status_code == 201 and first.json()["balance"] == "7.00"
    assert again.json() == first.json()
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    too_much = post(api, path, {**body, "amount": "8.00"})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "over_balance"
    as_float = post(api, path, {**body, "amount": 1.5})
    assert as_float.status_code == 422 and as_float.json()["error"]["field"] == "amount"
