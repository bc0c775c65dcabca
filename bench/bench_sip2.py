"""SIP2 kiosks at scale (issue #5, "Figures": 200 concurrent kiosk connections on the embedded
default, SQLite; check-out round trip p99 at most 20 ms; at least 500 messages/s sustained).

The database is bench_checkout's: its builder (`_setup`, `_build`) writes BENCH_SIP2_ITEMS
items (default 1,000,000) and BENCH_SIP2_PATRONS patrons (default 200,000) at three sites with
a school year of history, fines and holds. Then, through the services, BENCH_SIP2_KIOSKS kiosk
accounts (default 200; `add_account`, one per kiosk, spread over the three sites), and a PIN for
each kiosk's patrons. The patrons and items a kiosk uses are of its site and chosen so that
nothing is refused (an active card, nothing owed, nothing out; items on the shelf whose title
nobody waits for): every answer that says no is an error. Kiosk passwords are hashed with the
PIN hasher (25,000 rounds) instead of Django's 1,000,000, so that 200 first logins cost 200 x
15 ms, not 200 x 0.6 s (logins are not timed). PINs are drawn from 100 different ones, so the
build hashes 100 PINs, not thousands; each PIN check at a kiosk costs what it always costs.

`octavo sip2` runs as a process of its own (its default processes, or BENCH_SIP2_PROCESSES
connection processes, and on SQLite its answering process); the kiosks are an asyncio load
generator in this process, one TCP connection each. Each logs in (93, then 99) and then
serves patrons, one after another: 63 patron information with the PIN, two 11 check-outs, a
17 item information, a 23 patron status, a 35 end of session, the two items checked in again
(09), and every fifth patron a 99.
Every request uses error detection (AY, AZ), its transaction date the time it is sent; each
answer is checked (sip2_client.flaw: checksum summed here) and read for its ok flags.

Two runs, both after a warm-up that is not counted:
1. Paced: the kiosks together offer each of BENCH_SIP2_RATES messages/s (default 100 and
   500; one run each), each kiosk
   sending on its own schedule (gaps drawn from 0.5 to 1.5 times the mean), waiting for each
   answer before the next request (a kiosk never has two outstanding); BENCH_SIP2_S seconds
   (default 60) after BENCH_SIP2_WARMUP_S (default 10). The round trips (from just before the
   request is written to its answer's carriage return) are the figures the issue asks for.
2. Flat out: the same kiosks send each request as soon as the last is answered, for
   BENCH_SIP2_FLAT_S seconds (default 30; 0: not run): the most messages/s this machine
   answers with the load generator on it too.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, load_average, percentile
from bench.sip2_client import Link, fields, flaw, sealed, sip_date, start_server, stop_server

# bench/run.py's limit: the 1M-item build takes several minutes on the 2-core machine.
TIMEOUT_S = 2400
ITEMS = int(os.environ.get("BENCH_SIP2_ITEMS", "1000000"))
PATRONS = int(os.environ.get("BENCH_SIP2_PATRONS", "200000"))
KIOSKS = int(os.environ.get("BENCH_SIP2_KIOSKS", "200"))
# Paced runs, one per rate (messages/s all kiosks together): a busy day (100: each kiosk
# every two seconds) and the 500.
RATES = [float(r) for r in os.environ.get("BENCH_SIP2_RATES", "100,500").split(",") if r.strip()]
WARMUP_S = float(os.environ.get("BENCH_SIP2_WARMUP_S", "10"))
DURATION_S = float(os.environ.get("BENCH_SIP2_S", "60"))
FLAT_WARMUP_S = 3.0
FLAT_S = float(os.environ.get("BENCH_SIP2_FLAT_S", "30"))
# 0: the server's default; worker threads matter on PostgreSQL only (this is SQLite's)
WORKERS = int(os.environ.get("BENCH_SIP2_WORKERS", "0"))
PROCESSES = int(os.environ.get("BENCH_SIP2_PROCESSES", "0"))  # 0: the server's default
PATRONS_PER_KIOSK = 8
ITEMS_PER_KIOSK = 12
ITEMS_PER_PATRON = 2
STATUS_EVERY = 5  # patrons between a kiosk's 99s
DISTINCT_PINS = 100
ANSWER_TIMEOUT_S = 30.0
LOGINS_AT_ONCE = 20
SEED = 2026
KIOSK_PASSWORD = "kiosk-bench-pass"  # each kiosk's is this and its number


def _say(text: str) -> None:
    print(f"sip2: {text}", file=sys.stderr, flush=True)


# --- the kiosks' accounts, patrons and items ----------------------------------------------------


@dataclass
class Plan:
    """One kiosk: its account, site, and the patrons (barcode, PIN) and items it serves."""

    name: str
    password: str
    site: str
    patrons: list[tuple[str, str]]
    items: list[str]


def _plans(t0: datetime) -> list[Plan]:
    """KIOSKS accounts through the services, round the sites; patrons and items for each that
    nothing blocks; a PIN for each of those patrons."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from bench.bench_checkout import SITES
    from octavo.circulation.models import Loan
    from octavo.fines.models import LedgerEntry
    from octavo.holdings.models import Item
    from octavo.holds.models import Hold
    from octavo.interfaces.sip2.accounts import add_account
    from octavo.patrons.models import Patron
    from octavo.shared.actor import Actor

    rng = random.Random(SEED)
    admin = Actor.command_line("bench")
    codes = [code for code, _, _ in SITES]
    plans = []
    # The PIN hasher first: make_password uses it for the kiosks' passwords (see above).
    settings.PASSWORD_HASHERS = ["octavo.patrons.pins.PinHasher", *settings.PASSWORD_HASHERS]
    for number in range(KIOSKS):
        code = codes[number % len(codes)]
        name, password = f"kiosk-{code.lower()}-{number + 1:03d}", f"{KIOSK_PASSWORD}-{number + 1}"
        add_account(actor=admin, name=name, password=password, site_code=code, at=t0)
        plans.append(Plan(name, password, code, [], []))
    today = t0.date()
    for code in codes:
        here = [plan for plan in plans if plan.site == code]
        items = list(
            Item.objects.filter(site__code=code, status="available", material_type__circulates=True)
            .exclude(record_id__in=Hold.objects.filter(status="waiting").values("record_id"))
            .order_by("id")
            .values_list("barcode", flat=True)[: len(here) * ITEMS_PER_KIOSK]
        )
        patrons = list(
            Patron.objects.filter(home_site__code=code, status="active", card_expires__gt=today)
            .exclude(pk__in=LedgerEntry.objects.values("patron_id"))
            .exclude(pk__in=Loan.objects.filter(status="open").values("patron_id"))
            .order_by("id")
            .values_list("barcode", flat=True)[: len(here) * PATRONS_PER_KIOSK]
        )
        if len(items) < len(here) * ITEMS_PER_KIOSK or len(patrons) < len(here) * 2:
            raise RuntimeError(f"{code}: too few items ({len(items)}) or patrons ({len(patrons)})")
        for share, plan in enumerate(here):
            plan.items = items[share :: len(here)]
            plan.patrons = [(barcode, "") for barcode in patrons[share :: len(here)]]
    pins = [f"{rng.randrange(10**6):06d}" for _ in range(DISTINCT_PINS)]
    hashes = {pin: make_password(pin, hasher="pbkdf2_sha256_pin") for pin in pins}
    with transaction.atomic():
        for plan in plans:
            for index, (barcode, _) in enumerate(plan.patrons):
                pin = rng.choice(pins)
                Patron.objects.filter(barcode=barcode).update(pin_hash=hashes[pin])
                plan.patrons[index] = (barcode, pin)
    return plans


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    counted_from: float  # perf_counter
    until: float
    gap: float | None  # mean seconds between one kiosk's requests; None: flat out
    ms: dict[str, list[float]] = field(default_factory=dict)  # by request type, counted only
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    behind: int = 0  # counted requests sent more than a mean gap after their time
    cpu: dict[str, float] = field(default_factory=dict)  # seconds: the server's, this process's

    @property
    def counted(self) -> int:
        return sum(len(samples) for samples in self.ms.values())

    def seconds(self) -> float:
        return self.until - self.counted_from


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and of its worker processes (`octavo sip2` forks
    one per core), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += sum(int(fields[i]) for i in (11, 12)) / ticks
    return total


class Kiosk:
    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan = plan
        self.rng = rng
        self.link: Link | None = None
        self.sequence = 0
        self.patron = rng.randrange(len(plan.patrons))
        self.item = rng.randrange(len(plan.items))
        self.sessions = 0
        self.next_at = 0.0

    async def open(self, port: int) -> None:
        self.link = await Link.open("127.0.0.1", port)
        answer = await self.link.ask(
            sealed(f"9300CN{self.plan.name}|CO{self.plan.password}|CP{self.plan.site}|", 0), 60
        )
        if answer is None or not answer.startswith(b"941"):
            raise RuntimeError(f"{self.plan.name} could not log in: {answer!r}")
        answer = await self.link.ask(sealed("9900302.00", 1), 60)
        if answer is None or not answer.startswith(b"98Y"):
            raise RuntimeError(f"{self.plan.name}: SC status answered {answer!r}")

    async def ask(self, phase: Phase, kind: str, text: str, ok: Any) -> bytes:
        """Send one request (when its time has come, paced), check and time its answer."""
        assert self.link is not None
        if phase.gap is not None:
            self.next_at += phase.gap * self.rng.uniform(0.5, 1.5)
            delay = self.next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        self.sequence += 1
        request = sealed(text.replace("{date}", sip_date(datetime.now(tz=UTC), UTC)), self.sequence)
        sent = time.perf_counter()
        answer = await self.link.ask(request, ANSWER_TIMEOUT_S)
        elapsed = time.perf_counter() - sent
        if answer is None:
            raise RuntimeError(f"{self.plan.name}: the server closed the connection ({kind})")
        counted = phase.counted_from <= sent < phase.until
        if counted:
            phase.ms.setdefault(kind, []).append(elapsed * 1000)
            if phase.gap is not None and sent - self.next_at > phase.gap:
                phase.behind += 1
        problem = flaw(answer) or (None if ok(answer) else "refused")
        if problem:  # counted in the warm-up too: nothing should be refused
            screen = fields(answer).get("AF", [""])[0] if problem == "refused" else problem
            phase.errors[f"{kind}: {screen}"] += 1
            if len(phase.examples) < 10:
                phase.examples.append(f"{request!r} -> {answer!r}")
        return answer

    async def session(self, phase: Phase) -> None:
        """One patron at the kiosk: look up, two check-outs, a look at an item, the status,
        goodbye; then the two items come back."""
        site = self.plan.site
        barcode, pin = self.plan.patrons[self.patron % len(self.plan.patrons)]
        self.patron += 1
        items = [self.plan.items[(self.item + n) % len(self.plan.items)] for n in range(2)]
        self.item += ITEMS_PER_PATRON
        patron = f"AO{site}|AA{barcode}|AC|AD{pin}|"

        def known(answer: bytes) -> bool:
            got = fields(answer)
            return got.get("BL") == ["Y"] and got.get("CQ") == ["Y"]

        await self.ask(phase, "63", "63001{date}          " + patron + "BP1|BQ5|", known)
        for item in items:
            await self.ask(
                phase,
                "11",
                "11NN{date}" + " " * 18 + patron + f"AB{item}|BON|BIN|",
                lambda a: a.startswith(b"121"),
            )
        await self.ask(
            phase, "17", f"17{{date}}AO{site}|AB{items[0]}|AC|", lambda a: a.startswith(b"1804")
        )
        await self.ask(phase, "23", "23001{date}" + patron, known)
        await self.ask(phase, "35", f"35{{date}}AO{site}|AA{barcode}|", lambda a: a[:3] == b"36Y")
        for item in items:
            await self.ask(
                phase,
                "09",
                "09N{date}" + " " * 18 + f"AP{site}|AO{site}|AB{item}|AC|",
                lambda a: a.startswith(b"101"),
            )
        self.sessions += 1
        if self.sessions % STATUS_EVERY == 0:
            await self.ask(phase, "99", "9900302.00", lambda a: a.startswith(b"98Y"))

    async def work(self, phase: Phase) -> None:
        """Patrons one after another until the phase ends (the last one finishes: nothing
        stays checked out)."""
        if phase.gap is not None:
            self.next_at = time.perf_counter() + self.rng.uniform(0, phase.gap)
        while time.perf_counter() < phase.until:
            await self.session(phase)


async def _load(port: int, plans: list[Plan], server_pid: int) -> list[Phase]:
    rng = random.Random(SEED + 1)
    kiosks = [Kiosk(plan, random.Random(rng.random())) for plan in plans]
    started = time.perf_counter()
    gate = asyncio.Semaphore(LOGINS_AT_ONCE)

    async def open_one(kiosk: Kiosk) -> None:
        async with gate:
            await kiosk.open(port)

    await asyncio.gather(*(open_one(k) for k in kiosks))
    _say(f"{len(kiosks)} kiosks logged in in {time.perf_counter() - started:.1f} s")
    runs = [(f"paced at {rate:g}/s", WARMUP_S, DURATION_S, len(kiosks) / rate) for rate in RATES]
    if FLAT_S > 0:
        runs.append(("flat out", FLAT_WARMUP_S, FLAT_S, None))
    phases = []
    for name, warmup, duration, gap in runs:
        now = time.perf_counter()
        phase = Phase(name, now + warmup, now + warmup + duration, gap)
        _say(f"{name}: {warmup:g} s warm-up, {duration:g} s counted")
        watch: list[float] = []

        async def mark(phase: Phase = phase, watch: list[float] = watch) -> None:
            await asyncio.sleep(max(0.0, phase.counted_from - time.perf_counter()))
            watch += [_cpu_seconds(server_pid), time.process_time()]
            await asyncio.sleep(max(0.0, phase.until - time.perf_counter()))
            watch += [_cpu_seconds(server_pid), time.process_time()]

        marker = asyncio.create_task(mark())
        await asyncio.gather(*(k.work(phase) for k in kiosks))
        await marker
        phase.cpu = {"server": watch[2] - watch[0], "load generator": watch[3] - watch[1]}
        _say(
            f"{name}: {phase.counted / phase.seconds():,.0f} messages/s, check-out p99 "
            f"{percentile(phase.ms.get('11', [0.0]), 0.99):.1f} ms, {sum(phase.errors.values())} "
            f"errors; CPU: server {phase.cpu['server']:.1f} s, load generator "
            f"{phase.cpu['load generator']:.1f} s over {phase.seconds():g} s"
        )
        phases.append(phase)
    for kiosk in kiosks:
        if kiosk.link is not None:
            await kiosk.link.close()
    return phases


# --- the benchmark -------------------------------------------------------------------------------


def run() -> list[Figure]:
    from bench import bench_checkout as checkout
    from bench.bench_api_overhead import _octavo

    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        (root / "var").mkdir()
        path = root / "octavo.sqlite3"
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                "OCTAVO_DEBUG": "false",
                "OCTAVO_LOG_LEVEL": "WARNING",
            }
        )
        _say("migrating a fresh SQLite database")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
        import django

        django.setup()
        from django.db import connections

        from octavo.shared.clock import now

        t0 = now().replace(microsecond=0)
        checkout.ITEMS, checkout.PATRONS = ITEMS, PATRONS
        _, loan_days = checkout._setup(t0)
        connections.close_all()
        _say(f"writing {ITEMS:,} items and {PATRONS:,} patrons (bench_checkout's builder)")
        built = checkout._build(path, t0, loan_days)
        _say(f"built in {built.seconds:.0f} s, {built.megabytes:,.0f} MiB; {KIOSKS} kiosk accounts")
        plans = _plans(t0)
        connections.close_all()
        log = root / "sip2.log"
        server, port = start_server(log, workers=WORKERS or None, processes=PROCESSES or None)
        try:
            phases = asyncio.run(_load(port, plans, server.pid))
        finally:
            status = stop_server(server)
        load = load_average()
        refusals = log.read_text(errors="replace").count("SIP2 refused")
        crashed = "Traceback" in log.read_text(errors="replace")
    for phase in phases:
        for example in phase.examples:
            _say(f"{phase.name} error: {example}")
    figures = _figures(phases, load, refusals, checkout._data(built))
    errors = sum(sum(phase.errors.values()) for phase in phases)
    if crashed or status != 0 or errors:
        for figure in figures:  # what was measured, before the benchmark fails
            _say(f"{figure.name}: {figure.value:,.2f} {figure.unit}")
        raise RuntimeError(
            f"{errors} answers said no or were not well-formed; the server "
            f"{'logged a traceback' if crashed else 'did not'}, stopped with status {status}"
        )
    return figures


def _figures(phases: list[Phase], load: str, refusals: int, data: str) -> list[Figure]:
    from octavo.interfaces.sip2.server import default_processes

    figures = []
    for phase in phases:
        every = [ms for samples in phase.ms.values() for ms in samples]
        per_second = phase.counted / phase.seconds()
        errors = sum(phase.errors.values())
        mix = ", ".join(f"{kind} {len(samples):,}" for kind, samples in sorted(phase.ms.items()))
        p99s = ", ".join(
            f"{kind} {percentile(samples, 0.99):.1f}" for kind, samples in sorted(phase.ms.items())
        )
        offered = (
            f"paced: {KIOSKS} kiosks offering {KIOSKS / (phase.gap or 1):g} messages/s together "
            f"(a kiosk waits for "
            f"each answer; {phase.behind:,} requests went out more than a mean gap late)"
            if phase.gap is not None
            else f"flat out: {KIOSKS} kiosks, each request sent as soon as the last is answered"
        )
        how = (
            f"`octavo sip2` on SQLite ({PROCESSES or default_processes(answering=True)} "
            f"connection processes and the answering process) on 127.0.0.1; {offered}; "
            f"{phase.seconds():g} s counted after "
            f"{WARMUP_S if phase.gap is not None else FLAT_WARMUP_S:g} s warm-up; each patron: "
            f"63 with PIN, two 11, a 17, a 23, a 35, two 09, a 99 every {STATUS_EVERY}th; "
            f"error detection on; {phase.counted:,} requests counted ({mix}); p99 by type "
            f"{p99s} ms; {errors:,} errors {dict(phase.errors.most_common(5))}; CPU seconds in "
            f"the counted time: server {phase.cpu['server']:.1f}, load generator "
            f"{phase.cpu['load generator']:.1f}; {refusals:,} refusals in the server's log over "
            f"the whole run; kiosk passwords hashed with the PIN hasher; {data}; {load}"
        )
        label = f"{KIOSKS} kiosks {phase.name}"
        checkout = phase.ms.get("11", [0.0])
        if phase.gap is not None:
            figures += [
                Figure(f"{label}: check-out round trip {name}", percentile(checkout, p), "ms", how)
                for name, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
            ]
            figures.append(
                Figure(f"{label}: every request p99", percentile(every, 0.99), "ms", how)
            )
        else:
            figures.append(
                Figure(f"{label}: check-out round trip p99", percentile(checkout, 0.99), "ms", how)
            )
        figures += [
            Figure(f"{label}: throughput", per_second, "messages/s", how),
            Figure(f"{label}: errors", errors, "answers", how),
        ]
    return figures
