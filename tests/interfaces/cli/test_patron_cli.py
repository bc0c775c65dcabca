"""`octavo patron add`, `octavo patron rollover` and `octavo patron merge` as an operator (or a
script) runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.interfaces.cli.test_octavo_command import migrated, run


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "MES", "Maple Elementary")
    return tmp_path


ADD = ("patron", "add", "--barcode", "P1001", "--first", "Lucía", "--last", "Pérez")


def test_add_prints_only_the_new_patrons_id(ready: Path) -> None:
    result = run(
        ready, *ADD, "--type", "student", "--site", "mes", "--grade", "03",
        "--homeroom", "Rivera, Ana", "--email", "lucia@example.org", "--pin", "4321",
    )  # fmt: skip
    assert result.stdout.strip().isdigit()
    second = run(
        ready, "patron", "add", "--barcode", "T1", "--first", "Ana", "--last", "Rivera",
        "--type", "teacher", "--site", "MES",
    )  # fmt: skip
    assert int(second.stdout) == int(result.stdout) + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "student", "--site", "MES", "--grade", "13"), "grade: '13' is not a grade"),
        (("--type", "wizard", "--site", "MES"), "type: no patron type 'wizard'"),
        (("--type", "student", "--site", "ZZZ"), "site: no site with code 'ZZZ'"),
        (("--type", "student", "--site", "MES", "--pin", "12"), "pin: a PIN is 4 to 12 digits"),
        (("--type", "student", "--site", "MES", "--email", "x"), "email: 'x' is not an e-mail"),
    ],
)
def test_bad_input_exits_2_naming_the_field(ready: Path, args, message) -> None:
    result = run(ready, *ADD, *args, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_barcode_in_use_exits_2(ready: Path) -> None:
    run(ready, *ADD, "--type", "student", "--site", "MES")
    result = run(ready, *ADD, "--type", "student", "--site", "MES", check=False)
    assert result.returncode == 2
    assert "barcode: barcode P1001 is already a patron's" in result.stderr


def test_rollover_dry_run_then_for_real_then_again(ready: Path) -> None:
    run(ready, *ADD, "--type", "student", "--site", "MES", "--grade", "5")
    dry = run(ready, "patron", "rollover", "--dry-run").stdout
    assert "MES: 1 moved up a grade, 0 left" in dry
    assert "dry run, nothing written: 1 site(s), 1 moved up, 0 left" in dry
    assert "1 moved up" in run(ready, "patron", "rollover").stdout
    assert "MES: already rolled over in" in run(ready, "patron", "rollover").stdout


def test_merge_folds_a_duplicate_and_a_second_merge_is_refused(ready: Path) -> None:
    run(ready, *ADD, "--type", "student", "--site", "MES")
    run(
        ready, "patron", "add", "--barcode", "S-1001", "--first", "Lucía", "--last", "Pérez",
        "--type", "student", "--site", "MES", "--grade", "3",
    )  # fmt: skip
    done = run(ready, "patron", "merge", "--keep", "P1001", "--duplicate", "S-1001")
    assert done.stdout.strip() == (
        "S-1001 merged into P1001: 0 open loan(s), 0 hold(s) (0 cancelled as the same title), "
        "0 guardian(s), balance 0.00 moved"
    )
    again = run(ready, "patron", "merge", "--keep", "P1001", "--duplicate", "S-1001", check=False)
    assert again.returncode == 2
    assert "duplicate: S-1001 was already merged into another record" in again.stderr
