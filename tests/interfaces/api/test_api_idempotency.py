"""Idempotency-Key under pressure: retries racing the first request, a failure that must not
be remembered, and keys forgotten after a day (interfaces/api/idempotency.py)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from octavo.circulation.models import Loan
from octavo.interfaces.api import idempotency
from octavo.interfaces.api.models import IdempotentRequest
from octavo.shared.actor import Role
from octavo.shared.clock import now

TECH = Role.TECHNICIAN
OUT = {"patron_barcode": "P1", "item_barcode": "NES1"}
RETRIES = 8


def _post(client: Client, token: str, key: str, body=OUT, path="/api/v1/circulation/checkout"):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.django_db(transaction=True)
def test_retries_racing_the_first_request_all_get_its_answer_and_it_acts_once(
    flushable_append_only, tokens, catalog_record, patron
) -> None:
    token = tokens[TECH]
    start = threading.Barrier(RETRIES)
    answers: list[tuple[int, str]] = []

    def desk() -> None:
        try:
            start.wait()
            response = _post(Client(), token, "kiosk-7-0001")
            answers.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=desk) for _ in range(RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == RETRIES
    assert {status for status, _ in answers} == {201}
    first = json.loads(answers[0][1])
    assert all(json.loads(body) == first for _, body in answers)  # the same answer
    assert Loan.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_request_that_failed_with_500_is_not_remembered(
    client, tokens, catalog_record, patron, monkeypatch
) -> None:
    from octavo.circulation import services

    real = services.check_out

    def broken(**kwargs):
        real(**kwargs)  # the loan is made, then the server fails before answering
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "check_out", broken)
    client.raise_request_exception = False
    assert _post(client, tokens[TECH], "desk-1-0009").status_code == 500
    assert Loan.objects.count() == 0  # rolled back with the claim
    assert IdempotentRequest.objects.count() == 0
    monkeypatch.setattr(services, "check_out", real)
    retry = _post(client, tokens[TECH], "desk-1-0009")
    assert retry.status_code == 201 and Loan.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_forgotten_after_a_day(
    client, tokens, catalog_record, patron, monkeypatch
) -> None:
    first = _post(client, tokens[TECH], "desk-1-0001")
    assert first.status_code == 201
    IdempotentRequest.objects.update(created_at=now() - timedelta(hours=25))
    monkeypatch.setattr(idempotency, "_last_purge", None)
    # Any keyed request in the next minutes removes what is older than a day...
    _post(client, tokens[TECH], "desk-1-0002", {"patron_barcode": "P1", "item_barcode": "SES1"})
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["desk-1-0002"]
    # ...so the old key may name a new request (remembered, it would be refused as reused).
    checkin = {"item_barcode": "NES1"}
    again = _post(client, tokens[TECH], "desk-1-0001", checkin, "/api/v1/circulation/checkin")
    assert again.status_code == 200 and again.json()["was_checked_out"] is True
