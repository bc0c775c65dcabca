"""The year-end rollover: grades move up once a year, grade 12 leaves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.patrons.models import Patron
from octavo.patrons.rollover import rollover
from octavo.patrons.services import PatronFields, block_patron, create_patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db
JUNE = T0.replace(month=6, day=20)


@pytest.fixture
def students(district, cli_actor) -> dict[str, Patron]:
    made = {}
    for barcode, grade, site, kind in [
        ("K1", "K", "NES", "student"),
        ("G5", "5", "NES", "student"),
        ("G11", "11", "CHS", "student"),
        ("G12", "12", "CHS", "student"),
        ("NOGRADE", "", "CHS", "student"),
        ("TEACH", "", "CHS", "teacher"),
    ]:
        made[barcode] = create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=barcode, first_name="Invented", last_name=barcode, patron_type=kind,
                site_code=site, grade=grade, homeroom="Rivera, Ana" if grade else "",
            ),
            at=T0,
        )  # fmt: skip
    return made


def grades() -> dict[str, tuple[str, str]]:
    return {p.barcode: (p.grade, p.status) for p in Patron.objects.all()}


def test_students_move_up_a_grade_and_twelfth_graders_leave(students, cli_actor) -> None:
    report = rollover(actor=cli_actor, at=JUNE)
    assert report.counts() == {"sites": 3, "moved_up": 3, "expired": 1, "done_before": 0}
    assert grades() == {
        "K1": ("1", "active"),
        "G5": ("6", "active"),
        "G11": ("12", "active"),
        "G12": ("12", "expired"),
        "NOGRADE": ("", "active"),
        "TEACH": ("", "active"),
    }
    leaver = Patron.objects.get(barcode="G12")
    assert leaver.card_expires == date(2026, 6, 20)
    assert Patron.objects.get(barcode="G5").homeroom == ""  # last year's teacher
    assert AuditEntry.objects.filter(action="patron.expire", object_id=str(leaver.pk)).exists()
    assert AuditEntry.objects.filter(action="patron.rollover").count() == 3


def test_a_second_rollover_in_the_same_year_moves_nobody(students, cli_actor) -> None:
    rollover(actor=cli_actor, at=JUNE)
    again = rollover(actor=cli_actor, at=JUNE + timedelta(days=60))
    assert again.counts() == {"sites": 0, "moved_up": 0, "expired": 0, "done_before": 3}
    assert Patron.objects.get(barcode="K1").grade == "1"
    next_year = rollover(actor=cli_actor, at=JUNE.replace(year=2027))
    assert next_year.counts()["moved_up"] == 2  # G11 is 12 now and leaves
    assert Patron.objects.get(barcode="K1").grade == "2"


def test_a_dry_run_counts_and_changes_nothing(students, cli_actor) -> None:
    before = grades()
    report = rollover(actor=cli_actor, at=JUNE, dry_run=True)
    assert report.counts() == {"sites": 3, "moved_up": 3, "expired": 1, "done_before": 0}
    assert grades() == before
    assert not AuditEntry.objects.filter(action="patron.rollover").exists()


def test_a_blocked_student_moves_up_too(students, cli_actor) -> None:
    block_patron(actor=cli_actor, patron_id=students["G5"].pk, note="lost books", at=T0)
    rollover(actor=cli_actor, at=JUNE)
    assert grades()["G5"] == ("6", "blocked")


def test_a_librarian_rolls_over_own_site_only(students, district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()  # works at NES
    report = rollover(actor=librarian, at=JUNE)
    assert [s.site_code for s in report.sites] == ["NES"]
    assert grades()["G11"] == ("11", "active")
