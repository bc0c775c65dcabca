"""`octavo sip2-account` and `octavo sip2` as an operator runs them: real processes, a real
SQLite file in ./var/, and a kiosk on a real socket (issue #5; docs/operators/sip2.md)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from tests.interfaces.cli.test_octavo_command import OCTAVO, migrated, run
from tests.interfaces.sip2.test_kiosk_bytes import fields, sealed

PASSWORD = "lobby-pass-7"
ADD = ("sip2-account", "add", "lobby-kiosk", "--password", PASSWORD, "--site", "NES")


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "NES", "North Elementary")
    return tmp_path


def accounts(where: Path) -> list[list[str]]:
    return [line.split("\t") for line in run(where, "sip2-account", "list").stdout.splitlines()]


@dataclass
class Started:
    process: subprocess.Popen[str]
    announced: str  # the first line it printed
    port: int
    out: str = ""  # the rest of what it printed, once stopped
    err: str = ""

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        out, self.err = self.process.communicate(timeout=60)
        self.out += out
        return self.process.returncode


@contextmanager
def sip2_server(where: Path, *args: str) -> Iterator[Started]:
    """`octavo sip2 --listen 127.0.0.1:0 ARGS` started as a real process, stopped at the end
    if the test has not stopped it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    env["OCTAVO_VAR_DIR"] = str(where / "var")
    process = subprocess.Popen(
        [OCTAVO, "sip2", "--listen", "127.0.0.1:0", *args],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        # A guard against a server that never says it is listening, not a timing assertion.
        readable, _, _ = select.select([process.stdout], [], [], 60)
        assert readable, "octavo sip2 printed nothing"
        announced = process.stdout.readline().strip()
        assert announced.startswith("SIP2 server listening on 127.0.0.1:"), announced
        port = int(announced.split()[4].rpartition(":")[2])
        assert port != 0  # the port the system picked, not the 0 asked for
        yield Started(process, announced, port)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


class Kiosk:
    """A kiosk on a real socket: one request out, one answer (up to the CR) back."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None):
        self.socket: socket.socket = socket.create_connection(("127.0.0.1", port), timeout=30)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_hostname="127.0.0.1")
        self.buffer = b""

    def ask(self, request: bytes) -> bytes:
        self.socket.sendall(request)
        while b"\r" not in self.buffer:
            chunk = self.socket.recv(4096)
            if not chunk:
                raise ConnectionError(f"closed by the server (after {self.buffer!r})")
            self.buffer += chunk
        answer, _, self.buffer = self.buffer.partition(b"\r")
        return answer + b"\r"

    def log_in(self, name: str = "lobby-kiosk", password: str = PASSWORD) -> bytes:
        return self.ask(sealed(f"9300CN{name}|CO{password}|CPNES|", 0))

    def close(self) -> None:
        self.socket.close()


# --- sip2-account ------------------------------------------------------------------------------


def test_accounts_are_added_with_what_they_may_do_and_listed(ready: Path) -> None:
    added = run(ready, *ADD).stdout
    assert added == (
        "added SIP2 account lobby-kiosk at NES "
        "(may: checkout,checkin,renew,pay,fines,hold,status)\n"
    )
    added = run(
        ready, "sip2-account", "add", "book-drop", "--password", "drop-pass-22", "--site", "nes",
        "--may", "checkin", "--no-pin", "--allow", "10.12.0.0/24,192.168.4.20",
        "--encoding", "cp850", "--language", "es",
    ).stdout  # fmt: skip
    assert added == "added SIP2 account book-drop at NES (may: checkin)\n"
    assert accounts(ready) == [
        ["book-drop", "NES", "active", "checkin", "10.12.0.0/24,192.168.4.20/32", "cp850", "es"],
        [
            "lobby-kiosk", "NES", "active", "checkout,checkin,renew,pay,fines,hold,status",
            "any address", "utf-8", "en",
        ],
    ]  # fmt: skip
    assert run(ready, "sip2-account", "disable", "book-drop").stdout == (
        "disabled SIP2 account book-drop\n"
    )
    assert [row[2] for row in accounts(ready)] == ["disabled", "active"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--site", "ZZZ"), "site: no site with code 'ZZZ'"),
        (("--password", "seven77"), "password: the password needs at least 8 characters"),
        (("--allow", "10.0.0.0/8,10.1.2.300"), "allow: '10.1.2.300' is not an address or network"),
        (("--may", "checkout,teleport"), "may: unknown permission 'teleport'"),
    ],
)
def test_a_mistake_exits_2_naming_the_field_and_adds_nothing(ready: Path, args, message) -> None:
    result = run(ready, *ADD, *args, check=False)  # argparse: the later option wins
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert accounts(ready) == []


def test_a_second_account_with_the_same_name_is_refused(ready: Path) -> None:
    run(ready, *ADD, "--may", "checkin")
    result = run(ready, *ADD, "--password", "another-pass-9", check=False)
    assert result.returncode == 2
    assert "name: a SIP2 account 'lobby-kiosk' already exists" in result.stderr
    assert [(row[0], row[3]) for row in accounts(ready)] == [("lobby-kiosk", "checkin")]
    missing = run(ready, "sip2-account", "disable", "no-such-kiosk", check=False)
    assert missing.returncode == 2
    assert "name: no SIP2 account 'no-such-kiosk'" in missing.stderr


# --- sip2 ----------------------------------------------------------------------------------------


def test_the_server_answers_a_kiosk_and_stops_on_sigterm(ready: Path) -> None:
    run(ready, *ADD, "--may", "checkout,checkin")
    with sip2_server(ready) as server:
        assert server.announced.endswith("(plain text)")
        kiosk = Kiosk(server.port)
        assert kiosk.log_in() == sealed("941", 0)
        status = kiosk.ask(sealed("9900302.00", 1))
        assert status.startswith(b"98YYYNN")  # on line; check in, check out; no renew, update
        got = fields(status)
        assert got["AO"] == ["NES"] and got["AM"] == ["North Elementary"]
        assert got["AN"] == ["lobby-kiosk"]

        # Disabled while the server runs: the next login is refused, no restart needed.
        run(ready, "sip2-account", "disable", "lobby-kiosk")
        late = Kiosk(server.port)
        assert late.log_in() == sealed("940", 0)
        late.close()

        # Stopped with a kiosk still connected, as kiosks stay connected all day.
        assert server.stop() == 0, server.err
        assert server.out.splitlines() == ["SIP2 server stopped"]
        assert "Traceback" not in server.err
        assert kiosk.socket.recv(1) == b""  # its connection closed
        kiosk.close()


def _processes(pid: int) -> tuple[list[int], int | None]:
    """The server's connection processes and its answering process (None: not started)."""
    found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    named = {}
    for child in found:
        with contextlib.suppress(OSError):  # ended meanwhile
            named[child] = Path(f"/proc/{child}/comm").read_text().strip()
    answering = [child for child, name in named.items() if name == "sip2-answering"]
    return [c for c in named if c not in answering], (answering[0] if answering else None)


def _children(pid: int, *, besides: int | None = None) -> list[int]:
    """The server's 3 connection processes once it has started them and its answering
    process (on SQLite, where these tests run), none of them `besides`."""
    for _ in range(300):  # started after the server says it listens; replaced after a second
        found, answering = _processes(pid)
        if len(found) == 3 and answering is not None and besides not in (*found, answering):
            return found
        select.select([], [], [], 0.1)
    raise AssertionError(f"the server has processes {found} and answering process {answering}")


def _sockets(pid: int) -> int:
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir() if os.readlink(fd).startswith("socket:"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_kiosks_connecting_together_are_spread_over_the_processes(ready: Path) -> None:
    """Each worker process listens with a socket of its own and the kernel shares the
    connections out: with one socket for all, the process that woke first took up to 100 of
    a burst of kiosks connecting at once."""
    run(ready, *ADD)
    with sip2_server(ready, "--processes", "3") as server:
        children = _children(server.process.pid)
        idle = {pid: _sockets(pid) for pid in children}  # listener, the event loop's own pair
        kiosks = [Kiosk(server.port) for _ in range(90)]  # all connecting at once
        for kiosk in kiosks:
            assert kiosk.log_in() == sealed("941", 0)
        served = sorted(_sockets(pid) - idle[pid] for pid in children)
        assert sum(served) == 90
        assert served[0] >= 10, served  # 30 each on average; one socket for all: 8, 9, 73
        for kiosk in kiosks:
            kiosk.close()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_worker_process_that_dies_is_replaced_and_no_kiosk_is_left_waiting(
    ready: Path,
) -> None:
    run(ready, *ADD)
    with sip2_server(ready, "--processes", "3") as server:
        dead = _children(server.process.pid)[0]
        os.kill(dead, signal.SIGKILL)
        _children(server.process.pid, besides=dead)  # its replacement started
        # Every connection is answered: none is sent to the dead process's socket (each
        # Kiosk gives up after 30 s).
        kiosks = [Kiosk(server.port) for _ in range(30)]
        assert all(kiosk.log_in() == sealed("941", 0) for kiosk in kiosks)
        for kiosk in kiosks:
            kiosk.close()
        assert server.stop() == 0, server.err


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_one_process_answers_the_kiosks_of_every_connection_process(ready: Path) -> None:
    """On SQLite the connection processes hand every request to one answering process (what
    an operator sees in `ps` as sip2-answering): kiosks spread over all three connection
    processes are answered, and the answering process holds one line to each connection
    process and no kiosk's socket."""
    run(ready, *ADD)
    with sip2_server(ready, "--processes", "3") as server:
        children = _children(server.process.pid)
        kiosks = [Kiosk(server.port) for _ in range(30)]
        for kiosk in kiosks:
            assert kiosk.log_in() == sealed("941", 0)
            assert kiosk.ask(sealed("9900302.00", 1)).startswith(b"98Y")
        _, answering = _processes(server.process.pid)
        assert answering is not None
        # Each connection process has some of the kiosks; the answering process one line to
        # each connection process (and its listener), none to a kiosk.
        assert all(_sockets(pid) > 2 for pid in children)
        assert _sockets(answering) == len(children) + 1
        for kiosk in kiosks:
            kiosk.close()
        assert server.stop() == 0, server.err
    assert "Traceback" not in server.err


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_the_answering_process_that_dies_is_replaced_and_kiosks_log_in_again(
    ready: Path,
) -> None:
    run(ready, *ADD)
    with sip2_server(ready, "--processes", "3") as server:
        _children(server.process.pid)
        kiosk = Kiosk(server.port)
        assert kiosk.log_in() == sealed("941", 0)
        _, dead = _processes(server.process.pid)
        assert dead is not None
        os.kill(dead, signal.SIGKILL)
        # Its sessions are gone with it: the kiosk's connection is closed, as after a dropped
        # line, rather than answered as if it had never logged in.
        assert kiosk.socket.recv(1) == b""
        kiosk.close()
        _children(server.process.pid, besides=dead)  # started again, with its connection ones
        kiosks = [Kiosk(server.port) for _ in range(10)]
        assert all(kiosk.log_in() == sealed("941", 0) for kiosk in kiosks)
        assert all(kiosk.ask(sealed("9900302.00", 1)).startswith(b"98Y") for kiosk in kiosks)
        for kiosk in kiosks:
            kiosk.close()
        assert server.stop() == 0, server.err
    assert "answering process gone" in server.err


def test_a_wrong_password_is_refused_by_the_running_server(ready: Path) -> None:
    run(ready, *ADD)
    with sip2_server(ready) as server:
        kiosk = Kiosk(server.port)
        assert kiosk.log_in(password="lobby-pass-8") == sealed("940", 0)
        assert kiosk.log_in() == sealed("941", 0)  # a later right one still works
        kiosk.close()
        assert server.stop() == 0
    assert "login failed (1 of 3)" in server.err  # the operator's log says so ...
    assert "lobby-pass-8" not in server.err and "CO***" in server.err  # ... without the password


def test_plain_text_on_every_address_is_refused_with_the_reason(tmp_path: Path) -> None:
    result = run(tmp_path, "sip2", "--listen", "0.0.0.0:6001", check=False)
    assert result.returncode == 2
    assert "plain-text listener on 0.0.0.0 would send PINs and passwords in the clear" in (
        result.stderr
    )
    assert "--allow-plaintext" in result.stderr and "--tls-cert" in result.stderr
    assert "listening" not in result.stdout


def test_tls_from_the_operators_pem_files(ready: Path) -> None:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    cert, key = ready / "sip2.pem", ready / "sip2.key"
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    issued.private_key_pem.write_to_path(str(key))
    half = run(ready, "sip2", "--tls-cert", str(cert), check=False)
    assert half.returncode == 2 and "--tls-cert and --tls-key go together" in half.stderr
    wrong = run(ready, "sip2", "--tls-cert", str(key), "--tls-key", str(cert), check=False)
    assert wrong.returncode == 2
    assert "TLS: cannot load the certificate and key" in wrong.stderr

    run(ready, *ADD)
    with sip2_server(ready, "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        assert server.announced.endswith("(TLS)")
        trusting = ssl.create_default_context()
        authority.configure_trust(trusting)
        kiosk = Kiosk(server.port, tls=trusting)
        assert kiosk.log_in() == sealed("941", 0)
        assert kiosk.ask(sealed("9900302.00", 1)).startswith(b"98Y")
        kiosk.close()
