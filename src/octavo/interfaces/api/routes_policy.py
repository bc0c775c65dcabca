"""The circulation policy matrix and sites' closed days (issue #4, "Policy").

Money travels as text with two decimals ("0.10"), never as a JSON number, so that no float
comes near a fine. Deletions answer 200 with what was removed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from octavo.district import selectors as district_selectors
from octavo.district import services as district_services
from octavo.district.models import ClosedDay
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.errors import responses
from octavo.interfaces.api.schemas import Strict, optional
from octavo.policy import selectors, services
from octavo.policy.models import PolicyRule
from octavo.shared.clock import now

router = Router(tags=["policy"])

MONEY_DOC = "an amount as text with at most two decimals, e.g. `0.10`"
# Dates arrive as JSON strings ("2026-12-21"), which strict mode would refuse.
DateIn = Annotated[date, Field(strict=False)]


class PolicyValues(Strict):
    loan_days: int = optional("days; 0 for an hour loan. Giving only loan_hours sets it to 0")
    loan_hours: int = optional("hours, for short loans (reserves, equipment); 0 for day loans")
    max_items: int = optional()
    renewals: int = optional()
    fine_per_day: str = optional(MONEY_DOC)
    fine_cap: str | None = optional(MONEY_DOC + "; null: no cap")
    grace_days: int = optional()
    hold_limit: int = optional()
    hold_shelf_days: int = optional()
    lost_after_days: int | None = optional("days overdue; null: never billed automatically")
    processing_fee: str = optional(MONEY_DOC)
    max_balance: str = optional(MONEY_DOC)
    max_overdues: int = optional()


class PolicyCreate(PolicyValues):
    site: str | None = Field(None, description="site code; null or left out: any site")
    patron_type: str | None = Field(None, description="patron type code; null: any")
    material_type: str | None = Field(None, description="material type code; null: any")


class PolicyOut(Schema):
    id: int
    site: str | None
    patron_type: str | None
    material_type: str | None
    is_district_default: bool
    loan_days: int
    loan_hours: int
    max_items: int
    renewals: int
    fine_per_day: str
    fine_cap: str | None
    grace_days: int
    hold_limit: int
    hold_shelf_days: int
    lost_after_days: int | None
    processing_fee: str
    max_balance: str
    max_overdues: int


class PolicyList(Schema):
    items: list[PolicyOut]
    count: int


class ExplainQuery(Schema):
    site: str
    patron_type: str
    material_type: str = Field("", description="left out: an item of no material type")


class ExplainOut(Schema):
    rule: PolicyOut = Field(description="the row that applies (the most specific match)")


class Deleted(Schema):
    deleted: int = Field(description="how many rows or days were removed")


class ClosedDayOut(Schema):
    date: date
    reason: str


class ClosedDayList(Schema):
    items: list[ClosedDayOut]
    count: int


class ClosedDaysCreate(Strict):
    first: DateIn
    last: DateIn | None = Field(None, description="inclusive; left out: the first day only")
    reason: str = ""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def rule_out(rule: PolicyRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "site": rule.site.code if rule.site else None,
        "patron_type": rule.patron_type.code if rule.patron_type else None,
        "material_type": rule.material_type.code if rule.material_type else None,
        "is_district_default": not (rule.site_id or rule.patron_type_id or rule.material_type_id),
        "loan_days": rule.loan_days,
        "loan_hours": rule.loan_hours,
        "max_items": rule.max_items,
        "renewals": rule.renewals,
        "fine_per_day": _money(rule.fine_per_day),
        "fine_cap": _money(rule.fine_cap),
        "grace_days": rule.grace_days,
        "hold_limit": rule.hold_limit,
        "hold_shelf_days": rule.hold_shelf_days,
        "lost_after_days": rule.lost_after_days,
        "processing_fee": _money(rule.processing_fee),
        "max_balance": _money(rule.max_balance),
        "max_overdues": rule.max_overdues,
    }


def _closed_out(day: ClosedDay) -> dict[str, Any]:
    return {"date": day.day, "reason": day.reason}


@router.get("/policy", response={200: PolicyList, **responses(401, 403)}, summary="The matrix")
def list_policy(request: HttpRequest) -> dict[str, Any]:
    rows = [rule_out(r) for r in selectors.policy_rows(actor=actor_of(request))]
    return {"items": rows, "count": len(rows)}


@router.get(
    "/policy/explain",
    response={200: ExplainOut, **responses(401, 403, 422)},
    summary="Which row applies to a loan",
)
def explain_policy(request: HttpRequest, query: Query[ExplainQuery]) -> dict[str, Any]:
    found = selectors.explain(
        actor=actor_of(request),
        site_code=query.site,
        patron_type_code=query.patron_type,
        material_type_code=query.material_type,
    )
    return {"rule": rule_out(found.rule)}


@router.post(
    "/policy",
    response={201: PolicyOut, **responses(400, 401, 403, 409, 422)},
    summary="Add a policy row",
)
def create_policy(request: HttpRequest, payload: PolicyCreate) -> Status[dict[str, Any]]:
    keys = {"site", "patron_type", "material_type"}
    rule = services.create_rule(
        actor=actor_of(request),
        site=payload.site,
        patron_type=payload.patron_type,
        material_type=payload.material_type,
        values=payload.model_dump(exclude_unset=True, exclude=keys),
        at=now(),
    )
    return Status(201, rule_out(rule))


@router.patch(
    "/policy/{rule_id}",
    response={200: PolicyOut, **responses(400, 401, 403, 404, 422)},
    summary="Change a policy row's values",
)
def update_policy(request: HttpRequest, rule_id: int, payload: PolicyValues) -> dict[str, Any]:
    rule = services.update_rule(
        actor=actor_of(request),
        rule_id=rule_id,
        changes=payload.model_dump(exclude_unset=True),
        at=now(),
    )
    return rule_out(rule)


@router.delete(
    "/policy/{rule_id}",
    response={200: Deleted, **responses(401, 403, 404, 422)},
    summary="Delete a policy row (never the district default)",
)
def delete_policy(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    services.delete_rule(actor=actor_of(request), rule_id=rule_id, at=now())
    return {"deleted": 1}


@router.get(
    "/sites/{code}/closed-days",
    response={200: ClosedDayList, **responses(401, 403, 404)},
    summary="A site's closed days",
)
def list_closed_days(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = actor_of(request)
    site = district_selectors.site_by_code(actor=actor, code=code)
    items = [_closed_out(d) for d in district_selectors.closed_days_at(actor=actor, site=site)]
    return {"items": items, "count": len(items)}


@router.post(
    "/sites/{code}/closed-days",
    response={201: ClosedDayList, **responses(400, 401, 403, 404, 422)},
    summary="Close a site on a day or a range of days",
    description="Days already closed keep their reason; the answer lists the days added.",
)
def add_closed_days(
    request: HttpRequest, code: str, payload: ClosedDaysCreate
) -> Status[dict[str, Any]]:
    added = district_services.add_closed_days(
        actor=actor_of(request),
        site_code=code,
        first=payload.first,
        last=payload.last,
        reason=payload.reason,
        at=now(),
    )
    items = [_closed_out(d) for d in added]
    return Status(201, {"items": items, "count": len(items)})


@router.delete(
    "/sites/{code}/closed-days/{day}",
    response={200: Deleted, **responses(401, 403, 404, 422)},
    summary="Open a site again on a closed day",
)
def remove_closed_day(request: HttpRequest, code: str, day: date) -> dict[str, Any]:
    removed = district_services.remove_closed_days(
        actor=actor_of(request), site_code=code, first=day, at=now()
    )
    return {"deleted": removed}
