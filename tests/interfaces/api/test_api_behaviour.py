"""The API as a district's integration would use it: resources by code, errors naming fields,
nothing half-written, every change in the audit log."""

from __future__ import annotations

import pytest

from octavo.accounts.models import User
from octavo.audit.models import AuditEntry
from octavo.district.models import Location, Site
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db
ADMIN = Role.DISTRICT_ADMIN


def error(response) -> dict:
    return response.json()["error"]


def test_admin_creates_a_site_with_hours_and_reads_it_back(api_as) -> None:
    api = api_as(ADMIN)
    created = api.call(
        "POST",
        "/api/v1/sites",
        {
            "code": "mes",
            "name": "Maple Elementary",
            "address": "1 Maple Way",
            "time_zone": "America/Chicago",
            "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "15:30"}],
        },
    )
    assert created.status_code == 201
    assert created.json()["code"] == "MES"
    body = api.call("GET", "/api/v1/sites/MES").json()
    assert body == {
        "code": "MES",
        "name": "Maple Elementary",
        "address": "1 Maple Way",
        "time_zone": "America/Chicago",
        "is_active": True,
        "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "15:30"}],
    }


def test_a_site_created_without_a_time_zone_gets_the_default_zone(api_as) -> None:
    body = api_as(ADMIN).call("POST", "/api/v1/sites", {"code": "MES", "name": "Maple"}).json()
    assert body["time_zone"] == "America/Los_Angeles"
    assert body["opening_hours"] == []


def test_patching_a_site_changes_only_the_fields_sent(api_as) -> None:
    api = api_as(ADMIN)
    hours = [
        {"weekday": 1, "opens": "12:00", "closes": "15:00"},
        {"weekday": 1, "opens": "08:00", "closes": "11:00"},
    ]
    body = api.call("PATCH", "/api/v1/sites/nes", {"address": "2 Elm", "opening_hours": hours})
    assert body.status_code == 200
    assert body.json()["name"] == "North Elementary"
    assert body.json()["address"] == "2 Elm"
    assert [h["opens"] for h in body.json()["opening_hours"]] == ["08:00", "12:00"]
    body = api.call("PATCH", "/api/v1/sites/NES", {"is_active": False}).json()
    assert body["is_active"] is False
    assert len(body["opening_hours"]) == 2  # hours left out: kept
    assert (
        api.call("PATCH", "/api/v1/sites/NES", {"opening_hours": []}).json()["opening_hours"] == []
    )


def test_overlapping_hours_are_refused_naming_opening_hours(api_as) -> None:
    hours = [
        {"weekday": 2, "opens": "08:00", "closes": "12:00"},
        {"weekday": 2, "opens": "11:00", "closes": "14:00"},
    ]
    response = api_as(ADMIN).call("PATCH", "/api/v1/sites/NES", {"opening_hours": hours})
    assert response.status_code == 422
    assert error(response)["field"] == "opening_hours"


@pytest.mark.parametrize("value", ["8:00", "08:00:30", "08:00Z", "24:00", 800, None])
def test_opening_times_must_be_hh_mm(api_as, value) -> None:
    hours = [{"weekday": 0, "opens": value, "closes": "15:00"}]
    response = api_as(ADMIN).call(
        "POST", "/api/v1/sites", {"code": "MES", "name": "M", "opening_hours": hours}
    )
    assert response.status_code == 422
    assert error(response)["field"] == "opening_hours.0.opens"
    assert not Site.objects.filter(code="MES").exists()


def test_duplicate_site_code_is_409_naming_code_and_writes_nothing(api_as) -> None:
    before = Site.objects.count(), AuditEntry.objects.count()
    response = api_as(ADMIN).call("POST", "/api/v1/sites", {"code": "NES", "name": "Again"})
    assert response.status_code == 409
    assert error(response)["code"] == "duplicate"
    assert error(response)["field"] == "code"
    assert (Site.objects.count(), AuditEntry.objects.count()) == before


def test_unknown_site_is_404_naming_site(api_as) -> None:
    response = api_as(ADMIN).call("GET", "/api/v1/sites/ZZZ")
    assert (response.status_code, error(response)["code"]) == (404, "not_found")
    assert error(response)["field"] == "site"


def test_locations_are_added_listed_and_changed(api_as) -> None:
    api = api_as(Role.TECHNICIAN)
    created = api.call("POST", "/api/v1/sites/NES/locations", {"code": "ref", "name": "Reference"})
    assert created.status_code == 201
    location = created.json()
    assert (location["site"], location["code"], location["is_active"]) == ("NES", "REF", True)
    listed = api.call("GET", "/api/v1/sites/NES/locations").json()
    assert (listed["count"], listed["items"]) == (1, [location])
    changed = api.call(
        "PATCH", f"/api/v1/locations/{location['id']}", {"name": "Ref desk", "is_active": False}
    ).json()
    assert (changed["name"], changed["is_active"]) == ("Ref desk", False)
    again = api.call("POST", "/api/v1/sites/NES/locations", {"code": "REF", "name": "Again"})
    assert (again.status_code, error(again)["field"]) == (409, "code")
    assert Location.objects.count() == 1


def test_unknown_location_is_404(api_as) -> None:
    response = api_as(ADMIN).call("PATCH", "/api/v1/locations/999999", {"name": "X"})
    assert response.status_code == 404
    response = api_as(ADMIN).call("PATCH", "/api/v1/locations/abc", {"name": "X"})
    assert (response.status_code, error(response)["field"]) == (422, "location_id")


def test_admin_creates_an_account_and_reads_it_back(api_as) -> None:
    api = api_as(ADMIN)
    created = api.call(
        "POST",
        "/api/v1/users",
        {
            "username": "jlee",
            "role": "teacher",
            "sites": ["ses", "NES"],
            "first_name": "Jo",
            "last_name": "Lee",
            "email": "jlee@example.org",
        },
    )
    assert created.status_code == 201
    expected = {
        "username": "jlee",
        "role": "teacher",
        "sites": ["NES", "SES"],
        "first_name": "Jo",
        "last_name": "Lee",
        "email": "jlee@example.org",
        "is_active": True,
    }
    assert created.json() == expected
    assert api.call("GET", "/api/v1/users/jlee").json() == expected
    # No password given: the account exists but cannot log in until one is set.
    assert not User.objects.get(username="jlee").has_usable_password()


def test_patching_an_account_moves_it_and_deactivates_it(api_as) -> None:
    api = api_as(ADMIN)
    body = api.call(
        "PATCH", "/api/v1/users/teacher", {"sites": ["SES"], "role": "student_helper"}
    ).json()
    assert (body["role"], body["sites"]) == ("student_helper", ["SES"])
    body = api.call("PATCH", "/api/v1/users/teacher", {"is_active": False}).json()
    assert body["is_active"] is False


def test_a_site_librarian_cannot_see_an_account_at_another_site(api_as) -> None:
    api_as(ADMIN).call("PATCH", "/api/v1/users/teacher", {"sites": ["SES"]})
    api = api_as(Role.SITE_LIBRARIAN)
    assert api.call("GET", "/api/v1/users/teacher").status_code == 404
    assert api.call("PATCH", "/api/v1/users/teacher", {"first_name": "X"}).status_code == 404
    assert User.objects.get(username="teacher").first_name == ""


def test_unknown_site_code_for_an_account_is_422_naming_sites(api_as) -> None:
    response = api_as(ADMIN).call(
        "POST",
        "/api/v1/users",
        {
            "username": "x",
            "role": "teacher",
            "sites": ["NES", "ZZZ"],
            "password": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 422
    assert error(response)["code"] == "unknown_site"
    assert error(response)["field"] == "sites"
    assert "ZZZ" in error(response)["message"]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("password", ["short", "password1234", "weakling-user"])
def test_weak_password_is_422_naming_password(api_as, password) -> None:
    response = api_as(ADMIN).call(
        "POST",
        "/api/v1/users",
        {"username": "weakling-user", "role": "teacher", "sites": ["NES"], "password": password},
    )
    assert response.status_code == 422
    assert (error(response)["code"], error(response)["field"]) == ("weak_password", "password")
    assert not User.objects.filter(username="weakling-user").exists()


def test_duplicate_username_is_409_naming_username(api_as) -> None:
    response = api_as(ADMIN).call(
        "POST", "/api/v1/users", {"username": "Teacher", "role": "teacher", "sites": ["NES"]}
    )
    assert (response.status_code, error(response)["field"]) == (409, "username")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "MES", "name": 5}, "name"),
        ({"code": "MES"}, "name"),
        ({"code": ["MES"], "name": "M"}, "code"),
        (
            {
                "code": "MES",
                "name": "M",
                "opening_hours": [{"weekday": 9, "opens": "08:00", "closes": "09:00"}],
            },
            "opening_hours.0.weekday",
        ),
        (
            {
                "code": "MES",
                "name": "M",
                "opening_hours": [{"weekday": "1", "opens": "08:00", "closes": "09:00"}],
            },
            "opening_hours.0.weekday",
        ),
        (
            {
                "code": "MES",
                "name": "M",
                "opening_hours": [{"weekday": 1, "opens": "08:00", "closes": "09:00", "x": 1}],
            },
            "opening_hours.0.x",
        ),
        ({"code": "MES", "name": "M", "opening_hours": {"weekday": 1}}, "opening_hours"),
        ({"code": "MES", "name": "M", "colour": "blue"}, "colour"),
    ],
)
def test_wrong_types_missing_and_unknown_fields_are_422_naming_the_field(api_as, body, field):
    response = api_as(ADMIN).call("POST", "/api/v1/sites", body)
    assert response.status_code == 422
    assert error(response)["code"] == "invalid"
    assert error(response)["field"] == field
    assert error(response)["message"].startswith(f"{field}: ")
    assert not Site.objects.filter(code="MES").exists()


def test_unknown_field_is_named_as_unknown(api_as) -> None:
    response = api_as(ADMIN).call("PATCH", "/api/v1/sites/NES", {"colour": "blue"})
    assert response.status_code == 422
    assert error(response) == {
        "code": "invalid",
        "message": "colour: unknown field",
        "field": "colour",
    }


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/users", {"username": "x", "role": "teacher", "sites": "NES"}, "sites"),
        ("/api/v1/users", {"username": "x", "role": "king", "sites": ["NES"]}, "role"),
        ("/api/v1/users", {"username": 7, "role": "teacher", "sites": ["NES"]}, "username"),
        ("/api/v1/users", {"username": "x", "role": "teacher", "sites": [1]}, "sites.0"),
    ],
)
def test_account_fields_of_the_wrong_type_are_refused(api_as, path, body, field) -> None:
    response = api_as(ADMIN).call("POST", path, body)
    assert response.status_code == 422
    assert error(response)["field"] == field
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/sites/NES", {"is_active": "yes"}, "is_active"),
        ("/api/v1/sites/NES", {"is_active": 0}, "is_active"),
        ("/api/v1/sites/NES", {"name": None}, "name"),
        ("/api/v1/sites/NES", {"address": None}, "address"),
        ("/api/v1/sites/NES", {"opening_hours": None}, "opening_hours"),
        ("/api/v1/users/teacher", {"sites": None}, "sites"),
        ("/api/v1/users/teacher", {"first_name": None}, "first_name"),
        ("/api/v1/users/teacher", {"is_active": "false"}, "is_active"),
    ],
)
def test_a_patch_refuses_null_and_loose_types_and_changes_nothing(
    api_as, path, body, field
) -> None:
    before = AuditEntry.objects.count()
    response = api_as(ADMIN).call("PATCH", path, body)
    assert response.status_code == 422
    assert error(response)["field"] == field
    assert AuditEntry.objects.count() == before
    site = Site.objects.get(code="NES")
    assert (site.name, site.address, site.is_active) == ("North Elementary", "", True)
    teacher = User.objects.get(username="teacher")
    assert (teacher.first_name, teacher.is_active) == ("", True)


def test_changes_through_the_api_are_audited_as_api(api_as) -> None:
    before = AuditEntry.objects.count()
    admin, librarian = api_as(ADMIN), api_as(Role.SITE_LIBRARIAN)
    made = [
        admin.call("POST", "/api/v1/sites", {"code": "MES", "name": "Maple"}),
        librarian.call("PATCH", "/api/v1/sites/NES", {"address": "1 Elm Street"}),
        librarian.call("POST", "/api/v1/sites/NES/locations", {"code": "REF", "name": "Ref"}),
    ]
    location_id = made[-1].json()["id"]
    made += [
        librarian.call("PATCH", f"/api/v1/locations/{location_id}", {"name": "Reference"}),
        librarian.call(
            "POST",
            "/api/v1/users",
            {"username": "newtech", "role": "technician", "sites": ["NES"]},
        ),
        librarian.call("PATCH", "/api/v1/users/newtech", {"last_name": "Ng"}),
    ]
    assert [r.status_code for r in made] == [201, 200, 201, 200, 201, 200]
    entries = list(AuditEntry.objects.order_by("id"))[before:]
    assert [(e.action, e.actor_username, e.source, e.address) for e in entries] == [
        ("site.create", "district-admin", "api", "127.0.0.1"),
        ("site.update", "site-librarian", "api", "127.0.0.1"),
        ("location.create", "site-librarian", "api", "127.0.0.1"),
        ("location.update", "site-librarian", "api", "127.0.0.1"),
        ("user.create", "site-librarian", "api", "127.0.0.1"),
        ("user.update", "site-librarian", "api", "127.0.0.1"),
    ]
    assert entries[1].changes == {"address": ["", "1 Elm Street"]}
    logged = admin.call("GET", "/api/v1/audit?actor=site-librarian").json()
    assert logged["count"] == 5
    assert {i["source"] for i in logged["items"]} == {"api"}
    assert logged["items"][0]["action"] == "user.update"  # newest first
    assert logged["items"][-1]["site"] == "NES"


def test_a_refused_change_writes_nothing_to_the_audit_log(api_as) -> None:
    before = AuditEntry.objects.count()
    response = api_as(Role.TECHNICIAN).call("PATCH", "/api/v1/sites/NES", {"name": "Mine"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    assert Site.objects.get(code="NES").name == "North Elementary"


def test_audit_filters_and_pages(api_as) -> None:
    api = api_as(ADMIN)
    body = api.call("GET", "/api/v1/audit?object_type=site&limit=2").json()
    assert (body["count"], len(body["items"]), body["limit"], body["offset"]) == (3, 2, 2, 0)
    rest = api.call("GET", "/api/v1/audit?object_type=site&limit=2&offset=2").json()
    assert len(rest["items"]) == 1
    seen = [i["object_id"] for i in body["items"] + rest["items"]]
    assert sorted(seen) == ["CHS", "NES", "SES"]
    by_site = api.call("GET", "/api/v1/audit?site=nes&action=site.create").json()
    assert [(i["object_id"], i["site"]) for i in by_site["items"]] == [("NES", "NES")]
    assert api.call("GET", "/api/v1/audit?since=2026-09-01T15:00:01Z").json()["count"] == 0
    assert api.call("GET", "/api/v1/audit?until=2026-09-01T15:00:00%2B00:00").json()["count"] == 0
    assert api.call("GET", "/api/v1/audit?since=2026-09-01T15:00:00Z").json()["count"] > 0


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("site=ZZZ", "unknown_site", "site"),
        ("limit=0", "invalid", "limit"),
        ("limit=501", "invalid", "limit"),
        ("offset=-1", "invalid", "offset"),
        ("since=2026-09-01T00:00", "invalid", "since"),  # no offset: which zone?
        ("since=yesterday", "invalid", "since"),
        ("actr=site-librarian", "invalid", "actr"),  # a misspelt filter is not ignored
    ],
)
def test_bad_audit_filters_are_422_naming_the_filter(api_as, query, code, field) -> None:
    response = api_as(ADMIN).call("GET", f"/api/v1/audit?{query}")
    assert response.status_code == 422
    assert (error(response)["code"], error(response)["field"]) == (code, field)


def test_the_audit_log_is_refused_to_everyone_but_district_admins_whatever_the_filter(
    api_as,
) -> None:
    response = api_as(Role.SITE_LIBRARIAN).call("GET", "/api/v1/audit?site=ZZZ&actr=x")
    assert (response.status_code, error(response)["code"]) == (403, "permission_denied")


def test_me_describes_the_caller(api_as) -> None:
    body = api_as(Role.TECHNICIAN).call("GET", "/api/v1/me").json()
    assert (body["username"], body["role"], body["sites"]) == ("technician", "technician", ["NES"])
    assert api_as(ADMIN).call("GET", "/api/v1/me").json()["sites"] == []
