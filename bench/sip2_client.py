"""What the SIP2 benchmarks (bench_sip2, bench_sip2_fuzz) and the fuzz test share: requests as
a kiosk sends them, a check of every answer that reads SIP2 here, not through Octavo's codec
(the checksum summed byte by byte, each response's fixed length from the spec), the server's
framing mirrored so a client knows how many answers to wait for, an asyncio kiosk connection,
and `octavo sip2` started and stopped as a process of its own.

Imports nothing of Octavo's and no Django: the load generator and the fuzzer are clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from datetime import datetime, tzinfo
from pathlib import Path

from bench.bench_api_overhead import _octavo
from bench.common import free_port

# Each request's response (3M SIP2 2.00); a 97 asks for the last answer again, whatever it was.
RESPONSES = {
    "93": "94", "99": "98", "23": "24", "63": "64", "11": "12", "09": "10", "29": "30",
    "65": "66", "17": "18", "19": "20", "35": "36", "37": "38", "15": "16", "01": "24",
}  # fmt: skip
# The length of each response's fixed part, from the spec.
FIXED = {
    "94": 1, "96": 0, "98": 34, "24": 35, "64": 59, "12": 22, "30": 22, "10": 22, "66": 27,
    "18": 24, "20": 19, "36": 19, "38": 19, "16": 20,
}  # fmt: skip
# The server reads a request up to its carriage return and closes a connection whose request
# grows past this many bytes (octavo.interfaces.sip2.server.MAX_REQUEST).
MAX_REQUEST = 40_000
_VARIABLE = re.compile(rb"(?:[A-Z0-9]{2}[^|\r]*\|)*")
_SEAL = re.compile(rb"(?:AY\d)?AZ([0-9A-F]{4})\r\Z")
SERVER_START_TIMEOUT_S = 60.0


def checksum(data: bytes) -> str:
    """The four hex digits after AZ: the 16-bit two's complement of the sum of the bytes."""
    return f"{-sum(data) & 0xFFFF:04X}"


def sealed(text: str, sequence: int | None = None, encoding: str = "utf-8") -> bytes:
    """A request with error detection (AY, when a sequence number is given; AZ), as a kiosk
    sends it."""
    data = (text + (f"AY{sequence % 10}" if sequence is not None else "") + "AZ").encode(encoding)
    return data + checksum(data).encode() + b"\r"


def sip_date(moment: datetime, zone: tzinfo | None = None) -> str:
    """The spec's 18-character date, local time, four blanks for the zone."""
    local = moment.astimezone(zone)
    return f"{local:%Y%m%d}    {local:%H%M%S}"


def flaw(answer: bytes) -> str | None:
    """What is wrong with an answer as SIP2, or None when it is well-formed: a known response
    code, its fixed part, variable fields each ended by `|`, AZ and a checksum that adds up,
    the carriage return."""
    code = answer[:2].decode("ascii", errors="replace")
    if code not in FIXED:
        return f"unknown response code {code!r}"
    sealed_part = _SEAL.search(answer)
    if sealed_part is None:
        return "no AZ checksum and carriage return at the end"
    if checksum(answer[: sealed_part.start(1)]) != sealed_part.group(1).decode():
        return "the checksum does not add up"
    if b"\r" in answer[:-1]:
        return "a carriage return inside the answer"
    variable = answer[2 + FIXED[code] : sealed_part.start()]
    if len(answer) < 2 + FIXED[code] + 7 or b"|" in answer[2 : 2 + FIXED[code]]:
        return f"the fixed part of a {code} is not {FIXED[code]} characters"
    if _VARIABLE.fullmatch(variable) is None:
        return "the variable fields are not identifier, value, |"
    return None


def fields(answer: bytes, encoding: str = "utf-8") -> dict[str, list[str]]:
    """The variable fields of a well-formed answer."""
    code = answer[:2].decode("ascii")
    end = _SEAL.search(answer)
    variable = answer[2 + FIXED[code] : end.start() if end else len(answer)].decode(encoding)
    found: dict[str, list[str]] = {}
    for piece in variable.split("|"):
        if piece:
            found.setdefault(piece[:2], []).append(piece[2:])
    return found


def answers_to(request: bytes) -> set[str]:
    """The response codes a request may get: its own type's, or 96 (please resend)."""
    code = request[:2].decode("ascii", errors="replace")
    if code == "97":
        return set(FIXED)
    return {"96", RESPONSES[code]} if code in RESPONSES else {"96"}


class Framing:
    """The server's reading of a byte stream, mirrored: a request ends at a carriage return,
    a line feed before it is dropped, a bare line end is no request, and a request (or the
    bytes waiting for their carriage return) longer than MAX_REQUEST closes the connection."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, data: bytes) -> tuple[list[bytes], bool]:
        """The requests `data` completes, in order, up to the first one too long; and whether
        the server will close the connection for a request too long."""
        self.pending += data
        *complete, self.pending = self.pending.split(b"\r")
        requests = []
        for piece in complete:
            if len(piece) > MAX_REQUEST:
                return requests, True
            request = (piece + b"\r").lstrip(b"\n")
            if request.strip(b"\r\n"):
                requests.append(request)
        return requests, len(self.pending) > MAX_REQUEST


class Link:
    """One kiosk's connection: requests written, answers read up to their carriage return."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Link:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def receive(self, timeout: float) -> bytes | None:
        """The next answer; None when the server closed the connection. Raises TimeoutError."""
        try:
            return await asyncio.wait_for(self.reader.readuntil(b"\r"), timeout)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None

    async def ask(self, data: bytes, timeout: float) -> bytes | None:
        await self.send(data)
        return await self.receive(timeout)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


def start_server(
    log: Path, *, workers: int | None = None, processes: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """`octavo sip2` on a free port of 127.0.0.1, its output and log in `log`; returns once it
    says it is listening."""
    port = free_port()
    command = [*_octavo(), "sip2", "--listen", f"127.0.0.1:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    if processes:
        command += ["--processes", str(processes)]
    with log.open("wb") as output:
        # A session of its own, so that stopping it cannot reach this process.
        server = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while b"SIP2 server listening on" not in log.read_bytes():
        if server.poll() is not None:
            raise RuntimeError(f"`octavo sip2` exited ({server.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"`octavo sip2` did not listen within {SERVER_START_TIMEOUT_S:g} s")
        time.sleep(0.1)
    return server, port


def stop_server(server: subprocess.Popen[bytes]) -> int | None:
    """Stop the server as an operator would (SIGTERM); its exit status, None if it had to be
    killed."""
    if server.poll() is not None:
        return server.returncode
    os.killpg(server.pid, signal.SIGTERM)
    try:
        return server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        return None
