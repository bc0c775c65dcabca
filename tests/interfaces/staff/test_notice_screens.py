"""The notice screens (issue #7): the log with its filters, a site's template editor with its
preview (a mistake refused at save with its line), the printable stacks by homeroom; and who
may see each."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from tests.integration.notices.world import build_school, lend, local, night

from octavo.notices.models import Notice, NoticeTemplate
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(district, cli_actor):
    """Two nights at North Elementary: courtesy notices (Ana by e-mail, Cy on the stack), then
    the first overdue ones."""
    school = build_school(district, cli_actor)
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))
    lend(school, "P3", "B3", local(date(2026, 9, 1), 8))
    night(date(2026, 9, 8))
    night(date(2026, 9, 9))
    return school


def test_the_log_shows_what_went_to_whom_and_filters_by_kind(client_as, week) -> None:
    client = client_as(Role.TECHNICIAN)
    page = client.get("/staff/notices/").content.decode()
    assert "Overdue: first notice" in page and "Courtesy: due soon" in page
    assert "ana@example.org" in page and "Frog and Toad" in page
    assert 'href="/staff/notices/"' in page and 'aria-current="page"' in page
    only = client.get("/staff/notices/", {"kind": "overdue_1", "status": "sent"})
    text = only.content.decode()
    assert "1 notice" in text and "Courtesy: due soon" not in text.split("<table")[1]


def test_a_backwards_date_range_gets_a_clear_message(client_as, week) -> None:
    response = client_as(Role.TECHNICIAN).get(
        "/staff/notices/", {"since": "2026-09-10", "until": "2026-09-08"}
    )
    assert response.status_code == 200
    assert "The last day (2026-09-08) is before the first (2026-09-10): swap them." in (
        response.content.decode()
    )
    assert "0 notices" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "log", "templates", "stacks"),
    [
        (Role.STUDENT_HELPER, 403, 403, 200),  # runs the desk; sees no addresses
        (Role.TEACHER, 403, 403, 403),
        (Role.TECHNICIAN, 200, 403, 200),
        (Role.SITE_LIBRARIAN, 200, 200, 200),
        (Role.DISTRICT_ADMIN, 200, 200, 200),
    ],
)
def test_who_may_open_each_notice_screen(client_as, district, role, log, templates, stacks):
    client = client_as(role)
    assert client.get("/staff/notices/").status_code == log
    assert client.get("/staff/notices/templates/").status_code == templates
    assert client.get("/staff/notices/print/").status_code == stacks


def test_a_template_with_a_mistake_is_refused_at_save_with_its_line(client_as, district) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    url = "/staff/notices/templates/NES/overdue_1/es/"
    shown = client.get(url).content.decode()
    assert "Estos materiales de la biblioteca de" in shown  # Octavo's own Spanish template
    assert "Preview, with invented values" in shown and "Hola, Ana:" in shown
    broken = {
        "subject": "Aviso",
        "text": "Hola, {{ patron.first_name }}:\n\n{% for item in items %}{{ item.title }}\n",
        "html": "",
        "action": "save",
    }
    page = client.post(url, broken).content.decode()
    assert "Line 3:" in page and "endfor" in page
    sneaky = broken | {"text": "Hola\n{{ patron.__class__.__mro__ }}"}
    page = client.post(url, sneaky).content.decode()
    assert "Line 2: access to attribute &#x27;__class__&#x27;" in page
    assert not NoticeTemplate.objects.exists()


def test_a_saved_template_is_the_one_the_night_uses(client_as, district, cli_actor) -> None:
    client = client_as(Role.SITE_LIBRARIAN)
    url = "/staff/notices/templates/NES/courtesy/en/"
    source = {
        "subject": "Books due soon, {{ patron.first_name }}",
        "text": "{% for item in items %}{{ item.title }}: {{ item.due }}\n{% endfor %}",
        "html": "<p>{{ items|length }} due</p>",
    }
    preview = client.post(url, source | {"action": "preview"}).content.decode()
    assert "Frog and Toad Are Friends: September 15, 2026" in preview
    assert not NoticeTemplate.objects.exists()
    response = client.post(url, source | {"action": "save"}, follow=True)
    assert "Saved as version 1." in response.content.decode()
    school = build_school(district, cli_actor)
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))
    night(date(2026, 9, 8))
    (email,) = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert email.subject == "Books due soon, Ana"
    assert email.body == "Frog and Toad: September 8, 2026\n"
    assert email.alternatives[0].content == "<p>1 due</p>"
    assert Notice.objects.get(kind="courtesy", patron=school["ana"]).template.version == 1


def test_the_printable_stack_by_homeroom_downloads_and_is_marked_printed(client_as, week):
    client = client_as(Role.TECHNICIAN)
    page = client.get("/staff/notices/print/").content.decode()
    assert "Mr. Park" in page and "2026-09-09" in page
    response = client.post(
        "/staff/notices/print/pdf/", {"site": "NES", "day": "2026-09-09", "homeroom": "Mr. Park"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="notices-NES-2026-09-09.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert Notice.objects.get(kind="overdue_1", channel="print").status == "printed"
    again = client.get("/staff/notices/print/").content.decode()
    assert "1 printed" in again
