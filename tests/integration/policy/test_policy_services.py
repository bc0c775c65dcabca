"""Changing the policy matrix and its types through the services, with their audit entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.district.errors import UnknownSite
from octavo.holdings.models import MaterialType
from octavo.patrons.models import PatronType
from octavo.policy.models import PolicyRule
from octavo.policy.selectors import explain, policy_rows, rules_for
from octavo.policy.services import (
    add_material_type,
    add_patron_type,
    create_rule,
    delete_rule,
    update_rule,
)
from octavo.shared.actor import Role
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def _default() -> PolicyRule:
    return PolicyRule.objects.get(
        site__isnull=True, patron_type__isnull=True, material_type__isnull=True
    )


def _ids(site, patron_code: str, material_code: str | None = None) -> dict:
    return {
        "site_id": site.id,
        "patron_type_id": PatronType.objects.get(code=patron_code).id,
        "material_type_id": (
            MaterialType.objects.get(code=material_code).id if material_code else None
        ),
    }


def test_a_site_row_for_students_wins_over_the_district_default(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    rule = create_rule(
        actor=librarian,
        site="nes",
        patron_type="student",
        material_type=None,
        values={"loan_days": 7, "max_items": 2, "fine_per_day": "0.10", "fine_cap": "2.00"},
        at=T0,
    )
    assert rule.site_id == district.north.id
    resolved = rules_for(**_ids(district.north, "student", "book"))
    assert resolved.rules.loan_days == 7
    assert resolved.rules.fine_per_day == Decimal("0.10")
    assert resolved.rules.fine_cap == Decimal("2.00")
    # Another site still falls back on the district default.
    assert rules_for(**_ids(district.south, "student", "book")).rules.loan_days == 14
    entry = AuditEntry.objects.get(action="policy.create")
    assert entry.object_type == "policy_rule"
    assert entry.site_id == district.north.id
    assert entry.changes["fine_per_day"] == [None, "0.10"]
    assert entry.changes["patron_type"] == [None, "student"]


def test_hours_alone_turn_a_row_into_an_hour_loan(district, cli_actor) -> None:
    rule = create_rule(
        actor=cli_actor,
        site="NES",
        patron_type=None,
        material_type="reference",
        values={"loan_hours": 3},
        at=T0,
    )
    assert (rule.loan_days, rule.loan_hours) == (0, 3)
    rule = update_rule(actor=cli_actor, rule_id=rule.id, changes={"loan_days": 2}, at=T0)
    assert (rule.loan_days, rule.loan_hours) == (2, 0)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"loan_days": 7, "loan_hours": 3}, "loan_hours"),
        ({"loan_days": 0, "loan_hours": 0}, "loan_days"),
        ({"fine_per_day": "-0.10"}, "fine_per_day"),
        ({"fine_per_day": "0.105"}, "fine_per_day"),
        ({"fine_per_day": 0.1}, "fine_per_day"),
        ({"fine_cap": "lots"}, "fine_cap"),
        ({"max_items": -1}, "max_items"),
        ({"max_items": "5"}, "max_items"),
        ({"renewals": True}, "renewals"),
        ({"processing_fee": "100000"}, "processing_fee"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_naming_the_field(district, cli_actor, values, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_rule(
            actor=cli_actor,
            site="NES",
            patron_type="teacher",
            material_type=None,
            values=values,
            at=T0,
        )
    assert caught.value.field == field
    assert not PolicyRule.objects.filter(site=district.north).exists()


def test_a_row_for_an_unknown_site_or_type_names_the_field(district, cli_actor) -> None:
    with pytest.raises(UnknownSite) as caught:
        create_rule(
            actor=cli_actor, site="XXX", patron_type=None, material_type=None, values={}, at=T0
        )
    assert caught.value.field == "site"
    for key in ("patron_type", "material_type"):
        kwargs = {"site": "NES", "patron_type": None, "material_type": None, key: "dragon"}
        with pytest.raises(InvalidInput) as caught:
            create_rule(actor=cli_actor, values={}, at=T0, **kwargs)
        assert caught.value.field == key


def test_a_second_row_for_the_same_combination_is_a_duplicate(district, cli_actor) -> None:
    create_rule(
        actor=cli_actor,
        site="NES",
        patron_type="student",
        material_type="book",
        values={},
        at=T0,
    )
    with pytest.raises(Duplicate):
        create_rule(
            actor=cli_actor,
            site="nes",
            patron_type="STUDENT",
            material_type="book",
            values={"loan_days": 3},
            at=T0,
        )
    with pytest.raises(Duplicate):  # the district default exists from the migration
        create_rule(
            actor=cli_actor, site=None, patron_type=None, material_type=None, values={}, at=T0
        )


def test_a_site_librarian_changes_only_their_own_sites_rows(district, cli_actor) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    south = create_rule(
        actor=cli_actor, site="SES", patron_type=None, material_type=None, values={}, at=T0
    )
    with pytest.raises(PermissionDenied):
        create_rule(
            actor=librarian, site="SES", patron_type=None, material_type=None, values={}, at=T0
        )
    with pytest.raises(PermissionDenied):
        update_rule(actor=librarian, rule_id=south.id, changes={"renewals": 0}, at=T0)
    with pytest.raises(PermissionDenied):
        delete_rule(actor=librarian, rule_id=south.id, at=T0)
    with pytest.raises(PermissionDenied, match="district admin"):
        create_rule(
            actor=librarian,
            site=None,
            patron_type="teacher",
            material_type=None,
            values={},
            at=T0,
        )
    with pytest.raises(PermissionDenied, match="district admin"):
        update_rule(actor=librarian, rule_id=_default().id, changes={"renewals": 0}, at=T0)


def test_technicians_may_not_change_policy(district) -> None:
    tech = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(PermissionDenied):
        create_rule(actor=tech, site="NES", patron_type=None, material_type=None, values={}, at=T0)


def test_update_writes_only_the_changed_fields_to_the_audit_log(district, cli_actor) -> None:
    rule = update_rule(
        actor=cli_actor,
        rule_id=_default().id,
        changes={"max_balance": Decimal("5.00"), "renewals": 2, "fine_cap": None},
        at=T0,
    )
    assert rule.max_balance == Decimal("5.00")
    entry = AuditEntry.objects.get(action="policy.update")
    assert entry.changes == {"max_balance": ["10.00", "5.00"]}
    update_rule(actor=cli_actor, rule_id=rule.id, changes={"renewals": 2}, at=T0)
    assert AuditEntry.objects.filter(action="policy.update").count() == 1


def test_the_district_default_row_is_never_deleted(district, cli_actor) -> None:
    with pytest.raises(InvalidInput, match="default"):
        delete_rule(actor=cli_actor, rule_id=_default().id, at=T0)
    assert PolicyRule.objects.filter(pk=_default().pk).exists()


def test_deleting_a_row_falls_back_and_is_audited(district, cli_actor) -> None:
    rule = create_rule(
        actor=cli_actor,
        site="NES",
        patron_type=None,
        material_type=None,
        values={"loan_days": 21},
        at=T0,
    )
    delete_rule(actor=cli_actor, rule_id=rule.id, at=T0)
    assert rules_for(**_ids(district.north, "student")).rules.loan_days == 14
    entry = AuditEntry.objects.get(action="policy.delete")
    assert entry.changes["loan_days"] == [21, None]
    with pytest.raises(NotFound):
        delete_rule(actor=cli_actor, rule_id=rule.id, at=T0)


def test_types_are_added_by_a_district_admin_only(district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    kit = add_material_type(actor=admin, code="Kit", name="Science kit", circulates=False, at=T0)
    assert (kit.code, kit.circulates) == ("kit", False)
    visitor = add_patron_type(actor=admin, code="visitor", name="Visitor", at=T0)
    assert visitor.code == "visitor"
    assert (
        AuditEntry.objects.filter(action__in=["material_type.create", "patron_type.create"]).count()
        == 2
    )
    with pytest.raises(Duplicate):
        add_material_type(actor=admin, code="KIT", name="Again", at=T0)
    with pytest.raises(PermissionDenied):
        add_patron_type(actor=librarian, code="alumni", name="Alumni", at=T0)
    with pytest.raises(InvalidInput) as caught:
        add_patron_type(actor=admin, code="two words", name="x", at=T0)
    assert caught.value.field == "code"


def test_rows_are_listed_most_general_first(district, cli_actor) -> None:
    for site, patron_type, material_type in [
        ("NES", "student", "book"),
        (None, "student", None),
        ("NES", None, None),
        (None, None, "reference"),
    ]:
        create_rule(
            actor=cli_actor,
            site=site,
            patron_type=patron_type,
            material_type=material_type,
            values={},
            at=T0,
        )
    keys = [
        (
            r.site.code if r.site else None,
            r.patron_type.code if r.patron_type else None,
            r.material_type.code if r.material_type else None,
        )
        for r in policy_rows(actor=cli_actor)
    ]
    assert keys == [
        (None, None, None),
        (None, None, "reference"),
        (None, "student", None),
        ("NES", None, None),
        ("NES", "student", "book"),
    ]


def test_explain_names_the_row_the_desk_would_use(district, cli_actor) -> None:
    rule = create_rule(
        actor=cli_actor,
        site=None,
        patron_type="teacher",
        material_type=None,
        values={"loan_days": 28},
        at=T0,
    )
    tech = district.users[Role.TECHNICIAN].actor()
    found = explain(
        actor=tech, site_code="SES", patron_type_code="teacher", material_type_code="book"
    )
    assert found.rule.pk == rule.pk
    assert found.rules.loan_days == 28
    found = explain(actor=tech, site_code="SES", patron_type_code="student")
    assert found.rule.pk == _default().pk
    with pytest.raises(InvalidInput) as caught:
        explain(actor=tech, site_code="SES", patron_type_code="dragon")
    assert caught.value.field == "patron_type"
    with pytest.raises(PermissionDenied):
        explain(
            actor=district.users[Role.TEACHER].actor(), site_code="NES", patron_type_code="student"
        )
