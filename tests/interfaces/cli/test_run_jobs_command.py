"""`octavo run-jobs` as cron runs it: a real process on its own SQLite file, mail through
OCTAVO_EMAIL_URL to a real SMTP server (aiosmtpd) in this test."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from tests.interfaces.cli.test_octavo_command import OCTAVO, _free_port, run
from tests.interfaces.cli.test_octavo_command import migrated as migrated_var
from tests.interfaces.staff.test_desk_receipt_email import Inbox, _wait_for

JOBS = ("lost", "holds", "cards", "notices", "reports", "privacy")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated ./var/ for the module (migrating takes a while), copied for each test."""
    base = tmp_path_factory.mktemp("migrated")
    migrated_var(base)
    return base / "var"


@pytest.fixture
def here(tmp_path: Path, migrated: Path) -> Path:
    shutil.copytree(migrated, tmp_path / "var")
    return tmp_path


@pytest.fixture
def mail_server():
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=_free_port())
    server.start()
    yield box, f"smtp://127.0.0.1:{server.port}"
    server.stop()


def test_run_jobs_prints_each_job_and_does_nothing_the_second_time(here: Path) -> None:
    tmp_path = here
    first = run(tmp_path, "run-jobs", "--as-of", "2026-09-08").stdout.splitlines()
    assert [line.split(":")[0] for line in first] == [f"2026-09-08 {job}" for job in JOBS]
    assert "2026-09-08 notices: queued 0 (none)" in first[3]
    second = run(tmp_path, "run-jobs", "--as-of", "2026-09-08").stdout.splitlines()
    assert all(": nothing to do, done at " in line for line in second), second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2999-01-01"), "as_of: 2999-01-01 has not come yet"),
        (("--as-of", "8 Sept"), "as_of: '8 Sept' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_a_mistake_gets_one_clear_line(tmp_path: Path, args, message) -> None:
    result = run(tmp_path, "run-jobs", *args, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_notices_go_out_through_the_smtp_server_named_by_octavo_email_url(
    here: Path, mail_server, monkeypatch
) -> None:
    tmp_path = here
    box, url = mail_server
    monkeypatch.setenv("OCTAVO_EMAIL_URL", url)
    monkeypatch.setenv("OCTAVO_FROM_EMAIL", "library@example.org")
    run(tmp_path, "site", "add", "NES", "North Elementary")
    run(
        tmp_path,
        *("patron", "add", "--barcode", "P1", "--first", "Ana", "--last", "Reyes"),
        *("--type", "student", "--site", "NES", "--email", "ana@example.org"),
    )
    # The card runs out in ten days (the command line has no option for it yet).
    with sqlite3.connect(tmp_path / "var" / "octavo.sqlite3") as db:
        db.execute("UPDATE patrons_patron SET card_expires = date('now', '+10 days')")
    out = _run_with_env(tmp_path, "run-jobs", "--only", "notices").stdout
    assert out.count("\n") == 1 and " notices: queued 1" in out
    assert "queued 1 (card_expiring 1): 1 by e-mail, 0 to print; e-mails sent 1" in out
    (message,) = _wait_for(box, 1)
    assert message["To"] == "ana@example.org"
    assert message["From"] == "library@example.org"
    assert message["Subject"].startswith("Your library card expires on ")
    again = _run_with_env(tmp_path, "run-jobs", "--only", "notices").stdout
    assert "nothing to do" in again
    assert len(box.received) == 1


def _run_with_env(tmp_path: Path, *args: str):
    """`run` keeps no OCTAVO_* variable of the caller's but the var directory; these tests
    need the mail server's, so they are passed through here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    env["OCTAVO_VAR_DIR"] = str(tmp_path / "var")
    for name in ("OCTAVO_EMAIL_URL", "OCTAVO_FROM_EMAIL"):
        env[name] = os.environ[name]
    result = subprocess.run(
        [OCTAVO, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result
