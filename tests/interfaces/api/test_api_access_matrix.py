"""Every role (and no token, and a bad token) against every API route.

The expected statuses are written out by hand from the issue and the librarians' guide, not
computed from octavo.accounts.rules: a wrong rule must fail here.
"""

from __future__ import annotations

import pytest
from tests.conftest import T0

from octavo.accounts.services import create_user
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

WHO = [
    "none",
    "bad",
    Role.STUDENT,
    Role.PARENT,
    Role.STUDENT_HELPER,
    Role.TEACHER,
    Role.TECHNICIAN,
    Role.SITE_LIBRARIAN,
    Role.DISTRICT_ADMIN,
]

BODIES = {
    "new-site": {"code": "MES", "name": "Maple Elementary"},
    "site-edit": {"name": "Renamed"},
    "new-location": {"code": "REF", "name": "Reference"},
    "location-edit": {"name": "Renamed shelf"},
    "new-tech": {
        "username": "newtech",
        "role": "technician",
        "sites": ["NES"],
        "password": "a-long-enough-passphrase",
    },
    "new-librarian": {
        "username": "newlib",
        "role": "site_librarian",
        "sites": ["NES"],
        "password": "a-long-enough-passphrase",
    },
    "new-south-tech": {
        "username": "southtech",
        "role": "technician",
        "sites": ["SES"],
        "password": "a-long-enough-passphrase",
    },
    "teacher-edit": {"first_name": "Terry"},
    "name-edit": {"last_name": "Adams"},
    "new-record": {"title": "Brand new book", "authors": ["Writer, Wendy"]},
    "record-edit": {"title": "Owl moon, revised"},
    "marc-edit": {"marc": "=LDR  00000nam a2200000 a 4500\n=245  10$aOwl moon"},
    "item-nes": {"barcodes": ["NES2"], "site": "NES", "location": "FIC"},
    "item-ses": {"barcodes": ["SES2"], "site": "SES"},
    "item-edit": {"staff_note": "Checked"},
    "out-nes": {"patron_barcode": "P1", "item_barcode": "NES1"},
    "out-ses": {"patron_barcode": "P1", "item_barcode": "SES1"},
    "out-at-ses": {"patron_barcode": "P1", "item_barcode": "NES1", "site": "SES"},
    "in-nes": {"item_barcode": "NES1"},
    "renew-nes": {"item_barcode": "NES1"},
    "pay": {"amount": "1.00", "method": "cash", "site": "NES"},
    "hold-nes": {"patron_barcode": "P1", "record_id": "{REC}", "pickup_site": "NES"},
    "hold-ses": {"patron_barcode": "P1", "record_id": "{REC}", "pickup_site": "SES"},
    "policy-nes": {"site": "NES", "patron_type": "student", "loan_days": 7},
    "policy-ses": {"site": "SES", "patron_type": "student", "loan_days": 7},
    "policy-district": {"patron_type": "teacher", "loan_days": 28, "fine_per_day": "0.00"},
    "policy-edit": {"renewals": 1},
    "closed": {"first": "2026-12-21", "last": "2027-01-01", "reason": "Winter break"},
}

TABLE = """
                                              none bad student parent helper teacher tech lib admin
GET   /api/v1/me                               401 401  200     200    200    200     200  200 200
GET   /api/v1/search?q=cat                     200 200  200     200    200    200     200  200 200
GET   /api/v1/sites                            401 401  403     403    403    403     200  200 200
POST  /api/v1/sites new-site                   401 401  403     403    403    403     403  403 201
GET   /api/v1/sites/NES                        401 401  403     403    403    403     200  200 200
GET   /api/v1/sites/SES                        401 401  403     403    403    403     403  403 200
PATCH /api/v1/sites/NES site-edit              401 401  403     403    403    403     403  200 200
PATCH /api/v1/sites/SES site-edit              401 401  403     403    403    403     403  403 200
GET   /api/v1/sites/NES/locations              401 401  403     403    403    403     200  200 200
POST  /api/v1/sites/NES/locations new-location 401 401  403     403    403    403     201  201 201
GET   /api/v1/sites/SES/locations              401 401  403     403    403    403     403  403 200
POST  /api/v1/sites/SES/locations new-location 401 401  403     403    403    403     403  403 201
PATCH /api/v1/locations/{NES} location-edit    401 401  403     403    403    403     200  200 200
PATCH /api/v1/locations/{SES} location-edit    401 401  403     403    403    403     403  403 200
GET   /api/v1/users                            401 401  403     403    403    403     403  200 200
POST  /api/v1/users new-tech                   401 401  403     403    403    403     403  201 201
POST  /api/v1/users new-librarian              401 401  403     403    403    403     403  403 201
POST  /api/v1/users new-south-tech             401 401  403     403    403    403     403  403 201
GET   /api/v1/users/teacher                    401 401  403     403    403    403     403  200 200
PATCH /api/v1/users/teacher teacher-edit       401 401  403     403    403    403     403  200 200
GET   /api/v1/users/district-admin             401 401  403     403    403    403     403  404 200
PATCH /api/v1/users/district-admin name-edit   401 401  403     403    403    403     403  404 200
GET   /api/v1/audit                            401 401  403     403    403    403     403  403 200
GET   /api/v1/records/{REC}                    200 200  200     200    200    200     200  200 200
POST  /api/v1/records new-record               401 401  403     403    403    403     201  201 201
PUT   /api/v1/records/{REC} record-edit        401 401  403     403    403    403     200  200 200
PUT   /api/v1/records/{REC}/marc marc-edit     401 401  403     403    403    403     200  200 200
POST  /api/v1/records/{REC}/items item-nes     401 401  403     403    403    403     201  201 201
POST  /api/v1/records/{REC}/items item-ses     401 401  403     403    403    403     403  403 201
PATCH /api/v1/items/NES1 item-edit             401 401  403     403    403    403     200  200 200
PATCH /api/v1/items/SES1 item-edit             401 401  403     403    403    403     403  403 200
GET   /api/v1/reports/data-quality             401 401  403     403    403    403     200  200 200
POST  /api/v1/circulation/checkout out-nes     401 401  403     403    201    403     201  201 201
POST  /api/v1/circulation/checkout out-ses     401 401  403     403    201    403     201  201 201
POST  /api/v1/circulation/checkout out-at-ses  401 401  403     403    403    403     403  403 201
POST  /api/v1/circulation/checkin in-nes       401 401  403     403    200    403     200  200 200
POST  /api/v1/circulation/renew renew-nes      401 401  403     403    409    403     409  409 409
POST  /api/v1/patrons/{PAT}/payments pay       401 401  403     403    409    403     409  409 409
POST  /api/v1/holds hold-nes                   401 401  403     403    201    403     201  201 201
POST  /api/v1/holds hold-ses                   401 401  403     403    403    403     403  403 201
GET   /api/v1/policy                           401 401  403     403    200    403     200  200 200
GET   /api/v1/policy/explain?site=SES&patron_type=student 401 401 403 403 200 403 200  200 200
POST  /api/v1/policy policy-nes                401 401  403     403    403    403     403  201 201
POST  /api/v1/policy policy-ses                401 401  403     403    403    403     403  403 201
POST  /api/v1/policy policy-district           401 401  403     403    403    403     403  403 201
PATCH /api/v1/policy/{PNES} policy-edit        401 401  403     403    403    403     403  200 200
PATCH /api/v1/policy/{PSES} policy-edit        401 401  403     403    403    403     403  403 200
PATCH /api/v1/policy/{PDEF} policy-edit        401 401  403     403    403    403     403  403 200
DELETE /api/v1/policy/{PNES}                   401 401  403     403    403    403     403  200 200
DELETE /api/v1/policy/{PSES}                   401 401  403     403    403    403     403  403 200
DELETE /api/v1/policy/{PDEF}                   401 401  403     403    403    403     403  403 422
GET   /api/v1/sites/NES/closed-days            401 401  403     403    403    403     200  200 200
GET   /api/v1/sites/SES/closed-days            401 401  403     403    403    403     403  403 200
POST  /api/v1/sites/NES/closed-days closed     401 401  403     403    403    403     403  201 201
POST  /api/v1/sites/SES/closed-days closed     401 401  403     403    403    403     403  403 201
DELETE /api/v1/sites/NES/closed-days/2026-11-26 401 401 403     403    403    403     403  200 200
DELETE /api/v1/sites/SES/closed-days/2026-11-26 401 401 403     403    403    403     403  403 200
"""


def cases():
    for line in TABLE.strip().splitlines()[1:]:
        parts = line.split()
        method, path = parts[0], parts[1]
        body = parts[2] if parts[2] in BODIES else None
        statuses = parts[3:] if body else parts[2:]
        assert len(statuses) == len(WHO), line
        for who, status in zip(WHO, statuses, strict=True):
            label = who if isinstance(who, str) else who.value
            yield pytest.param(
                method, path, body, who, int(status), id=f"{label}-{method}-{path}-{body or ''}"
            )


@pytest.fixture
def policy_rows(district, cli_actor) -> dict[str, int]:
    """A policy row at each of NES and SES, the district default's id, and Thanksgiving closed
    at both sites."""
    from datetime import date

    from octavo.district.services import add_closed_days
    from octavo.policy.models import PolicyRule
    from octavo.policy.services import create_rule

    rows = {
        f"P{code}": create_rule(
            actor=cli_actor, site=code, patron_type=None, material_type="book", values={}, at=T0
        ).pk
        for code in ("NES", "SES")
    }
    rows["PDEF"] = PolicyRule.objects.get(
        site__isnull=True, patron_type__isnull=True, material_type__isnull=True
    ).pk
    for code in ("NES", "SES"):
        add_closed_days(actor=cli_actor, site_code=code, first=date(2026, 11, 26), at=T0)
    return rows


@pytest.mark.parametrize(("method", "path", "body", "who", "expected"), list(cases()))
def test_route_answers_each_role_as_the_table_says(
    api_as, locations, catalog_record, patron, policy_rows, method, path, body, who, expected
) -> None:
    path = path.replace("{REC}", str(catalog_record.pk))
    for key, rule_id in policy_rows.items():
        path = path.replace("{" + key + "}", str(rule_id))
    path = path.replace("{PAT}", str(patron.pk))
    path = path.replace("{NES}", str(locations["NES"].id))
    path = path.replace("{SES}", str(locations["SES"].id))
    if who == "none":
        api = api_as(None)
    elif who == "bad":
        api = api_as(None, token="oct_not-a-real-token")
    else:
        api = api_as(who)
    payload = BODIES.get(body) if body else None
    if payload and payload.get("record_id") == "{REC}":
        payload = {**payload, "record_id": catalog_record.pk}
    response = api.call(method, path, payload)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "field"}


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        (Role.TECHNICIAN, ["NES"]),
        (Role.SITE_LIBRARIAN, ["NES"]),
        (Role.DISTRICT_ADMIN, ["CHS", "NES", "SES"]),
    ],
)
def test_site_lists_show_only_the_sites_a_person_works_at(api_as, role, codes) -> None:
    body = api_as(role).call("GET", "/api/v1/sites").json()
    assert [s["code"] for s in body["items"]] == codes
    assert body["count"] == len(codes)


def test_a_site_librarian_lists_own_site_accounts_without_the_district_admin(
    api_as, cli_actor
) -> None:
    create_user(
        actor=cli_actor, username="south-teacher", role=Role.TEACHER, site_codes=["SES"], at=T0
    )
    body = api_as(Role.SITE_LIBRARIAN).call("GET", "/api/v1/users").json()
    names = sorted(u["username"] for u in body["items"])
    assert names == [
        "parent",
        "site-librarian",
        "student",
        "student-helper",
        "teacher",
        "technician",
    ]
    assert body["count"] == len(names)
    everyone = api_as(Role.DISTRICT_ADMIN).call("GET", "/api/v1/users").json()
    assert {"district-admin", "south-teacher"} <= {u["username"] for u in everyone["items"]}
