"""The staff screens as a district admin (and others) use them: forms, errors, htmx, the log."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from tests.conftest import PASSWORD, T0

from octavo.accounts.models import User
from octavo.accounts.services import update_user
from octavo.audit.models import AuditEntry
from octavo.district.models import Location, OpeningHours, Site
from octavo.district.services import update_site
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

MAPLE = {
    "code": "mes",
    "name": "Maple Elementary",
    "address": "12 Maple Street",
    "time_zone": "America/Chicago",
    # Monday 08:00-11:30 and 12:30-15:00; Wednesday 09:00-14:00; the rest closed.
    "hours_0_1_opens": "08:00",
    "hours_0_1_closes": "11:30",
    "hours_0_2_opens": "12:30",
    "hours_0_2_closes": "15:00",
    "hours_2_1_opens": "09:00",
    "hours_2_1_closes": "14:00",
}


def errors_of(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


# --- sites ------------------------------------------------------------------------------------


def test_admin_adds_a_site_with_opening_hours_and_sees_it_listed(client_as):
    client = client_as(Role.DISTRICT_ADMIN)
    response = client.post("/staff/sites/new/", MAPLE)
    assert response.status_code == 302
    assert response["Location"] == "/staff/sites/MES/"
    site = Site.objects.get(code="MES")
    assert (site.name, site.address, site.time_zone) == (
        "Maple Elementary",
        "12 Maple Street",
        "America/Chicago",
    )
    hours = [(h.weekday, h.opens, h.closes) for h in OpeningHours.objects.filter(site=site)]
    assert hours == [
        (0, time(8), time(11, 30)),
        (0, time(12, 30), time(15)),
        (2, time(9), time(14)),
    ]
    detail = client.get("/staff/sites/MES/")
    assert "Site MES added." in detail.content.decode()
    assert detail.context["form"]["hours_0_2_opens"].value() == time(12, 30)
    listing = client.get("/staff/sites/").content.decode()
    assert "Maple Elementary" in listing


def test_duplicate_site_code_is_shown_on_the_code_field_and_nothing_is_written(client_as):
    sites, entries = Site.objects.count(), AuditEntry.objects.count()
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/sites/new/", MAPLE | {"code": "nes"})
    assert response.status_code == 200
    assert "A site with code NES already exists" in errors_of(response, "code")
    assert (Site.objects.count(), AuditEntry.objects.count()) == (sites, entries)


def test_unknown_time_zone_is_shown_on_the_time_zone_field(client_as):
    response = client_as(Role.DISTRICT_ADMIN).post(
        "/staff/sites/new/", MAPLE | {"time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 200
    assert "not a known IANA time zone" in errors_of(response, "time_zone")
    assert not Site.objects.filter(code="MES").exists()


def test_invalid_code_is_shown_on_the_code_field(client_as):
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/sites/new/", MAPLE | {"code": "M E S"})
    assert "not a valid code" in errors_of(response, "code")


def test_an_opening_time_without_a_closing_time_is_refused_on_that_field(client_as):
    data = MAPLE | {"hours_4_1_opens": "08:00"}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/sites/new/", data)
    assert response.status_code == 200
    assert "closing time" in errors_of(response, "hours_4_1_closes")
    assert not Site.objects.filter(code="MES").exists()


def test_overlapping_periods_are_explained_above_the_form(client_as):
    data = MAPLE | {"hours_0_2_opens": "11:00"}  # 11:00-15:00 overlaps 08:00-11:30
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/sites/new/", data)
    assert response.status_code == 200
    assert "Monday: open periods overlap" in " ".join(response.context["form"].non_field_errors())
    assert "Monday: open periods overlap" in response.content.decode()


def test_site_librarian_renames_their_site_and_an_unticked_box_deactivates_it(client_as):
    client = client_as(Role.SITE_LIBRARIAN)
    response = client.post(
        "/staff/sites/NES/",
        {"name": "North Elementary School", "address": "", "time_zone": "America/Los_Angeles"},
    )
    assert response.status_code == 302
    site = Site.objects.get(code="NES")
    assert site.name == "North Elementary School"
    assert site.is_active is False  # the unticked box deactivates it


# --- locations --------------------------------------------------------------------------------


def test_adding_a_location_with_htmx_returns_the_list_not_a_whole_page(client_as):
    response = client_as(Role.TECHNICIAN).post(
        "/staff/sites/NES/locations/",
        {"code": "fic", "name": "Fiction"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="locations-panel">')
    assert "<td>FIC</td>" in body
    assert "Location FIC added." in body
    assert response.context["form"]["code"].value() in (None, "")  # a fresh form
    assert Location.objects.filter(site__code="NES", code="FIC").exists()


def test_htmx_location_errors_come_back_in_the_panel(client_as, locations):
    response = client_as(Role.TECHNICIAN).post(
        "/staff/sites/NES/locations/",
        {"code": "FIC", "name": "Fiction again"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "NES already has a location FIC" in errors_of(response, "code")


def test_adding_a_location_without_javascript_redirects_to_the_list(client_as):
    client = client_as(Role.TECHNICIAN)
    response = client.post("/staff/sites/NES/locations/", {"code": "REF", "name": "Reference"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<html" in page
    assert "Location REF added." in page
    assert "<td>Reference</td>" in page


def test_a_location_is_renamed_and_marked_inactive(client_as, locations):
    location = locations["NES"]
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/locations/{location.id}/edit/", {"name": "Fiction A-Z"}
    )
    assert response.status_code == 302
    location.refresh_from_db()
    assert (location.name, location.is_active) == ("Fiction A-Z", False)


def test_an_unknown_location_is_404(client_as):
    assert client_as(Role.DISTRICT_ADMIN).get("/staff/locations/999999/edit/").status_code == 404


# --- accounts ---------------------------------------------------------------------------------

NEW_TEACHER = {
    "username": "mgarcia",
    "first_name": "María",
    "last_name": "García",
    "email": "mgarcia@example.org",
    "role": "teacher",
    "sites": ["NES", "SES"],
}


@pytest.mark.parametrize("weak", ["password123", "short-pass", "12345678901234"])
def test_a_weak_password_is_shown_on_the_password_field_and_no_account_is_made(client_as, weak):
    data = NEW_TEACHER | {"password": weak, "password_again": weak}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/new/", data)
    assert response.status_code == 200
    assert "Password too weak" in errors_of(response, "password")
    assert not User.objects.filter(username="mgarcia").exists()


def test_mismatched_passwords_are_refused_before_anything_is_written(client_as):
    data = NEW_TEACHER | {"password": PASSWORD, "password_again": PASSWORD + "x"}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/new/", data)
    assert "differ" in errors_of(response, "password_again")
    assert not User.objects.filter(username="mgarcia").exists()


def test_admin_adds_a_teacher_at_two_sites(client_as):
    data = NEW_TEACHER | {"password": PASSWORD, "password_again": PASSWORD}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/new/", data)
    assert response.status_code == 302
    account = User.objects.get(username="mgarcia")
    assert (account.role, account.get_full_name()) == ("teacher", "María García")
    assert sorted(s.code for s in account.sites.all()) == ["NES", "SES"]
    assert account.check_password(PASSWORD)


def test_a_taken_username_is_shown_on_the_username_field(client_as):
    data = NEW_TEACHER | {"username": "Teacher"}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/new/", data)
    assert "is taken" in errors_of(response, "username")


def test_admin_changes_a_role_sites_and_password_in_one_form(client_as):
    client = client_as(Role.DISTRICT_ADMIN)
    form = {
        "first_name": "Terry",
        "last_name": "",
        "email": "",
        "role": "technician",
        "sites": ["SES"],
        "is_active": "on",
        "new_password": "a-brand-new-passphrase",
        "new_password_again": "a-brand-new-passphrase",
    }
    assert client.post("/staff/users/teacher/", form).status_code == 302
    account = User.objects.get(username="teacher")
    assert account.role == "technician"
    assert [s.code for s in account.sites.all()] == ["SES"]
    assert account.check_password("a-brand-new-passphrase")


def test_a_weak_new_password_saves_none_of_the_form(client_as):
    form = {
        "first_name": "Changed",
        "role": "teacher",
        "sites": ["NES"],
        "is_active": "on",
        "new_password": "short",
        "new_password_again": "short",
    }
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/teacher/", form)
    assert response.status_code == 200
    assert "Password too weak" in errors_of(response, "new_password")
    account = User.objects.get(username="teacher")
    assert account.first_name == ""
    assert account.check_password(PASSWORD)


def test_an_admin_cannot_demote_themselves(client_as):
    form = {"role": "teacher", "sites": ["NES"], "is_active": "on"}
    response = client_as(Role.DISTRICT_ADMIN).post("/staff/users/district-admin/", form)
    assert response.status_code == 200
    assert "cannot change your own role" in errors_of(response, "role")
    assert User.objects.get(username="district-admin").role == "district_admin"


# --- the audit log ----------------------------------------------------------------------------


def audit_rows(client, query=""):
    response = client.get(f"/staff/audit/{query}")
    assert response.status_code == 200
    return response, response.context["rows"]


def test_every_change_on_the_staff_screens_shows_in_the_audit_log(client_as):
    client = client_as(Role.DISTRICT_ADMIN)
    client.post("/staff/sites/new/", MAPLE)
    client.post(
        "/staff/sites/MES/",
        MAPLE
        | {"name": "Maple Leaf Elementary", "is_active": "on", "hours_2_1_opens": ""}
        | {"hours_2_1_closes": ""},
    )
    client.post("/staff/sites/MES/locations/", {"code": "EASY", "name": "Easy"})
    location = Location.objects.get(site__code="MES", code="EASY")
    client.post(f"/staff/locations/{location.id}/edit/", {"name": "Easy readers"})
    client.post(
        "/staff/users/new/",
        NEW_TEACHER | {"password": PASSWORD, "password_again": PASSWORD},
    )
    client.post(
        "/staff/users/mgarcia/",
        NEW_TEACHER
        | {"role": "technician", "is_active": "on", "new_password": "x" * 20}
        | {"new_password_again": "x" * 20},
    )
    response, rows = audit_rows(client, "?actor=district-admin")
    body = response.content.decode()
    assert [r["entry"].action for r in rows] == [
        "user.password",
        "user.update",
        "user.create",
        "location.update",
        "location.create",
        "site.update",
        "site.create",
    ]
    assert all(r["entry"].source == "staff" for r in rows)
    changes = {r["entry"].action: r["changes"] for r in rows}
    assert ("Name", "Maple Elementary", "Maple Leaf Elementary") in changes["site.update"]
    assert (
        "Opening hours",
        "Mon 08:00-11:30, Mon 12:30-15:00, Wed 09:00-14:00",
        ("Mon 08:00-11:30, Mon 12:30-15:00"),
    ) in changes["site.update"]
    assert ("Name", "Easy", "Easy readers") in changes["location.update"]
    assert ("Active", "yes", "no") in changes["location.update"]
    assert changes["user.update"] == [("Role", "Teacher", "Library technician")]
    created = next(r for r in rows if r["entry"].action == "location.create")
    assert created["created"]
    assert created["changes"] == [
        ("Code", "—", "EASY"),
        ("Active", "—", "yes"),
        ("Name", "—", "Easy"),
    ]
    for text in ("Site changed", "Maple Leaf Elementary", "Location changed", "Account added"):
        assert text in body
    assert "x" * 20 not in body  # a password is never shown, only that it changed


def test_the_audit_log_filters_by_person_kind_action_site_and_dates(client_as, district):
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    later = T0 + timedelta(days=10)
    update_site(actor=admin, code="SES", changes={"name": "South Elem."}, at=later)
    update_user(actor=admin, username="teacher", changes={"first_name": "T"}, at=later)
    client = client_as(Role.DISTRICT_ADMIN)

    def actions(query):
        return sorted(
            r["entry"].action + ":" + r["entry"].object_id for r in audit_rows(client, query)[1]
        )

    assert actions("?actor=district-admin") == ["site.update:SES", "user.update:teacher"]
    assert actions("?object_type=site&action=site.update") == ["site.update:SES"]
    assert actions(f"?site={district.south.id}") == ["site.create:SES", "site.update:SES"]
    assert actions("?since=2026-09-05") == ["site.update:SES", "user.update:teacher"]
    # The fixture's changes were made on 2026-09-01 (08:00 in Los Angeles); "to" is inclusive.
    fixture_day = actions("?until=2026-09-01")
    assert len(fixture_day) == 3 + 7  # three sites and one account per role
    assert "site.update:SES" not in fixture_day
    response, rows = audit_rows(client, "?since=2026-09-10&until=2026-09-01")
    assert rows == []
    assert "before the start date" in errors_of(response, "until")


def test_the_audit_log_shows_fifty_entries_a_page_and_keeps_the_filters(client_as, district):
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    for n in range(55):
        update_user(
            actor=admin, username="teacher", changes={"first_name": f"T{n}"}, at=T0 + timedelta(n)
        )
    client = client_as(Role.DISTRICT_ADMIN)
    response, rows = audit_rows(client, "?object_type=user&action=user.update")
    assert len(rows) == 50
    assert rows[0]["entry"].changes["first_name"] == ["T53", "T54"]
    body = response.content.decode()
    next_link = re.search(r'href="([^"]*)" rel="next"', body)
    assert next_link
    _second, rows = audit_rows(client, next_link.group(1).replace("&amp;", "&"))
    assert len(rows) == 5
    assert {r["entry"].action for r in rows} == {"user.update"}


# --- logging in, out and the language ---------------------------------------------------------


def test_staff_log_in_with_their_password_and_land_on_the_home_page(client, district):
    response = client.post("/staff/login/", {"username": "technician", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    home = client.get("/staff/").content.decode()
    assert "Library technician" in home
    assert "NES North Elementary" in home
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_a_wrong_password_shows_an_error_on_the_login_page(client, district):
    response = client.post("/staff/login/", {"username": "technician", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_ten_failed_logins_from_one_address_lock_it_out_even_with_the_right_password(
    client, district
):
    wrong = {"username": "district-admin", "password": "not-the-password"}
    for attempt in range(1, 10):
        assert client.post("/staff/login/", wrong).status_code == 200, attempt
    tenth = client.post("/staff/login/", wrong)
    assert tenth.status_code == 429
    assert "Too many failed logins" in tenth.content.decode()
    assert "Please wait 10 minutes" in tenth.content.decode()
    right = {"username": "district-admin", "password": PASSWORD}
    assert client.post("/staff/login/", right).status_code == 429
    assert client.get("/staff/").status_code == 302  # still not logged in
    # Another computer is not affected.
    other = client.post("/staff/login/", right, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_switching_to_spanish_shows_the_staff_side_in_spanish_and_sticks(client_as):
    client = client_as(Role.DISTRICT_ADMIN)
    assert "Sites" in client.get("/staff/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/staff/"})
    assert response.status_code == 302
    assert response.cookies["octavo_language"].value == "es"
    body = client.get("/staff/").content.decode()
    assert '<html lang="es">' in body
    for spanish in (
        "Sedes",
        "Cerrar sesión",
        "Registro de auditoría",
        "Administrador(a) del distrito",
    ):
        assert spanish in body
    assert "Log out" not in body
    assert "Sedes" in client.get("/staff/sites/").content.decode()


def test_service_errors_keep_their_detail_under_translated_words(client_as):
    client = client_as(Role.DISTRICT_ADMIN)
    client.post("/i18n/setlang/", {"language": "es", "next": "/staff/"})
    response = client.post("/staff/sites/new/", MAPLE | {"code": "NES"})
    assert errors_of(response, "code") == "Ya está en uso: A site with code NES already exists"
