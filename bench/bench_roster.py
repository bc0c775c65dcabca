"""Roster import at a large district's size: the dry-run diff of a changed roster (issue #4:
"Roster import of 50,000 students: dry-run diff under 30 s").

A OneRoster 1.1 CSV folder of BENCH_ROSTER_STUDENTS invented students (default 50,000) is
written in a temporary directory: 25 schools, a teacher and a homeroom per 25 students, three
scheduled classes per student besides the homeroom (so enrollments.csv has four rows a student,
as real exports do), and one parent per student linked by agentSourcedIds. It is imported once
into a fresh SQLite database through the service `octavo import-roster` calls. Then a changed
roster is written, as the next night's export would be: 5 % of the students a grade up, 2 % in
another homeroom, 2 % gone (leavers), 2 % new; and its dry run is timed: reading the five files,
matching every user to a patron, and computing the field-level diff. Applying that changed
roster is timed as well.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure

STUDENTS = int(os.environ.get("BENCH_ROSTER_STUDENTS", "50000"))
SCHOOLS = 25
CLASS_SIZE = 25
# Fixed for the run, so that a student keeps their homeroom from one export to the next.
ROOMS = max(1, STUDENTS // SCHOOLS // CLASS_SIZE)
SEED = 2026
TARGET_S = 30

FIRST = (
    "Ana", "Ben", "Carmen", "Dev", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jae", "Kofi", "Lucía",
    "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomás", "Uma", "Vik", "Wen",
    "Ximena", "Yusuf", "Zoë",
)  # fmt: skip
LAST = (
    "Abara", "Brandt", "Castillo", "Dube", "Eriksen", "Fong", "García", "Haddad", "Ibarra",
    "Jovanović", "Kaur", "Laine", "Moreno", "Nakamura", "Okafor", "Pérez", "Quispe", "Rossi",
    "Silva", "Tanaka", "Ueda", "Varga", "Wójcik", "Xu", "Yilmaz", "Zúñiga",
)  # fmt: skip
GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")

ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USERS = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
    "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
    "agentSourcedIds", "grades", "password",
]  # fmt: skip
CLASSES = [
    "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes",
    "periods",
]  # fmt: skip
ENROLLMENTS = [
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
    "userSourcedId", "role", "primary", "beginDate", "endDate",
]  # fmt: skip
MANIFEST = (
    "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
    "file.academicSessions,absent\nfile.categories,absent\nfile.classes,bulk\n"
    "file.classResources,absent\nfile.courses,absent\nfile.courseResources,absent\n"
    "file.demographics,absent\nfile.enrollments,bulk\nfile.lineItems,absent\nfile.orgs,bulk\n"
    "file.resources,absent\nfile.results,absent\nfile.users,bulk\n"
    "source.systemName,Invented SIS\nsource.systemCode,bench\n"
)


def _student(n: int, rng: random.Random) -> dict[str, str]:
    return {
        "id": f"stu-{n:06d}",
        "first": rng.choice(FIRST),
        "last": rng.choice(LAST),
        "grade": rng.choice(GRADES),
        "school": str(n % SCHOOLS),
        "room": str((n // SCHOOLS) % ROOMS),
    }


def _write(rows: list[list[str]], header: list[str], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _roster(folder: Path, students: list[dict[str, str]]) -> None:
    """Write the five files for these students (teachers and classes follow from them)."""
    folder.mkdir(parents=True)
    (folder / "manifest.csv").write_text(MANIFEST)
    _write(
        [["district", "", "", "Invented Unified", "district", "", ""]]
        + [
            [f"sch-{s:02d}", "", "", f"School {s}", "school", f"S{s:02d}", "district"]
            for s in range(SCHOOLS)
        ],
        ORGS,
        folder / "orgs.csv",
    )
    users: list[list[str]] = []
    classes: list[list[str]] = []
    enrollments: list[list[str]] = []
    by_school: dict[int, list[dict[str, str]]] = {}
    for student in students:
        by_school.setdefault(int(student["school"]), []).append(student)
    for school, members in sorted(by_school.items()):
        org = f"sch-{school:02d}"
        for room in range(ROOMS):
            teacher = f"tch-{school:02d}-{room:03d}"
            users.append(
                ["", "", "", "true", org, "teacher", teacher, "", FIRST[room % 26],
                 LAST[(room * 7) % 26], "", f"T{school:02d}{room:04d}", "", "", "", "", "", ""]
            )  # fmt: skip
            for kind, suffix in (("homeroom", "hr"), ("scheduled", "ma"), ("scheduled", "sc"),
                                 ("scheduled", "ar")):  # fmt: skip
                class_id = f"{suffix}-{school:02d}-{room:03d}"
                classes.append(
                    [class_id, "", "", f"{suffix.upper()} {room}", "", "course", "", kind, "",
                     org, "term-1", "", "", ""]
                )  # fmt: skip
                enrollments.append(
                    [f"en-{class_id}-t", "", "", class_id, org, teacher, "teacher", "true", "", ""]
                )
        for student in members:
            room = int(student["room"])
            sid, parent = student["id"], "par-" + student["id"][4:]
            users.append(
                ["", "", "", "true", org, "student", sid, "", student["first"], student["last"],
                 "", "N" + sid[4:], f"{sid}@students.example.org", "", "", parent,
                 student["grade"], ""]
            )  # fmt: skip
            users.append(
                ["", "", "", "true", "district", "parent", parent, "", rng_first(sid),
                 student["last"], "", "", f"{parent}@example.org", "", "555-0100", sid, "", ""]
            )  # fmt: skip
            for suffix in ("hr", "ma", "sc", "ar"):
                class_id = f"{suffix}-{school:02d}-{room:03d}"
                enrollments.append(
                    [f"en-{class_id}-{sid}", "", "", class_id, org, sid, "student", "false",
                     "", ""]
                )  # fmt: skip
    # sourcedIds (first column) for users: teacher and student ids are in `username` above.
    for row in users:
        row[0] = row[6]
    _write(users, USERS, folder / "users.csv")
    _write(classes, CLASSES, folder / "classes.csv")
    _write(enrollments, ENROLLMENTS, folder / "enrollments.csv")


def rng_first(seed: str) -> str:
    return FIRST[sum(map(ord, seed)) % len(FIRST)]


def _changed(students: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    """The next export: some up a grade, some in another homeroom, some gone, some new."""
    out = []
    for student in students:
        roll = rng.random()
        if roll < 0.02:
            continue  # left the district
        changed = dict(student)
        if roll < 0.07 and changed["grade"] != "12":
            changed["grade"] = GRADES[GRADES.index(changed["grade"]) + 1]
        elif roll < 0.09:
            changed["room"] = str((int(changed["room"]) + 1) % ROOMS)
        out.append(changed)
    base = len(students)
    out += [_student(base + n, rng) for n in range(len(students) // 50)]
    return out


def _octavo() -> list[str]:
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def run() -> list[Figure]:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{root / 'octavo.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
            }
        )
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
        students = [_student(n, rng) for n in range(STUDENTS)]
        _roster(root / "first", students)
        _roster(root / "changed", _changed(students, rng))

        import django

        django.setup()
        from octavo.district.services import create_site
        from octavo.patrons.roster import import_roster
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        for school in range(SCHOOLS):
            create_site(actor=actor, code=f"S{school:02d}", name=f"School {school}", at=now())

        started = time.perf_counter()
        first = import_roster(actor=actor, path=root / "first", at=now())
        first_s = time.perf_counter() - started
        assert first.counts()["errors"] == 0, first.errors[:5]

        started = time.perf_counter()
        preview = import_roster(actor=actor, path=root / "changed", at=now(), dry_run=True)
        dry_s = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        applied = import_roster(actor=actor, path=root / "changed", at=now())
        apply_s = time.perf_counter() - started
        assert applied.counts() == preview.counts(), (applied.counts(), preview.counts())

    c = preview.counts()
    teachers = sum(1 for d in first.new if d.changes.get("type", [None, ""])[1] == "teacher")
    size = (
        f"{STUDENTS:,} invented students, {teachers:,} teachers, {STUDENTS:,} parents, "
        f"{SCHOOLS} schools, 4 enrollments a student; SQLite"
    )
    diff = (
        f"{size}; changed roster: {c['new']:,} new, {c['changed']:,} changed, "
        f"{c['leaving']:,} leaving, {c['unchanged']:,} unchanged (target < {TARGET_S} s)"
    )
    return [
        Figure("dry-run diff of a changed roster", dry_s, "s", diff),
        Figure("first import, everyone new", first_s, "s", f"{size}; batches of 500"),
        Figure("applying the changed roster", apply_s, "s", diff.split(" (target")[0]),
        Figure(
            "peak memory of the importing process",
            rss_mb,
            "MiB",
            "max RSS after the first import and the dry run",
        ),
    ]
