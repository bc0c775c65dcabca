"""Configuration comes from OCTAVO_* variables: mail through a real SMTP server, hosts, debug."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from tests.interfaces.cli.test_octavo_command import OCTAVO, _free_port


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list = []

    def handle_message(self, message) -> None:
        self.received.append(message)


def octavo(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    base["OCTAVO_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [OCTAVO, *args],
        cwd=tmp_path,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_mail_goes_to_the_smtp_server_named_by_octavo_email_url(tmp_path: Path) -> None:
    inbox = Inbox()
    port = _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        result = octavo(
            tmp_path,
            "sendtestemail",
            "librarian@example.org",
            OCTAVO_EMAIL_URL=f"smtp://127.0.0.1:{port}",
            OCTAVO_FROM_EMAIL="library@example.org",
        )
        assert result.returncode == 0, result.stderr
        deadline = time.monotonic() + 10
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    (message,) = inbox.received
    assert message["To"] == "librarian@example.org"
    assert message["From"] == "library@example.org"


def test_a_bad_database_url_is_reported_not_guessed(tmp_path: Path) -> None:
    result = octavo(tmp_path, "migrate", OCTAVO_DATABASE_URL="oracle+nope://x/y")
    assert result.returncode != 0
    assert "oracle+nope" in result.stderr


def test_debug_and_allowed_hosts_come_from_the_environment(tmp_path: Path) -> None:
    script = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    result = octavo(
        tmp_path,
        "shell",
        "-c",
        script,
        OCTAVO_DEBUG="true",
        OCTAVO_ALLOWED_HOSTS="library.example.org,10.0.0.5",
    )
    assert result.stdout.strip().splitlines()[-1] == "True ['library.example.org', '10.0.0.5']"
    default = octavo(tmp_path, "shell", "-c", script)
    assert default.stdout.strip().splitlines()[-1] == "False ['127.0.0.1', 'localhost', '[::1]']"
