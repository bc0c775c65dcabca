"""Changing the circulation policy matrix and the types its rows name. The only code that writes
policy rows, patron types and material types.

Who may: a site librarian changes the rows of their own sites; the district-wide rows (site =
any) and the patron and material types are a district admin's (issue #4, "Policy";
octavo.accounts.rules, Action.POLICY_EDIT). The district default row (all wildcards) may be
changed but never deleted: every loan falls back on it (migration 0002).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import changes_between, record
from octavo.district import rules as district_rules
from octavo.district.errors import UnknownSite
from octavo.district.models import Site
from octavo.holdings.models import MaterialType
from octavo.patrons.models import PatronType
from octavo.policy.models import DistrictPolicy, PolicyRule
from octavo.shared.actor import Actor
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_bool, as_text, reject_unknown

CENT = Decimal("0.01")
# The columns are DecimalField(max_digits=7, decimal_places=2) and PositiveIntegerField.
MONEY_LIMIT = Decimal("100000")
COUNT_LIMIT = 100_000

COUNT_FIELDS = (
    "loan_days",
    "loan_hours",
    "max_items",
    "renewals",
    "grace_days",
    "hold_limit",
    "hold_shelf_days",
    "max_overdues",
)
OPTIONAL_COUNT_FIELDS = ("lost_after_days",)  # None: never billed as lost automatically
MONEY_FIELDS = ("fine_per_day", "processing_fee", "max_balance")
OPTIONAL_MONEY_FIELDS = ("fine_cap",)  # None: no cap
VALUE_FIELDS = frozenset(
    COUNT_FIELDS + OPTIONAL_COUNT_FIELDS + MONEY_FIELDS + OPTIONAL_MONEY_FIELDS
)


def _require(actor: Actor, site_id: int | None) -> None:
    """POLICY_EDIT at the row's site; a district-wide row (site_id None) is a district admin's:
    decide() refuses a site-scoped action without a site to anyone but a district admin."""
    decision = decide(actor, Action.POLICY_EDIT, site_id=site_id)
    if not decision:
        if site_id is None and may_ever(actor, Action.POLICY_EDIT):
            raise PermissionDenied(
                "district-wide policy rows and types are changed by a district admin only"
            )
        raise PermissionDenied(decision.reason)


# --- checking values --------------------------------------------------------------------------


def _count(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be a whole number", field=field)
    if value < 0:
        raise InvalidInput("may not be negative", field=field)
    if value >= COUNT_LIMIT:
        raise InvalidInput("too large", field=field)
    return value


def _money(value: object, *, field: str) -> Decimal:
    """An amount of 0 or more with at most two decimals, from text, an int or a Decimal; a
    float is refused (STYLE.md: money is Decimal, never float)."""
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInput("give the amount as text or a decimal, not a float", field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount of money", field=field) from None
    if not amount.is_finite():
        raise InvalidInput(f"{value!r} is not an amount of money", field=field)
    if amount < 0:
        raise InvalidInput("may not be negative", field=field)
    if amount != amount.quantize(CENT):
        raise InvalidInput("at most two decimals (cents)", field=field)
    if amount >= MONEY_LIMIT:
        raise InvalidInput("too large", field=field)
    return amount.quantize(CENT)


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    reject_unknown(values, VALUE_FIELDS)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        optional = key in OPTIONAL_COUNT_FIELDS or key in OPTIONAL_MONEY_FIELDS
        if optional and (value is None or value == ""):
            clean[key] = None
        elif key in COUNT_FIELDS or key in OPTIONAL_COUNT_FIELDS:
            clean[key] = _count(value, field=key)
        else:
            clean[key] = _money(value, field=key)
    return clean


def _apply_values(rule: PolicyRule, clean: Mapping[str, Any]) -> None:
    """Set the values; days xor hours. Giving one loan period kind alone (a positive number)
    switches the row to it: the other is set to 0 rather than refused as a clash."""
    for key, value in clean.items():
        setattr(rule, key, value)
    if clean.get("loan_hours") and "loan_days" not in clean:
        rule.loan_days = 0
    if clean.get("loan_days") and "loan_hours" not in clean:
        rule.loan_hours = 0
    if rule.loan_days and rule.loan_hours:
        raise InvalidInput(
            "give the loan period in days or in hours, not both (set the other to 0)",
            field="loan_hours",
        )
    if not rule.loan_days and not rule.loan_hours:
        raise InvalidInput("a loan period of days or hours is needed", field="loan_days")


# --- describing a row -------------------------------------------------------------------------


def _key_words(rule: PolicyRule) -> str:
    site = rule.site.code if rule.site else "any site"
    patron_type = rule.patron_type.code if rule.patron_type else "any patron type"
    material_type = rule.material_type.code if rule.material_type else "any material type"
    return f"{site} x {patron_type} x {material_type}"


def _snapshot(rule: PolicyRule) -> dict[str, Any]:
    """JSON-ready: money as text, so the audit log keeps the cents exactly."""
    snap: dict[str, Any] = {
        "site": rule.site.code if rule.site else None,
        "patron_type": rule.patron_type.code if rule.patron_type else None,
        "material_type": rule.material_type.code if rule.material_type else None,
    }
    for key in sorted(VALUE_FIELDS):
        value = getattr(rule, key)
        snap[key] = str(Decimal(value).quantize(CENT)) if isinstance(value, Decimal) else value
    return snap


def _audit(
    actor: Actor, action: str, rule: PolicyRule, changes: dict[str, Any], at: datetime
) -> None:
    record(
        actor=actor,
        action=action,
        object_type="policy_rule",
        object_id=rule.pk,
        object_repr=f"policy {_key_words(rule)}",
        site_id=rule.site_id,
        changes=changes,
        at=at,
    )


def _site(code: str | None) -> Site | None:
    if code is None or not as_text(code, field="site"):
        return None
    found = Site.objects.filter(code=code.strip().upper()).first()
    if found is None:
        raise UnknownSite(f"no site with code {code!r}", field="site")
    return found


def _patron_type(code: str | None) -> PatronType | None:
    if code is None or not as_text(code, field="patron_type"):
        return None
    found = PatronType.objects.filter(code=code.strip().lower()).first()
    if found is None:
        raise InvalidInput(f"no patron type {code!r}", field="patron_type")
    return found


def _material_type(code: str | None) -> MaterialType | None:
    if code is None or not as_text(code, field="material_type"):
        return None
    found = MaterialType.objects.filter(code=code.strip().lower()).first()
    if found is None:
        raise InvalidInput(f"no material type {code!r}", field="material_type")
    return found


def _locked_rule(rule_id: int) -> PolicyRule:
    # No select_related: PostgreSQL cannot lock the nullable side of the outer joins it needs
    # for the wildcard columns; the three keys are read afterwards.
    rule = PolicyRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"no policy row with id {rule_id}", field="rule")
    return rule


# --- the services -----------------------------------------------------------------------------


def create_rule(
    *,
    actor: Actor,
    site: str | None,
    patron_type: str | None,
    material_type: str | None,
    values: Mapping[str, Any],
    at: datetime,
) -> PolicyRule:
    """Add a row for one combination (each code None or "" for any); the values left out take
    the model's defaults (14 days, 5 items, 2 renewals, no fines)."""
    site_row = _site(site)
    _require(actor, site_row.id if site_row else None)
    patron_type_row = _patron_type(patron_type)
    material_type_row = _material_type(material_type)
    clean = _clean_values(values)
    rule = PolicyRule(site=site_row, patron_type=patron_type_row, material_type=material_type_row)
    _apply_values(rule, clean)
    duplicate = Duplicate(f"there is already a policy row for {_key_words(rule)}")
    with transaction.atomic():
        same = PolicyRule.objects.filter(
            site=site_row, patron_type=patron_type_row, material_type=material_type_row
        )
        if same.exists():
            raise duplicate
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError as exc:  # two people adding the same row at once
            raise duplicate from exc
        _audit(actor, "policy.create", rule, changes_between({}, _snapshot(rule)), at)
    return rule


def update_rule(
    *, actor: Actor, rule_id: int, changes: Mapping[str, Any], at: datetime
) -> PolicyRule:
    """Change a row's values (not its site or types: add a row for another combination)."""
    if not isinstance(rule_id, int) or isinstance(rule_id, bool):
        raise InvalidInput("must be a whole number", field="rule")
    clean = _clean_values(changes)
    with transaction.atomic():
        rule = _locked_rule(rule_id)
        _require(actor, rule.site_id)
        before = _snapshot(rule)
        _apply_values(rule, clean)
        rule.save()
        diff = changes_between(before, _snapshot(rule))
        if diff:
            _audit(actor, "policy.update", rule, diff, at)
    return rule


def delete_rule(*, actor: Actor, rule_id: int, at: datetime) -> None:
    if not isinstance(rule_id, int) or isinstance(rule_id, bool):
        raise InvalidInput("must be a whole number", field="rule")
    with transaction.atomic():
        rule = _locked_rule(rule_id)
        _require(actor, rule.site_id)
        if rule.site_id is None and rule.patron_type_id is None and rule.material_type_id is None:
            raise InvalidInput(
                "the district default row cannot be deleted: every loan falls back on it",
                field="rule",
            )
        _audit(actor, "policy.delete", rule, changes_between(_snapshot(rule), {}), at)
        rule.delete()


def _type_code(value: object) -> str:
    code = district_rules.normalize_code(as_text(value, field="code")).lower()
    return code


def add_patron_type(*, actor: Actor, code: str, name: str, at: datetime) -> PatronType:
    _require(actor, None)
    code = _type_code(code)
    name = district_rules.require_text(as_text(name, field="name"), field="name", max_length=100)
    with transaction.atomic():
        if PatronType.objects.filter(code=code).exists():
            raise Duplicate(f"a patron type {code} already exists", field="code")
        try:
            with transaction.atomic():
                patron_type = PatronType.objects.create(code=code, name=name)
        except IntegrityError as exc:
            raise Duplicate(f"a patron type {code} already exists", field="code") from exc
        record(
            actor=actor,
            action="patron_type.create",
            object_type="patron_type",
            object_id=code,
            object_repr=f"{code} {name}",
            changes=changes_between({}, {"code": code, "name": name}),
            at=at,
        )
    return patron_type


def add_material_type(
    *, actor: Actor, code: str, name: str, at: datetime, circulates: bool = True
) -> MaterialType:
    """A new material type; `circulates=False` for things used in the library only."""
    _require(actor, None)
    code = _type_code(code)
    name = district_rules.require_text(as_text(name, field="name"), field="name", max_length=100)
    circulates = as_bool(circulates, field="circulates")
    with transaction.atomic():
        if MaterialType.objects.filter(code=code).exists():
            raise Duplicate(f"a material type {code} already exists", field="code")
        try:
            with transaction.atomic():
                material_type = MaterialType.objects.create(
                    code=code, name=name, circulates=circulates
                )
        except IntegrityError as exc:
            raise Duplicate(f"a material type {code} already exists", field="code") from exc
        record(
            actor=actor,
            action="material_type.create",
            object_type="material_type",
            object_id=code,
            object_repr=f"{code} {name}",
            changes=changes_between({}, {"code": code, "name": name, "circulates": circulates}),
            at=at,
        )
    return material_type


def set_fine_free(*, actor: Actor, fine_free: bool, at: datetime) -> DistrictPolicy:
    """Make the whole district fine-free, or not: a district admin's decision, audited."""
    _require(actor, None)
    value = as_bool(fine_free, field="fine_free")
    with transaction.atomic():
        policy, _created = DistrictPolicy.objects.select_for_update().get_or_create(id=1)
        if policy.fine_free != value:
            record(
                actor=actor,
                action="policy.fine_free",
                object_type="district_policy",
                object_id=1,
                object_repr="district policy",
                site_id=None,
                changes={"fine_free": [policy.fine_free, value]},
                at=at,
            )
            policy.fine_free = value
            policy.save(update_fields=["fine_free"])
    return policy
