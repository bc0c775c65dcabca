"""`octavo import-roster PATH [--dry-run] [--json]` as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.integration.patrons.oneroster_files import enrollment, homeroom, org, user, write_roster
from tests.interfaces.cli.test_octavo_command import migrated, run


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "MES", "Maple Elementary")
    return write_roster(
        tmp_path / "roster",
        orgs=[org("o1", "Maple Elementary", identifier="MES")],
        users=[
            user("t1", "Ana", "Rivera", "T100", role="teacher", orgs="o1"),
            user("s1", "Lucía", "Pérez", "S1001", grades="03", orgs="o1"),
            user("s2", "Ben", "Ortiz", "S1002", grades="99", orgs="o1"),
        ],
        classes=[homeroom("h1", "Room 4", school="o1")],
        enrollments=[
            enrollment("e1", "h1", "t1", "teacher", school="o1"),
            enrollment("e2", "h1", "s1", "student", school="o1"),
        ],
    )


def test_dry_run_lists_the_diff_and_errors_and_writes_nothing(roster: Path) -> None:
    result = run(roster.parent, "import-roster", str(roster), "--dry-run")
    lines = result.stdout.splitlines()
    assert (
        "new      S1001  Pérez, Lucía (users.csv line 3): site MES, type student, grade 3, "
        "homeroom Rivera, Ana"
    ) in lines
    assert lines[-1] == (
        "dry run, nothing written: new 2, changed 0, leaving 0, unchanged 0, errors 1, warnings 0"
    )
    assert "users.csv line 4: grades '99': '99' is not a grade" in result.stderr
    again = run(roster.parent, "import-roster", str(roster), "--dry-run", "--json")
    assert json.loads(again.stdout.splitlines()[-1])["new"] == 2


def test_import_then_a_changed_roster_then_json_counts(roster: Path) -> None:
    first = run(roster.parent, "import-roster", str(roster), "--json")
    assert json.loads(first.stdout.splitlines()[-1]) == {
        "new": 2, "changed": 0, "leaving": 0, "unchanged": 0, "errors": 1, "warnings": 0,
    }  # fmt: skip
    users = (roster / "users.csv").read_text()
    (roster / "users.csv").write_text(
        users.replace("S1001,,,,,03", "S1001,,,,,04").replace(",99,", ",02,")
    )
    second = run(roster.parent, "import-roster", str(roster))
    assert "changed  S1001  Pérez, Lucía (users.csv line 3): grade 3 -> 4" in second.stdout
    assert second.stdout.splitlines()[-1] == (
        "new 1, changed 1, expired 0, unchanged 1, errors 0, warnings 0"
    )


def test_a_roster_that_cannot_be_read_exits_2_naming_the_file(roster: Path) -> None:
    (roster / "manifest.csv").unlink()
    result = run(roster.parent, "import-roster", str(roster), check=False)
    assert result.returncode == 2
    assert "manifest.csv: missing" in result.stderr
    nothing = run(roster.parent, "import-roster", "no-such-folder", check=False)
    assert nothing.returncode == 2
    assert "path: there is no no-such-folder" in nothing.stderr
