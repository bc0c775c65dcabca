"""The desk over HTTP: check out, check in, renew, and payments (issue #4, "Contracts").

Every POST takes an `Idempotency-Key` header (idempotency.py). Refusals are 409 with the
first block's stable code (`patron_expired`, `limit_reached`, ...) and every block's words
in the message.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from octavo.circulation import services as circulation
from octavo.fines import services as fines
from octavo.fines.selectors import balance
from octavo.holds import services as holds
from octavo.holds.selectors import queue_position
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.idempotency import respond
from octavo.interfaces.api.schemas import Error
from octavo.shared.clock import now

router = Router(tags=["circulation"])
ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
KEY_DOC = (
    "Send an `Idempotency-Key` header to make a retry safe: the same key gets the first "
    "answer and the action happens once."
)


class CheckoutIn(Schema):
    model_config = ConfigDict(extra="forbid")
    patron_barcode: str
    item_barcode: str
    override: list[str] = Field(
        [], description="block codes to override (a role with the override permission)"
    )
    override_note: str = Field("", description="why, written to the audit log")
    site: str = Field(
        "",
        description="the desk's site code; default: the caller's site if they work at one, "
        "else the item's site",
    )


class CheckoutOut(Schema):
    loan_id: int
    item_barcode: str
    patron_barcode: str
    due_at: str
    repeated: bool = Field(description="a double scan: the loan made a moment ago")
    overridden: list[str]


class CheckinIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item_barcode: str
    site: str = ""


class CheckinOut(Schema):
    item_barcode: str
    was_checked_out: bool
    late_days: int
    fine: str
    destination: str = Field(description="`shelf`, or `transit` to `to_site`")
    to_site: str | None


class RenewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item_barcode: str
    override: list[str] = []
    override_note: str = ""
    site: str = ""


class RenewOut(Schema):
    item_barcode: str
    due_at: str
    renewals: int
    overridden: list[str]


class HoldIn(Schema):
    model_config = ConfigDict(extra="forbid")
    patron_barcode: str
    record_id: int
    pickup_site: str = Field(description="the site code where the patron collects it")
    item_barcode: str = Field("", description="for a copy-level hold: this copy only")


class HoldOut(Schema):
    hold_id: int
    status: str
    queue_position: int


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: str = Field(description="a decimal amount as text, e.g. `2.50`")
    method: str = Field(description="cash, check, card or other")
    reference: str = ""
    site: str
    charge_id: int | None = None


class PaymentOut(Schema):
    entries: list[dict[str, Any]]
    balance: str


@router.post(
    "/circulation/checkout",
    response={201: CheckoutOut, **ERRORS},
    summary="Check an item out to a patron",
    description=KEY_DOC,
)
def checkout(request: HttpRequest, payload: CheckoutIn) -> JsonResponse:
    def act() -> tuple[int, dict[str, Any]]:
        result = circulation.check_out(
            actor=actor_of(request),
            patron_barcode=payload.patron_barcode,
            item_barcode=payload.item_barcode,
            at=now(),
            site_code=payload.site or None,
            overrides=frozenset(payload.override),
            override_note=payload.override_note,
        )
        return 201, {
            "loan_id": result.loan.pk,
            "item_barcode": payload.item_barcode.strip(),
            "patron_barcode": payload.patron_barcode.strip(),
            "due_at": result.due_at.isoformat(),
            "repeated": result.repeated,
            "overridden": [r.value for r in result.overridden],
        }

    return respond(request, act)


@router.post(
    "/circulation/checkin",
    response={200: CheckinOut, **ERRORS},
    summary="Check an item in",
    description=KEY_DOC,
)
def checkin(request: HttpRequest, payload: CheckinIn) -> JsonResponse:
    def act() -> tuple[int, dict[str, Any]]:
        result = circulation.check_in(
            actor=actor_of(request),
            item_barcode=payload.item_barcode,
            at=now(),
            site_code=payload.site or None,
        )
        return 200, {
            "item_barcode": result.item.barcode,
            "was_checked_out": result.was_checked_out,
            "late_days": result.late_days,
            "fine": str(result.fine),
            "destination": result.destination,
            "to_site": result.to_site.code if result.to_site else None,
        }

    return respond(request, act)


@router.post(
    "/circulation/renew",
    response={200: RenewOut, **ERRORS},
    summary="Renew a loan",
    description=KEY_DOC,
)
def renew(request: HttpRequest, payload: RenewIn) -> JsonResponse:
    def act() -> tuple[int, dict[str, Any]]:
        result = circulation.renew(
            actor=actor_of(request),
            item_barcode=payload.item_barcode,
            at=now(),
            site_code=payload.site or None,
            overrides=frozenset(payload.override),
            override_note=payload.override_note,
        )
        return 200, {
            "item_barcode": payload.item_barcode.strip(),
            "due_at": result.due_at.isoformat(),
            "renewals": result.loan.renewals,
            "overridden": [r.value for r in result.overridden],
        }

    return respond(request, act)


@router.post(
    "/holds",
    response={201: HoldOut, **ERRORS},
    summary="Place a hold on a title (or one copy) for pickup at a site",
    description=KEY_DOC,
)
def place(request: HttpRequest, payload: HoldIn) -> JsonResponse:
    def act() -> tuple[int, dict[str, Any]]:
        hold = holds.place_hold(
            actor=actor_of(request),
            patron_barcode=payload.patron_barcode,
            record_id=payload.record_id,
            pickup_site_code=payload.pickup_site,
            item_barcode=payload.item_barcode,
            at=now(),
        )
        return 201, {
            "hold_id": hold.pk,
            "status": hold.status,
            "queue_position": queue_position(hold),
        }

    return respond(request, act)


@router.post(
    "/patrons/{patron_id}/payments",
    response={201: PaymentOut, **ERRORS},
    summary="Take a payment from a patron (applied to the oldest charges first)",
    description=KEY_DOC,
)
def payment(request: HttpRequest, patron_id: int, payload: PaymentIn) -> JsonResponse:
    def act() -> tuple[int, dict[str, Any]]:
        entries = fines.pay(
            actor=actor_of(request),
            patron_id=patron_id,
            amount=payload.amount,
            method=payload.method,
            reference=payload.reference,
            site_code=payload.site,
            charge_id=payload.charge_id,
            at=now(),
        )
        return 201, {
            "entries": [
                {"id": e.pk, "amount": str(e.amount), "charge_id": e.charge_id} for e in entries
            ],
            "balance": str(balance(patron_id)),
        }

    return respond(request, act)
