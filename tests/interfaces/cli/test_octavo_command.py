"""The `octavo` console command as an operator uses it: a real process, a real ./var/."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

OCTAVO = shutil.which("octavo", path=str(Path(sys.executable).parent)) or "octavo"


def run(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    env["OCTAVO_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [OCTAVO, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"octavo {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


_TEMPLATE: list[Path] = []  # the session's one migrated ./var/


def migrated(tmp_path: Path) -> None:
    """A migrated ./var/ (database and secret key) in tmp_path: a copy of one `octavo migrate`
    run per test session, since each run is a Python and Django start-up and every migration
    (seconds, several minutes over the suite)."""
    if not _TEMPLATE:
        base = Path(tempfile.mkdtemp(prefix="octavo-migrated-"))
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        run(base, "migrate")
        _TEMPLATE.append(base / "var")
    shutil.copytree(_TEMPLATE[0], tmp_path / "var")


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    out = run(tmp_path, "--help").stdout
    for name in ("demo", "serve", "migrate", "site", "user", "token", "sip2", "sip2-account"):
        assert f"\n  {name} " in out


def test_secret_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    run(tmp_path, "migrate")
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    run(tmp_path, "site", "list")
    assert key_file.read_text() == first
    assert (tmp_path / "var" / "octavo.sqlite3").exists()


def test_operator_sets_up_a_site_an_account_and_a_token(tmp_path: Path) -> None:
    migrated(tmp_path)
    assert "added site MES" in run(tmp_path, "site", "add", "mes", "Maple Elementary").stdout
    added = run(
        tmp_path,
        "user",
        "add",
        "mlee",
        "--role",
        "technician",
        "--site",
        "MES",
        "--password",
        "maple-tech-passphrase",
    ).stdout
    assert "mlee (technician) at MES" in added
    token = run(tmp_path, "token", "create", "mlee").stdout.strip()
    assert token.startswith("oct_")
    assert "mlee\ttechnician\tMES" in run(tmp_path, "user", "list").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("site", "add", "MES", "Again"), "code: a site with code MES already exists"),
        (("site", "add", "M E S", "Spaces"), "code: 'M E S' is not a valid code"),
        (
            (
                "user",
                "add",
                "x",
                "--role",
                "technician",
                "--site",
                "MES,NOPE",
                "--password",
                "maple-tech-passphrase",
            ),
            "sites: unknown site code(s): NOPE",
        ),
        (
            ("user", "add", "x", "--role", "technician", "--site", "MES", "--password", "short"),
            "password: This password is too short",
        ),
        (("token", "create", "nobody"), "username: no account 'nobody'"),
    ],
)
def test_mistakes_get_one_clear_line_naming_the_field(tmp_path, args, message) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "MES", "Maple Elementary")
    result = run(tmp_path, *args, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_loads_the_district_twice_without_duplicates(tmp_path: Path) -> None:
    first = run(tmp_path, "demo", "--no-serve").stdout
    second = run(tmp_path, "demo", "--no-serve").stdout
    assert first == second
    for role in (
        "district_admin",
        "site_librarian",
        "technician",
        "student_helper",
        "teacher",
        "student",
        "parent",
    ):
        assert role in first
    assert "PIN 2468" in first and "carmen.martinez@example.org" in first
    sites = run(tmp_path, "site", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in sites] == ["JHS", "LES", "WES"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_http_with_gunicorn(tmp_path: Path) -> None:
    run(tmp_path, "demo", "--no-serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    env |= {"OCTAVO_VAR_DIR": str(tmp_path / "var"), "OCTAVO_WORKERS": "1"}
    server = subprocess.Popen(
        [OCTAVO, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/staff/login/", timeout=5
                ) as r:
                    body = r.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert r.status == 200
        assert "Octavo" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as r:
            assert r.status == 200
        # The public catalog at the root, with the demo's featured shelf and its stylesheet.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            home = r.read().decode()
        assert "Summer reading" in home and "Charlotte" in home
        stylesheet = re.search(r'href="(/static/opac/[^"]+\.css)"', home)
        assert stylesheet, home[:500]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet.group(1)}") as r:
            assert r.status == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert "gunicorn" in out.lower()
