"""The policy screens: the matrix, the "what applies?" explainer, adding/changing/deleting rows,
types, and a site's closed days; every role against every URL."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.district.models import ClosedDay
from octavo.district.services import add_closed_days
from octavo.holdings.models import MaterialType
from octavo.policy.models import PolicyRule
from octavo.policy.services import create_rule
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

WHO = [
    None,
    Role.STUDENT,
    Role.PARENT,
    Role.STUDENT_HELPER,
    Role.TEACHER,
    Role.TECHNICIAN,
    Role.SITE_LIBRARIAN,
    Role.DISTRICT_ADMIN,
]
ROW = {
    "loan_days": "7",
    "loan_hours": "0",
    "max_items": "3",
    "renewals": "1",
    "fine_per_day": "0.10",
    "fine_cap": "",
    "grace_days": "0",
    "hold_limit": "2",
    "hold_shelf_days": "5",
    "lost_after_days": "",
    "processing_fee": "0.00",
    "max_balance": "5.00",
    "max_overdues": "2",
}
BODIES = {
    "finefree": {"fine_free": "on"},
    "row-nes": {"site": "NES", "patron_type": "student", "material_type": "", **ROW},
    "row-ses": {"site": "SES", "patron_type": "student", "material_type": "", **ROW},
    "row-any": {"site": "", "patron_type": "teacher", "material_type": "", **ROW},
    "values": ROW,
    "ptype": {"kind": "patron", "patron-code": "visitor", "patron-name": "Visitor"},
    "closed": {"first": "2026-12-21", "last": "2027-01-01", "reason": "Winter break"},
    "reopen": {"first": "2026-11-26"},
}

# 302 for anon is the log-in page; a POST that succeeds redirects (302) too.
TABLE = """
                                           anon student parent helper teacher tech lib admin
GET  /staff/policy/                         302  403     403    200    403     200  200 200
GET  /staff/policy/?site=NES&patron_type=student 302 403 403  200    403     200  200 200
GET  /staff/policy/new/                     302  403     403    403    403     403  200 200
POST /staff/policy/new/ row-nes             302  403     403    403    403     403  302 302
POST /staff/policy/new/ row-ses             302  403     403    403    403     403  200 302
POST /staff/policy/new/ row-any             302  403     403    403    403     403  200 302
GET  /staff/policy/{PNES}/                  302  403     403    200    403     200  200 200
POST /staff/policy/{PNES}/ values           302  403     403    403    403     403  302 302
POST /staff/policy/{PSES}/ values           302  403     403    403    403     403  403 302
POST /staff/policy/{PDEF}/ values           302  403     403    403    403     403  403 302
POST /staff/policy/{PNES}/delete/           302  403     403    403    403     403  302 302
POST /staff/policy/{PSES}/delete/           302  403     403    403    403     403  403 302
GET  /staff/policy/types/                   302  403     403    200    403     200  200 200
POST /staff/policy/types/ ptype             302  403     403    403    403     403  403 302
POST /staff/policy/fine-free/ finefree      302  403     403    403    403     403  403 302
GET  /staff/sites/NES/closed-days/          302  403     403    403    403     200  200 200
GET  /staff/sites/SES/closed-days/          302  403     403    403    403     403  403 200
POST /staff/sites/NES/closed-days/ closed   302  403     403    403    403     403  302 302
POST /staff/sites/SES/closed-days/ closed   302  403     403    403    403     403  403 302
POST /staff/sites/NES/closed-days/remove/ reopen 302 403 403   403    403     403  302 302
POST /staff/sites/SES/closed-days/remove/ reopen 302 403 403   403    403     403  403 302
"""


def cases():
    for line in TABLE.strip().splitlines()[1:]:
        parts = line.split()
        method, path = parts[0], parts[1]
        body = parts[2] if parts[2] in BODIES else None
        statuses = parts[3:] if body else parts[2:]
        assert len(statuses) == len(WHO), line
        for who, status in zip(WHO, statuses, strict=True):
            label = who.value if who else "anon"
            yield pytest.param(
                method, path, body, who, int(status), id=f"{label}-{method}-{path}-{body or ''}"
            )


@pytest.fixture
def rows(district, cli_actor) -> dict[str, int]:
    found = {
        f"P{code}": create_rule(
            actor=cli_actor, site=code, patron_type=None, material_type="book", values={}, at=T0
        ).pk
        for code in ("NES", "SES")
    }
    found["PDEF"] = PolicyRule.objects.get(
        site__isnull=True, patron_type__isnull=True, material_type__isnull=True
    ).pk
    for code in ("NES", "SES"):
        add_closed_days(actor=cli_actor, site_code=code, first=date(2026, 11, 26), at=T0)
    return found


@pytest.mark.parametrize(("method", "path", "body", "who", "expected"), list(cases()))
def test_policy_pages_answer_each_role_as_the_table_says(
    client_as, rows, method, path, body, who, expected
) -> None:
    for key, rule_id in rows.items():
        path = path.replace("{" + key + "}", str(rule_id))
    client = client_as(who)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, BODIES.get(body, {}) if body else {})
    assert response.status_code == expected


def test_the_matrix_shows_any_for_wildcards_most_general_first(client_as, rows) -> None:
    html = client_as(Role.TECHNICIAN).get("/staff/policy/").content.decode()
    table = html[html.index('<table id="policy"') :]
    assert table.index("District default") < table.index("NES") < table.index("SES")
    assert table.count("<em>any</em>") >= 3
    assert "Policy" in html[: html.index("<main")]  # in the navigation


def test_the_explainer_names_the_winning_row_and_the_due_date(client_as, rows, cli_actor):
    teachers = create_rule(
        actor=cli_actor,
        site=None,
        patron_type="teacher",
        material_type=None,
        values={"loan_days": 28, "fine_per_day": "0.25"},
        at=T0,
    )
    client = client_as(Role.STUDENT_HELPER)
    html = client.get(
        "/staff/policy/", {"site": "SES", "patron_type": "teacher", "material_type": "av"}
    ).content.decode()
    assert f"/staff/policy/{teachers.pk}/" in html[html.index('id="policy-explain"') :]
    explained = html[html.index('id="policy-explained"') :]
    assert "28 days" in explained
    assert "0.25" in explained
    # htmx asks for the panel alone.
    panel = client.get(
        "/staff/policy/",
        {"site": "NES", "patron_type": "student", "material_type": "book"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert panel.lstrip().startswith('<div id="policy-explain"')
    assert f"/staff/policy/{rows['PNES']}/" in panel


def test_the_explainer_warns_when_the_material_type_does_not_circulate(client_as, rows):
    html = (
        client_as(Role.TECHNICIAN)
        .get(
            "/staff/policy/",
            {"site": "NES", "patron_type": "student", "material_type": "reference"},
        )
        .content.decode()
    )
    if MaterialType.objects.get(code="reference").circulates:
        pytest.skip("reference circulates in this database")
    assert "not for loan" in html


def test_a_librarian_adds_a_row_for_their_site_and_sees_it(client_as, rows) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    response = client.post("/staff/policy/new/", BODIES["row-nes"], follow=True)
    assert "Policy row added." in response.content.decode()
    rule = PolicyRule.objects.get(site__code="NES", patron_type__code="student")
    assert (rule.loan_days, str(rule.fine_per_day), rule.fine_cap) == (7, "0.10", None)
    assert AuditEntry.objects.filter(
        action="policy.create", actor_username="site-librarian"
    ).exists()


def test_the_new_row_form_offers_a_librarian_only_their_sites(client_as, rows) -> None:
    html = client_as(Role.SITE_LIBRARIAN).get("/staff/policy/new/").content.decode()
    site_select = html[
        html.index('name="site"') : html.index("</select>", html.index('name="site"'))
    ]
    assert 'value="NES"' in site_select
    assert 'value="SES"' not in site_select
    assert 'value=""' not in site_select


def test_days_and_hours_together_are_shown_on_the_field(client_as, rows) -> None:
    body = {**BODIES["values"], "loan_hours": "3"}
    response = client_as(Role.SITE_LIBRARIAN).post(f"/staff/policy/{rows['PNES']}/", body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "not both" in html
    assert PolicyRule.objects.get(pk=rows["PNES"]).loan_hours == 0


def test_the_district_default_row_offers_no_delete_and_refuses_one(client_as, rows) -> None:
    client = client_as(Role.DISTRICT_ADMIN)
    html = client.get(f"/staff/policy/{rows['PDEF']}/").content.decode()
    assert "Delete this row" not in html
    response = client.post(f"/staff/policy/{rows['PDEF']}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert PolicyRule.objects.filter(pk=rows["PDEF"]).exists()


def test_a_technician_reads_a_row_without_a_save_button(client_as, rows) -> None:
    html = client_as(Role.TECHNICIAN).get(f"/staff/policy/{rows['PNES']}/").content.decode()
    assert "Save changes" not in html
    assert "disabled" in html


def test_winter_break_is_added_as_a_range_with_htmx(client_as, rows) -> None:
    response = client_as(Role.SITE_LIBRARIAN).post(
        "/staff/sites/NES/closed-days/", BODIES["closed"], HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="closed-days-panel"')
    assert "12 closed days added." in html
    assert "Winter break" in html
    assert ClosedDay.objects.filter(site__code="NES").count() == 13


def test_a_backwards_range_is_shown_on_the_last_day_field(client_as, rows) -> None:
    body = {"first": "2026-12-21", "last": "2026-12-01", "reason": ""}
    response = client_as(Role.SITE_LIBRARIAN).post("/staff/sites/NES/closed-days/", body)
    assert response.status_code == 200
    assert "the last day comes before the first" in response.content.decode().lower()


def test_the_site_page_links_to_its_closed_days(client_as, rows) -> None:
    html = client_as(Role.TECHNICIAN).get("/staff/sites/NES/").content.decode()
    assert "/staff/sites/NES/closed-days/" in html
    days = client_as(Role.TECHNICIAN).get("/staff/sites/NES/closed-days/").content.decode()
    assert "2026-11-26" in days
    assert "Open again" not in days  # a technician reads, the librarian changes


def test_the_policy_screens_speak_spanish(client_as, rows, settings) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get("/staff/policy/").content.decode()
    assert "Política de préstamo" in html
    assert "cualquiera" in html


def test_the_district_admin_makes_the_district_fine_free_from_the_matrix(client_as, rows) -> None:
    client = client_as(Role.DISTRICT_ADMIN)
    done = client.post("/staff/policy/fine-free/", {"fine_free": "on"}, follow=True)
    text = done.content.decode()
    assert "The district is fine-free: no overdue fines are charged." in text
    assert 'id="fine-free" name="fine_free" checked' in text
    librarian = client_as(Role.SITE_LIBRARIAN).get("/staff/policy/").content.decode()
    assert "The district is fine-free" in librarian and 'id="fine-free"' not in librarian
    client = client_as(Role.DISTRICT_ADMIN)
    off = client.post("/staff/policy/fine-free/", {}, follow=True).content.decode()
    assert "Overdue fines are charged again as each row says." in off
