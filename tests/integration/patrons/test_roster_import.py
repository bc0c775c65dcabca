"""Importing OneRoster 1.1 CSV rosters: the diff, applying it, running it again, leavers and
every kind of bad line, on small invented rosters."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.conftest import T0
from tests.integration.patrons.oneroster_files import (
    USERS,
    csv_text,
    enrollment,
    homeroom,
    org,
    user,
    write_roster,
    zip_roster,
)

from octavo.audit.models import AuditEntry
from octavo.patrons.errors import RosterUnreadable
from octavo.patrons.models import Guardian, Patron
from octavo.patrons.roster import import_roster
from octavo.patrons.services import GuardianFields, PatronFields, add_guardian, create_patron
from octavo.shared.actor import Role
from octavo.shared.errors import PermissionDenied

pytestmark = pytest.mark.django_db

ORGS = [
    org("dist", "Invented Unified", kind="district"),
    org("org-nes", "North Elementary", identifier="NES"),
    org("org-ses", "SES"),  # no identifier: the name is the site code
]
TEACHERS = [
    user("t-1", "Ana", "Rivera", "T100", role="teacher"),
    user("t-2", "Sam", "Okafor", "T200", role="teacher"),
]
STUDENTS = [
    user("s-1", "Lucía", "Pérez", "S1001", grades="03", agents="p-1", email="lucia@example.org"),
    user("s-2", "Ben", "Ortiz", "S1002", grades="KG"),
    user("s-3", "Mia", "Chen", "S1003", grades="05", orgs="org-ses"),
]
PARENTS = [
    user("p-1", "Rosa", "Pérez", "", role="parent", orgs="dist", email="rosa@example.org",
         phone="555-0101"),
]  # fmt: skip
CLASSES = [homeroom("hr-1", "Room 4"), homeroom("hr-2", "Room 9")]
ENROLLMENTS = [
    enrollment("e-1", "hr-1", "t-1", "teacher", primary="true"),
    enrollment("e-2", "hr-1", "s-1", "student"),
    enrollment("e-3", "hr-2", "t-2", "teacher"),
    enrollment("e-4", "hr-2", "s-2", "student"),
]


def roster(folder: Path, **changes) -> Path:
    parts = {
        "orgs": ORGS,
        "users": TEACHERS + STUDENTS + PARENTS,
        "classes": CLASSES,
        "enrollments": ENROLLMENTS,
    } | changes
    return write_roster(folder, **parts)


def run(actor, path: Path, *, dry_run: bool = False, at=T0, **kwargs):
    return import_roster(actor=actor, path=path, at=at, dry_run=dry_run, **kwargs)


def test_dry_run_lists_the_new_patrons_and_writes_nothing(district, cli_actor, tmp_path) -> None:
    report = run(cli_actor, roster(tmp_path / "r"), dry_run=True)
    assert report.counts() == {
        "new": 5, "changed": 0, "leaving": 0, "unchanged": 0, "errors": 0, "warnings": 0,
    }  # fmt: skip
    lucia = next(d for d in report.new if d.roster_id == "s-1")
    assert (lucia.barcode, lucia.name, lucia.line) == ("S1001", "Pérez, Lucía", 4)
    assert lucia.changes == {
        "site": [None, "NES"],
        "type": [None, "student"],
        "grade": [None, "3"],
        "homeroom": [None, "Rivera, Ana"],
    }
    assert not Patron.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="patron.").exists()


def test_import_makes_students_and_teachers_with_homerooms_and_guardians(
    district, cli_actor, tmp_path
) -> None:
    report = run(cli_actor, roster(tmp_path / "r"))
    assert report.counts()["new"] == 5
    lucia = Patron.objects.get(roster_id="s-1")
    assert (lucia.barcode, lucia.student_id, lucia.grade, lucia.homeroom) == (
        "S1001",
        "S1001",
        "3",
        "Rivera, Ana",
    )
    assert (lucia.patron_type.code, lucia.home_site.code, lucia.status) == (
        "student",
        "NES",
        "active",
    )
    assert lucia.last_key == "perez"
    assert Patron.objects.get(roster_id="s-2").grade == "K"
    assert Patron.objects.get(roster_id="s-2").homeroom == "Okafor, Sam"
    assert Patron.objects.get(roster_id="s-3").home_site.code == "SES"
    teacher = Patron.objects.get(roster_id="t-1")
    assert (teacher.patron_type.code, teacher.barcode, teacher.student_id) == (
        "teacher",
        "T100",
        "",
    )
    (guardian,) = lucia.guardians.all()
    assert (guardian.name, guardian.relationship, guardian.email, guardian.phone) == (
        "Rosa Pérez",
        "parent",
        "rosa@example.org",
        "555-0101",
    )
    assert guardian.roster_id == "p-1"
    assert not Patron.objects.filter(roster_id="p-1").exists()  # a parent is not a patron


def test_running_the_same_roster_again_changes_nothing(district, cli_actor, tmp_path) -> None:
    path = roster(tmp_path / "r")
    run(cli_actor, path)
    entries = AuditEntry.objects.count()
    again = run(cli_actor, path, at=T0 + timedelta(days=1))
    assert again.counts() == {
        "new": 0, "changed": 0, "leaving": 0, "unchanged": 5, "errors": 0, "warnings": 0,
    }  # fmt: skip
    assert Patron.objects.count() == 5
    assert Guardian.objects.count() == 1
    # Only the run itself is logged the second time.
    assert AuditEntry.objects.count() == entries + 1


def test_a_changed_roster_shows_each_changed_field(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    students = [
        user(
            "s-1", "Lucía", "Pérez", "S1001", grades="04", agents="p-1", email="lucia@example.org"
        ),
        *STUDENTS[1:],
    ]
    moved = [
        enrollment("e-1", "hr-1", "t-1", "teacher"),
        enrollment("e-3", "hr-2", "t-2", "teacher"),
        enrollment("e-5", "hr-2", "s-1", "student"),
        enrollment("e-4", "hr-2", "s-2", "student"),
    ]
    path = roster(tmp_path / "r2", users=TEACHERS + students + PARENTS, enrollments=moved)
    report = run(cli_actor, path, dry_run=True)
    (changed,) = report.changed
    assert changed.roster_id == "s-1"
    assert changed.changes == {
        "grade": ["3", "4"],
        "homeroom": ["Rivera, Ana", "Okafor, Sam"],
    }
    assert report.unchanged == 4
    run(cli_actor, path)
    lucia = Patron.objects.get(roster_id="s-1")
    assert (lucia.grade, lucia.homeroom) == ("4", "Okafor, Sam")
    entry = AuditEntry.objects.get(action="patron.update", object_id=str(lucia.pk))
    assert entry.changes["grade"] == ["3", "4"]
    assert entry.source == "cli"


def test_a_student_no_longer_on_the_roster_is_expired_not_deleted(
    district, cli_actor, tmp_path
) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    path = roster(tmp_path / "r2", users=TEACHERS + STUDENTS[1:] + PARENTS)
    preview = run(cli_actor, path, dry_run=True)
    (leaving,) = preview.leaving
    assert (leaving.roster_id, leaving.line) == ("s-1", 0)
    assert leaving.changes == {
        "card_expires": [None, "2026-09-01"],
        "status": ["active", "expired"],
    }
    assert Patron.objects.get(roster_id="s-1").status == "active"
    report = run(cli_actor, path)
    assert report.counts()["leaving"] == 1
    lucia = Patron.objects.get(roster_id="s-1")
    assert (lucia.status, lucia.card_expires) == ("expired", date(2026, 9, 1))
    assert lucia.guardians.count() == 1  # kept with the patron
    assert AuditEntry.objects.filter(action="patron.expire", object_id=str(lucia.pk)).exists()
    # Running it again: already expired, nothing more to do.
    assert run(cli_actor, path).counts()["leaving"] == 0


def test_a_disabled_or_tobedeleted_user_is_expired(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    students = [
        user("s-1", "Lucía", "Pérez", "S1001", grades="03", enabled="false"),
        user("s-2", "Ben", "Ortiz", "S1002", grades="KG", status="tobedeleted"),
        STUDENTS[2],
    ]
    report = run(cli_actor, roster(tmp_path / "r2", users=TEACHERS + students + PARENTS))
    assert sorted((d.roster_id, d.line) for d in report.leaving) == [("s-1", 4), ("s-2", 5)]
    assert set(Patron.objects.filter(status="expired").values_list("roster_id", flat=True)) == {
        "s-1",
        "s-2",
    }


def test_a_student_back_on_the_roster_is_active_again(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    run(cli_actor, roster(tmp_path / "r2", users=TEACHERS + STUDENTS[1:] + PARENTS))
    report = run(cli_actor, roster(tmp_path / "r3"), at=T0 + timedelta(days=30))
    (back,) = report.changed
    assert back.changes["status"] == ["expired", "active"]
    assert back.changes["card_expires"] == ["2026-09-01", None]
    assert Patron.objects.get(roster_id="s-1").status == "active"


def test_only_patrons_at_the_rosters_sites_can_be_leaving(district, cli_actor, tmp_path) -> None:
    high = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="H1", first_name="Zoe", last_name="Adams", patron_type="student",
            site_code="CHS", roster_id="hs-1", grade="9",
        ),
        at=T0,
    )  # fmt: skip
    report = run(cli_actor, roster(tmp_path / "r"))
    assert report.leaving == []
    high.refresh_from_db()
    assert high.status == "active"


def test_a_patron_added_by_hand_is_matched_by_student_id(district, cli_actor, tmp_path) -> None:
    patron = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="S1001", first_name="Lucia", last_name="Perez", patron_type="student",
            site_code="NES", student_id="S1001", grade="3",
        ),
        at=T0,
    )  # fmt: skip
    add_guardian(
        actor=cli_actor,
        patron_id=patron.pk,
        fields=GuardianFields(name="Tío Marco", relationship="uncle"),
        at=T0,
    )
    report = run(cli_actor, roster(tmp_path / "r"))
    (changed,) = report.changed
    assert changed.patron_id == patron.pk
    assert changed.changes["roster_id"] == ["", "s-1"]
    assert changed.changes["first_name"] == ["Lucia", "Lucía"]
    assert changed.changes["guardians"] == [[], ["Rosa Pérez (parent)"]]
    patron.refresh_from_db()
    assert (patron.roster_id, patron.first_name, patron.first_key) == ("s-1", "Lucía", "lucia")
    # The guardian added by hand stays beside the roster's.
    assert sorted(patron.guardians.values_list("name", flat=True)) == ["Rosa Pérez", "Tío Marco"]
    assert Patron.objects.count() == 5


def test_a_guardian_who_leaves_the_roster_is_removed_but_not_one_added_by_hand(
    district, cli_actor, tmp_path
) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    lucia = Patron.objects.get(roster_id="s-1")
    add_guardian(
        actor=cli_actor, patron_id=lucia.pk, fields=GuardianFields(name="Tío Marco"), at=T0
    )
    students = [user("s-1", "Lucía", "Pérez", "S1001", grades="03"), *STUDENTS[1:]]
    report = run(cli_actor, roster(tmp_path / "r2", users=TEACHERS + students))
    (changed,) = report.changed
    assert changed.changes["guardians"] == [["Rosa Pérez (parent)"], []]
    assert list(lucia.guardians.values_list("name", flat=True)) == ["Tío Marco"]


def test_a_guardians_new_phone_is_a_change_kept_out_of_the_log(
    district, cli_actor, tmp_path
) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    parents = [{**PARENTS[0], "phone": "555-0199"}]
    report = run(cli_actor, roster(tmp_path / "r2", users=TEACHERS + STUDENTS + parents))
    (changed,) = report.changed
    assert changed.changes == {"guardian_contacts": ["(old)", "(new)"]}
    assert Guardian.objects.get(roster_id="p-1").phone == "555-0199"
    entry = AuditEntry.objects.get(action="patron.update")
    assert "555-0199" not in str(entry.changes)


def test_unknown_orgs_are_errors_naming_file_and_line(district, cli_actor, tmp_path) -> None:
    orgs = [*ORGS, org("org-x", "Hilltop Middle", identifier="HMS")]
    users = [
        *TEACHERS,
        user("s-7", "Ivy", "Nakamura", "S1007", grades="07", orgs="org-x"),
        user("s-8", "Omar", "Haddad", "S1008", grades="07", orgs="org-gone"),
        *STUDENTS,
    ]
    report = run(cli_actor, roster(tmp_path / "r", orgs=orgs, users=users))
    messages = [str(e) for e in report.errors]
    assert messages == [
        "orgs.csv line 5: school 'Hilltop Middle' (identifier 'HMS') matches no site: "
        "its identifier or name must be a site code",
        "users.csv line 4: org 'org-x' (orgs.csv line 5) is no site",
        "users.csv line 5: org 'org-gone' is not in orgs.csv",
    ]
    assert report.counts()["new"] == 5  # the good lines still apply
    assert not Patron.objects.filter(roster_id__in=["s-7", "s-8"]).exists()


def test_bad_lines_are_reported_by_file_and_line_and_the_rest_applies(
    district, cli_actor, tmp_path
) -> None:
    users = [
        *TEACHERS,
        user("", "No", "Id", "S2001", grades="02"),
        user("s-1", "Lucía", "Pérez", "S1001", grades="03"),
        user("s-1", "Lucy", "Perez", "S9001", grades="03"),
        user("s-4", "Eli", "Brooks", "S1004", grades="14"),
        user("s-5", "Noa", "Levi", "S1005", grades="02", dateLastModified="last tuesday"),
        user("s-6", "Kai", "Moana", "", grades="02"),
        user("s-7", "Ada", "Byron", "S1002", grades="02"),
        user("s-8", "Tom", "Reed", "S1008", grades="02", email="tom at example"),
        user("s-2", "Ben", "Ortiz", "S1002", grades="KG"),
        STUDENTS[2],
    ]
    enrollments = [*ENROLLMENTS, enrollment("e-9", "hr-1", "s-2", "student", endDate="2026-13-01")]
    report = run(cli_actor, roster(tmp_path / "r", users=users, enrollments=enrollments))
    assert [str(e) for e in report.errors] == [
        "enrollments.csv line 6: '2026-13-01' is not a date (YYYY-MM-DD)",
        "users.csv line 4: sourcedId is blank",
        "users.csv line 6: sourcedId 's-1' is also on line 5: neither line is used",
        "users.csv line 7: grades '14': '14' is not a grade: use PK, TK, K or 1 to 12",
        "users.csv line 8: dateLastModified 'last tuesday' is not an ISO 8601 date",
        "users.csv line 9: identifier (the card barcode) is blank",
        "users.csv line 11: email: 'tom at example' is not an e-mail address",
        "users.csv line 12: identifier 'S1002' is also on line 10: neither line is used",
    ]
    assert set(Patron.objects.values_list("roster_id", flat=True)) == {"t-1", "t-2", "s-3"}


def test_a_line_with_a_problem_keeps_its_patron_from_leaving(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    students = [user("s-1", "Lucía", "Pérez", "S1001", grades="3rd"), *STUDENTS[1:]]
    report = run(cli_actor, roster(tmp_path / "r2", users=TEACHERS + students + PARENTS))
    assert [e.line for e in report.errors] == [4]
    assert report.leaving == []
    assert Patron.objects.get(roster_id="s-1").status == "active"
    # Corrected at the source, the next run picks the line up.
    fixed = [user("s-1", "Lucía", "Pérez", "S1001", grades="4", agents="p-1",
                  email="lucia@example.org"), *STUDENTS[1:]]  # fmt: skip
    again = run(cli_actor, roster(tmp_path / "r3", users=TEACHERS + fixed + PARENTS))
    assert [d.changes for d in again.changed] == [{"grade": ["3", "4"]}]


def test_a_bom_latin_1_and_semicolons_are_read_and_each_reported(
    district, cli_actor, tmp_path
) -> None:
    path = roster(tmp_path / "r")
    users = csv_text(TEACHERS + STUDENTS + PARENTS, USERS, delimiter=";")
    (path / "users.csv").write_bytes(users.encode("cp1252"))
    orgs = (path / "orgs.csv").read_bytes()
    (path / "orgs.csv").write_bytes(b"\xef\xbb\xbf" + orgs)
    report = run(cli_actor, path)
    assert [str(w) for w in report.warnings] == [
        "orgs.csv line 1: starts with a byte order mark (BOM): ignored, as OneRoster allows",
        "users.csv line 1: is separated by semicolons, not commas: read with semicolons",
        "users.csv line 4: is not UTF-8: read as Latin-1 (Windows-1252); check the accented "
        "letters",
        "users.csv line 7: is not UTF-8: read as Latin-1 (Windows-1252); check the accented "
        "letters",
    ]
    assert report.errors == []
    assert Patron.objects.get(roster_id="s-1").first_name == "Lucía"


def test_formula_looking_cells_are_stored_as_text_and_reported(
    district, cli_actor, tmp_path
) -> None:
    students = [user("s-1", '=HYPERLINK("x")', "@Pérez", "S1001", grades="03"), *STUDENTS[1:]]
    report = run(cli_actor, roster(tmp_path / "r", users=TEACHERS + students))
    assert [str(w) for w in report.warnings] == [
        "users.csv line 4: familyName '@Pérez' looks like a spreadsheet formula: kept as text",
        "users.csv line 4: givenName '=HYPERLINK(\"x\")' looks like a spreadsheet formula: "
        "kept as text",
    ]
    patron = Patron.objects.get(roster_id="s-1")
    assert (patron.first_name, patron.last_name) == ('=HYPERLINK("x")', "@Pérez")


def test_a_zip_imports_like_a_folder(district, cli_actor, tmp_path) -> None:
    path = zip_roster(roster(tmp_path / "r"), tmp_path / "roster.zip")
    assert run(cli_actor, path).counts()["new"] == 5


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "manifest.csv").unlink(), "manifest.csv: missing"),
        (
            lambda p: (p / "manifest.csv").write_text(
                "propertyName,value\noneroster.version,1.2\n"
            ),
            "manifest.csv: oneroster.version is '1.2': Octavo reads OneRoster 1.1 CSV",
        ),
        (lambda p: (p / "users.csv").unlink(), "users.csv: the manifest lists users.csv"),
        (
            lambda p: (p / "users.csv").write_text("sourcedId,role\nu1,student\n"),
            "users.csv: line 1: has no orgSourcedIds, givenName, familyName, identifier column",
        ),
    ],
)
def test_a_roster_that_cannot_be_read_imports_nothing(
    district, cli_actor, tmp_path, damage, message
) -> None:
    path = roster(tmp_path / "r")
    damage(path)
    with pytest.raises(RosterUnreadable) as err:
        run(cli_actor, path)
    assert str(err.value).startswith(message)
    assert not Patron.objects.exists()


def test_a_delta_users_file_takes_nobody_absent_as_leaving(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    delta = [user("s-2", "Ben", "Ortiz", "S1002", grades="01")]
    path = roster(
        tmp_path / "r2",
        users=delta,
        classes=[],
        enrollments=[],
        modes={"users": "delta", "classes": "absent", "enrollments": "absent"},
    )
    (path / "classes.csv").unlink()
    (path / "enrollments.csv").unlink()
    report = run(cli_actor, path)
    assert report.leaving == []
    assert [(d.roster_id, d.changes) for d in report.changed] == [("s-2", {"grade": ["K", "1"]})]
    assert Patron.objects.get(roster_id="s-2").homeroom == "Okafor, Sam"  # not in this roster


def test_a_barcode_held_by_another_patron_is_an_error(district, cli_actor, tmp_path) -> None:
    create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="S1002", first_name="Pat", last_name="Visitor", patron_type="community",
            site_code="NES",
        ),
        at=T0,
    )  # fmt: skip
    report = run(cli_actor, roster(tmp_path / "r"))
    assert [str(e) for e in report.errors] == [
        "users.csv line 5: barcode S1002 is already patron S1002's (Visitor, Pat)"
    ]
    assert report.counts()["new"] == 4


def test_a_site_librarian_imports_people_at_own_sites_only(district, tmp_path) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()  # works at NES
    report = run(librarian, roster(tmp_path / "r"))
    assert "orgs.csv line 4: site SES: patron.edit is limited to the sites" in str(report.errors[0])
    assert set(Patron.objects.values_list("roster_id", flat=True)) == {"t-1", "t-2", "s-1", "s-2"}
    with pytest.raises(PermissionDenied):
        run(district.users[Role.STUDENT_HELPER].actor(), roster(tmp_path / "r"))


def test_small_batches_give_the_same_result(district, cli_actor, tmp_path) -> None:
    report = run(cli_actor, roster(tmp_path / "r"), batch_size=2)
    assert report.counts()["new"] == 5
    assert Patron.objects.count() == 5
    assert Guardian.objects.count() == 1


def test_homerooms_are_left_alone_when_no_class_is_a_homeroom(
    district, cli_actor, tmp_path
) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    scheduled = [{**c, "classType": "scheduled"} for c in CLASSES]
    report = run(cli_actor, roster(tmp_path / "r2", classes=scheduled))
    assert report.changed == []
    assert [str(w) for w in report.warnings] == [
        "classes.csv: no class has classType homeroom: homerooms are left as they are"
    ]


def test_an_ended_homeroom_enrollment_no_longer_counts(district, cli_actor, tmp_path) -> None:
    ended = [
        ENROLLMENTS[0],
        enrollment("e-2", "hr-1", "s-1", "student", endDate="2026-06-15"),
        *ENROLLMENTS[2:],
    ]
    run(cli_actor, roster(tmp_path / "r", enrollments=ended))
    assert Patron.objects.get(roster_id="s-1").homeroom == ""


def test_the_import_is_logged_with_its_counts(district, cli_actor, tmp_path) -> None:
    run(cli_actor, roster(tmp_path / "r"))
    entry = AuditEntry.objects.get(action="patron.roster_import")
    assert entry.changes["new"] == [None, 5]
    assert AuditEntry.objects.filter(action="patron.create").count() == 5


def test_a_line_without_an_identifier_shields_no_one_else_from_leaving(
    district, cli_actor, tmp_path
) -> None:
    run(cli_actor, roster(tmp_path / "r1"))
    users = [TEACHERS[0], user("s-9", "Kai", "Moana", "", grades="02"), *STUDENTS, *PARENTS]
    report = run(cli_actor, roster(tmp_path / "r2", users=users))
    assert [str(e) for e in report.errors] == [
        "users.csv line 3: identifier (the card barcode) is blank"
    ]
    assert [d.roster_id for d in report.leaving] == ["t-2"]  # no student ID, still leaving


def test_a_barcode_taken_meanwhile_is_reported_and_the_rest_of_the_batch_applies(
    district, cli_actor, tmp_path, monkeypatch
) -> None:
    import octavo.patrons.roster as roster_module

    create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="S1002", first_name="Pat", last_name="Visitor", patron_type="community",
            site_code="NES",
        ),
        at=T0,
    )  # fmt: skip
    # As if another desk had given S1002 away after the batch was read: the insert fails.
    real_index = roster_module._index
    monkeypatch.setattr(
        roster_module, "_index", lambda patrons, **kw: real_index(patrons.none(), **kw)
    )
    report = run(cli_actor, roster(tmp_path / "r"))
    assert [str(e) for e in report.errors] == [
        "users.csv line 5: barcode or student ID was taken meanwhile: run again"
    ]
    assert report.counts()["new"] == 4
    assert Patron.objects.count() == 5
    assert not Patron.objects.filter(roster_id="s-2").exists()
