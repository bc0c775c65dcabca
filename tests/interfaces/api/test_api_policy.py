"""The policy and closed-day routes: money as text, fields named in errors, ranges of days."""

from __future__ import annotations

import pytest

from octavo.district.models import ClosedDay
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db


def test_a_row_is_added_with_money_as_text_and_listed_most_general_first(api_as) -> None:
    api = api_as(Role.SITE_LIBRARIAN)
    response = api.call(
        "POST",
        "/api/v1/policy",
        {"site": "NES", "patron_type": "student", "loan_days": 7, "fine_per_day": "0.10"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["site"], body["patron_type"], body["material_type"]) == ("NES", "student", None)
    assert body["fine_per_day"] == "0.10"
    assert body["fine_cap"] is None
    items = api_as(Role.TECHNICIAN).call("GET", "/api/v1/policy").json()["items"]
    assert items[0]["is_district_default"] is True
    assert items[-1]["id"] == body["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fine_per_day": 0.1}, "fine_per_day"),
        ({"fine_per_day": "0.105"}, "fine_per_day"),
        ({"loan_days": 7, "loan_hours": 2}, "loan_hours"),
        ({"max_items": -1}, "max_items"),
        ({"patron_type": "dragon"}, "patron_type"),
        ({"site": "XXX"}, "site"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rows_are_422_naming_the_field(api_as, payload, field) -> None:
    response = api_as(Role.DISTRICT_ADMIN).call(
        "POST", "/api/v1/policy", {"material_type": "av", **payload}
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["field"] == field


def test_patch_switches_to_hours_and_clears_the_cap(api_as) -> None:
    api = api_as(Role.DISTRICT_ADMIN)
    rule = api.call("POST", "/api/v1/policy", {"material_type": "av", "fine_cap": "1.00"}).json()
    body = api.call(
        "PATCH", f"/api/v1/policy/{rule['id']}", {"loan_hours": 4, "fine_cap": None}
    ).json()
    assert (body["loan_days"], body["loan_hours"], body["fine_cap"]) == (0, 4, None)
    missing = api.call("PATCH", "/api/v1/policy/999999", {"renewals": 1})
    assert missing.status_code == 404


def test_a_second_row_for_the_same_combination_is_409(api_as) -> None:
    api = api_as(Role.DISTRICT_ADMIN)
    assert api.call("POST", "/api/v1/policy", {"material_type": "av"}).status_code == 201
    assert api.call("POST", "/api/v1/policy", {"material_type": "AV"}).status_code == 409


def test_explain_answers_with_the_row_that_applies(api_as) -> None:
    api = api_as(Role.DISTRICT_ADMIN)
    rule = api.call("POST", "/api/v1/policy", {"patron_type": "teacher", "loan_days": 28}).json()
    found = api_as(Role.STUDENT_HELPER).call(
        "GET", "/api/v1/policy/explain?site=SES&patron_type=teacher&material_type=book"
    )
    assert found.json()["rule"]["id"] == rule["id"]
    bad = api.call("GET", "/api/v1/policy/explain?site=SES&patron_type=dragon")
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "patron_type"


def test_winter_break_is_one_post_and_a_day_is_opened_again(api_as) -> None:
    api = api_as(Role.SITE_LIBRARIAN)
    added = api.call(
        "POST",
        "/api/v1/sites/NES/closed-days",
        {"first": "2026-12-21", "last": "2027-01-01", "reason": "Winter break"},
    )
    assert added.status_code == 201, added.content
    assert added.json()["count"] == 12
    assert added.json()["items"][0] == {"date": "2026-12-21", "reason": "Winter break"}
    listed = api.call("GET", "/api/v1/sites/NES/closed-days").json()
    assert listed["count"] == 12
    gone = api.call("DELETE", "/api/v1/sites/NES/closed-days/2026-12-25")
    assert gone.status_code == 200
    assert gone.json() == {"deleted": 1}
    assert ClosedDay.objects.count() == 11
    again = api.call("DELETE", "/api/v1/sites/NES/closed-days/2026-12-25")
    assert again.status_code == 404


def test_closed_days_refuse_bad_dates_naming_the_field(api_as) -> None:
    api = api_as(Role.SITE_LIBRARIAN)
    backwards = api.call(
        "POST", "/api/v1/sites/NES/closed-days", {"first": "2026-12-21", "last": "2026-12-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "last"
    nonsense = api.call("POST", "/api/v1/sites/NES/closed-days", {"first": "soon"})
    assert nonsense.status_code == 422
    assert not ClosedDay.objects.exists()


def test_the_district_default_cannot_be_deleted(api_as) -> None:
    default = PolicyRule.objects.get(
        site__isnull=True, patron_type__isnull=True, material_type__isnull=True
    )
    response = api_as(Role.DISTRICT_ADMIN).call("DELETE", f"/api/v1/policy/{default.pk}")
    assert response.status_code == 422
    assert "default" in response.json()["error"]["message"]
