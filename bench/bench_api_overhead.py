"""Request overhead of a trivial authenticated API call: `GET /api/v1/me` with a Bearer token.

What one API request costs before any library work: routing, the middleware stack, looking the
token up and serialising a small answer. Measured two ways on a fresh SQLite database:

- over HTTP against `octavo serve` (gunicorn sync workers, as deployed) on 127.0.0.1, from a
  few client threads for a fixed time: requests/s and the p50/p95 latency;
- in-process through Django's test Client (no socket, no gunicorn): the median per call.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from bench.common import Figure, free_port, percentile

PATH = "/api/v1/me"
CLIENT_THREADS = 4
WARMUP_S = 2.0
DURATION_S = 10.0
IN_PROCESS_CALLS = 2_000
SERVER_START_TIMEOUT_S = 60.0


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        env = _environment(Path(tmp))
        # This process is the harness's child for this benchmark alone (bench/run.py), so it
        # may take Octavo's settings from these variables too.
        os.environ.update(env)
        _say("migrating a fresh SQLite database, creating an account and a token")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
        token = _create_token()

        from octavo.interfaces.cli.server import default_workers

        workers = default_workers()
        port = free_port()
        server = _start_server(port, workers, Path(tmp) / "server.log")
        try:
            _wait_until_serving(server, port, token, Path(tmp) / "server.log")
            _say(f"loading 127.0.0.1:{port} for {WARMUP_S + DURATION_S:g} s")
            load = _load(port, token)
        finally:
            _stop(server)
        _say(f"{IN_PROCESS_CALLS:,} calls through Django's test Client")
        in_process_ms = _in_process_median_ms(token)

    served = (
        f"`octavo serve` ({workers} gunicorn sync workers) on 127.0.0.1, SQLite; "
        f"{CLIENT_THREADS} client threads for {DURATION_S:g} s after {WARMUP_S:g} s warm-up, "
        f"{len(load.latencies):,} requests, a new connection each (sync workers close it)"
    )
    return [
        Figure(f"GET {PATH} over HTTP: throughput", load.per_second, "requests/s", served),
        Figure(f"GET {PATH} over HTTP: p50 latency", load.ms(0.50), "ms", served),
        Figure(f"GET {PATH} over HTTP: p95 latency", load.ms(0.95), "ms", served),
        Figure(
            f"GET {PATH} in-process: median",
            in_process_ms,
            "ms",
            f"Django test Client, {IN_PROCESS_CALLS:,} calls after 100 warm-up calls, SQLite",
        ),
    ]


def _say(text: str) -> None:
    print(f"    {text}", file=sys.stderr, flush=True)


def _environment(tmp: Path) -> dict[str, str]:
    (tmp / "var").mkdir()
    return {
        "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
        "OCTAVO_VAR_DIR": str(tmp / "var"),
        "OCTAVO_DATABASE_URL": f"sqlite:///{tmp / 'octavo.sqlite3'}",
        "OCTAVO_DEBUG": "false",
        # `testserver` is the host name Django's test Client sends.
        "OCTAVO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "OCTAVO_LOG_LEVEL": "WARNING",
    }


def _octavo() -> list[str]:
    script = Path(sys.executable).with_name("octavo")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def _create_token() -> str:
    """A district admin and an API token for it, made through the services as the CLI does."""
    import django

    django.setup()
    from django.db import connections

    from octavo.accounts.services import create_token, create_user
    from octavo.district.services import create_site
    from octavo.shared.actor import Actor, Role
    from octavo.shared.clock import now

    actor = Actor.command_line("bench")
    create_site(actor=actor, code="BEN", name="Bench Elementary", at=now())
    create_user(
        actor=actor,
        username="bench-admin",
        role=Role.DISTRICT_ADMIN,
        site_codes=[],
        at=now(),
    )
    _, raw = create_token(actor=actor, username="bench-admin", at=now(), name="bench")
    connections.close_all()
    return raw


def _start_server(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        *_octavo(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as output:
        # A session of its own, so stopping it reaches gunicorn's workers too.
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def _get(port: int, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", PATH, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, token: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"`octavo serve` exited ({server.returncode}):\n{log.read_text()}")
        try:
            status = _get(port, token)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            raise RuntimeError(
                f"GET {PATH} answered HTTP {status}; this benchmark measures a successful "
                "authenticated call"
            )
        return
    raise RuntimeError(f"`octavo serve` did not answer within {SERVER_START_TIMEOUT_S:g} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn: graceful stop of master and workers
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@dataclass
class _Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    per_second: float = 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def _load(port: int, token: str) -> _Load:
    """Each thread sends requests back to back until the time is up; warm-up is not counted."""
    headers = {"Authorization": f"Bearer {token}"}
    start = time.perf_counter()
    counted_from = start + WARMUP_S
    until = counted_from + DURATION_S
    lock = threading.Lock()
    total = _Load()

    def client() -> None:
        mine = _Load()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while (sent := time.perf_counter()) < until:
                try:
                    connection.request("GET", PATH, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    connection.close()
                    mine.errors += 1
                    continue
                if sent >= counted_from:
                    mine.latencies.append(time.perf_counter() - sent)
                    mine.statuses[response.status] += 1
        finally:
            connection.close()
        with lock:
            total.latencies += mine.latencies
            total.statuses += mine.statuses
            total.errors += mine.errors

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    if set(total.statuses) != {200}:
        raise RuntimeError(f"GET {PATH} answered {dict(total.statuses)} (want only 200)")
    if total.errors > len(total.latencies) / 100:
        raise RuntimeError(f"{total.errors} connection errors in {len(total.latencies)} requests")
    total.per_second = len(total.latencies) / DURATION_S
    return total


def _in_process_median_ms(token: str) -> float:
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})
    for _ in range(100):
        client.get(PATH)
    times = []
    for _ in range(IN_PROCESS_CALLS):
        sent = time.perf_counter()
        response = client.get(PATH)
        times.append(time.perf_counter() - sent)
        if response.status_code != 200:
            raise RuntimeError(f"GET {PATH} answered HTTP {response.status_code} in-process")
    return median(times) * 1000
