"""Every role (and an anonymous visitor) against every staff URL, GET and POST.

The expected statuses are written out by hand from the issue and docs/librarians/
getting-started.md, not computed from octavo.accounts.rules: a wrong rule must fail here.
"""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD

from octavo.accounts.models import User
from octavo.district.models import Location, Site
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

ANON = None
# Column order of the table below.
WHO = [
    ANON,
    Role.STUDENT,
    Role.PARENT,
    Role.STUDENT_HELPER,
    Role.TEACHER,
    Role.TECHNICIAN,
    Role.SITE_LIBRARIAN,
    Role.DISTRICT_ADMIN,
]

NEW_SITE = {"code": "MES", "name": "Maple Elementary", "time_zone": "America/Los_Angeles"}
SITE_EDIT = {
    "name": "Renamed School",
    "address": "1 School Lane",
    "time_zone": "America/Los_Angeles",
    "is_active": "on",
    "hours_0_1_opens": "08:00",
    "hours_0_1_closes": "15:00",
}
NEW_LOCATION = {"code": "EASY", "name": "Easy"}
LOCATION_EDIT = {"name": "Renamed shelf", "is_active": "on"}
NEW_ACCOUNT = {
    "username": "newtech",
    "role": "technician",
    "sites": ["NES"],
    "password": "a-long-enough-passphrase",
    "password_again": "a-long-enough-passphrase",
}
TEACHER_EDIT = {
    "first_name": "Terry",
    "last_name": "Teacher",
    "email": "terry@example.org",
    "role": "teacher",
    "sites": ["NES"],
    "is_active": "on",
}

# Expected status for each visitor. {NES} and {SES} are the ids of a location at each site.
TABLE = """
                                  anon student parent helper teacher tech  lib  admin
GET  /staff/                       302  403     403    200    200    200  200  200
GET  /staff/sites/                 302  403     403    403    403    200  200  200
GET  /staff/sites/new/             302  403     403    403    403    403  403  200
POST /staff/sites/new/             302  403     403    403    403    403  403  302
GET  /staff/sites/NES/             302  403     403    403    403    200  200  200
POST /staff/sites/NES/             302  403     403    403    403    403  302  302
GET  /staff/sites/SES/             302  403     403    403    403    403  403  200
POST /staff/sites/SES/             302  403     403    403    403    403  403  302
GET  /staff/sites/NOPE/            302  403     403    404    404    404  404  404
GET  /staff/sites/NES/locations/   302  403     403    403    403    200  200  200
POST /staff/sites/NES/locations/   302  403     403    403    403    302  302  302
GET  /staff/sites/SES/locations/   302  403     403    403    403    403  403  200
POST /staff/sites/SES/locations/   302  403     403    403    403    403  403  302
GET  /staff/locations/{NES}/edit/  302  403     403    403    403    200  200  200
POST /staff/locations/{NES}/edit/  302  403     403    403    403    302  302  302
GET  /staff/locations/{SES}/edit/  302  403     403    403    403    403  403  200
POST /staff/locations/{SES}/edit/  302  403     403    403    403    403  403  302
GET  /staff/users/                 302  403     403    403    403    403  200  200
GET  /staff/users/new/             302  403     403    403    403    403  200  200
POST /staff/users/new/             302  403     403    403    403    403  302  302
GET  /staff/users/teacher/         302  403     403    403    403    403  200  200
POST /staff/users/teacher/         302  403     403    403    403    403  302  302
GET  /staff/users/district-admin/  302  403     403    403    403    403  404  200
GET  /staff/audit/                 302  403     403    403    403    403  403  200
GET  /staff/login/                 200  200     200    200    200    200  200  200
POST /staff/logout/                302  302     302    302    302    302  302  302
"""

# What each form is sent: valid input, so only permission decides the answer.
POSTED = {
    "/staff/sites/new/": NEW_SITE,
    "/staff/sites/NES/": SITE_EDIT,
    "/staff/sites/SES/": SITE_EDIT,
    "/staff/sites/NES/locations/": NEW_LOCATION,
    "/staff/sites/SES/locations/": NEW_LOCATION,
    "/staff/locations/{NES}/edit/": LOCATION_EDIT,
    "/staff/locations/{SES}/edit/": LOCATION_EDIT,
    "/staff/users/new/": NEW_ACCOUNT,
    "/staff/users/teacher/": TEACHER_EDIT,
    "/staff/logout/": {},
}


def _cases():
    for line in TABLE.strip().splitlines()[1:]:
        method, url, *statuses = line.split()
        assert len(statuses) == len(WHO), line
        for who, status in zip(WHO, statuses, strict=True):
            name = who.value if who else "anonymous"
            yield pytest.param(method, url, who, int(status), id=f"{method} {url} {name}")


@pytest.mark.parametrize(("method", "url", "who", "expected"), list(_cases()))
def test_staff_url_answers_each_role_as_the_table_says(
    method, url, who, expected, client_as, locations
):
    client = client_as(who)
    target = url.format(NES=locations["NES"].id, SES=locations["SES"].id)
    response = client.get(target) if method == "GET" else client.post(target, POSTED[url])
    assert response.status_code == expected, f"{method} {target} as {who}"
    if who is ANON and url != "/staff/login/":
        assert response["Location"].startswith("/staff/login/")
    if expected == 403:
        assert "Not available" in response.content.decode()


def test_technician_sees_only_their_own_site_in_the_list(client_as):
    body = client_as(Role.TECHNICIAN).get("/staff/sites/").content.decode()
    assert "North Elementary" in body
    assert "South Elementary" not in body
    assert "Central High" not in body
    assert "Add a site" not in body


def test_technician_sees_north_elementary_without_an_edit_form(client_as):
    body = client_as(Role.TECHNICIAN).get("/staff/sites/NES/").content.decode()
    assert "North Elementary" in body
    assert "Save changes" not in body


def test_technician_edit_attempt_changes_nothing(client_as):
    client_as(Role.TECHNICIAN).post("/staff/sites/NES/", SITE_EDIT)
    assert Site.objects.get(code="NES").name == "North Elementary"


def test_site_librarian_lists_north_accounts_but_not_the_district_admin(client_as):
    body = client_as(Role.SITE_LIBRARIAN).get("/staff/users/").content.decode()
    for username in ("technician", "teacher", "student", "parent", "site-librarian"):
        assert f">{username}<" in body
    assert "district-admin" not in body


def test_site_librarian_may_not_add_a_site_librarian(client_as):
    data = NEW_ACCOUNT | {"username": "otherlib", "role": "site_librarian"}
    response = client_as(Role.SITE_LIBRARIAN).post("/staff/users/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="otherlib").exists()


def test_site_librarian_may_not_add_an_account_at_another_site(client_as):
    data = NEW_ACCOUNT | {"username": "southtech", "sites": ["SES"]}
    response = client_as(Role.SITE_LIBRARIAN).post("/staff/users/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["sites"]
    assert not User.objects.filter(username="southtech").exists()


def test_site_librarian_is_offered_only_roles_and_sites_they_may_assign(client_as):
    form = client_as(Role.SITE_LIBRARIAN).get("/staff/users/new/").context["form"]
    roles = {value for value, _ in form.fields["role"].choices}
    assert roles == {"technician", "student_helper", "teacher", "student", "parent"}
    assert [value for value, _ in form.fields["sites"].choices] == ["NES"]


def test_site_librarian_adds_a_technician_at_their_site(client_as):
    response = client_as(Role.SITE_LIBRARIAN).post("/staff/users/new/", NEW_ACCOUNT)
    assert response.status_code == 302
    account = User.objects.get(username="newtech")
    assert account.role == "technician"
    assert [s.code for s in account.sites.all()] == ["NES"]
    assert account.check_password(PASSWORD) is False
    assert account.check_password("a-long-enough-passphrase")


def test_technician_adds_a_location_at_their_site(client_as):
    client_as(Role.TECHNICIAN).post("/staff/sites/NES/locations/", NEW_LOCATION)
    assert Location.objects.filter(site__code="NES", code="EASY").exists()


def test_a_student_is_turned_away_kindly(client_as):
    response = client_as(Role.STUDENT).get("/staff/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "The staff side is for library staff" in body
    assert "Log out" in body
