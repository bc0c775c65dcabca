"""`make bench`: run every bench/bench_*.py, print its figures, record them in docs/benchmarks.md.

    python -m bench.run                   every benchmark
    python -m bench.run api_overhead      only bench/bench_api_overhead.py
    python -m bench.run --no-record ...   print, leave docs/benchmarks.md alone

A benchmark module exposes `run() -> list[Figure]`. Each runs in a Python process of its own
(`python -m bench.run --one NAME`), so one benchmark's Django settings cannot leak into the next.
When every benchmark succeeded, the section of docs/benchmarks.md between the `bench:start` and
`bench:end` markers is rewritten (figures, date, machine) and the history table gets one row for
this commit on this machine (a later run of the same commit on the same machine replaces it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Figure

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
RESULT_PREFIX = "BENCH-FIGURES "
TIMEOUT_S = 900
SECTION = ("<!-- bench:start -->", "<!-- bench:end -->")
HISTORY = ("<!-- bench:history:start -->", "<!-- bench:history:end -->")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help="do not touch the docs")
    args = parser.parse_args(argv)
    if args.one:
        return _run_one(args.one)

    available = sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    names = args.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are: {', '.join(available)}")

    results: dict[str, list[Figure]] = {}
    failed = []
    for name in names:
        print(f"==> {name}", flush=True)
        figures = _run_in_child(name)
        if figures is None:
            failed.append(name)
        else:
            results[name] = figures
    _print_table(results)
    if failed:
        print(f"FAILED: {', '.join(failed)}; docs/benchmarks.md left as it was", file=sys.stderr)
        return 1
    if not args.no_record:
        _record(results, partial=bool(args.names) and set(names) != set(available))
        print(f"Recorded in {DOC.relative_to(ROOT)}")
    return 0


def _run_one(name: str) -> int:
    module = importlib.import_module(f"bench.bench_{name}")
    figures: list[Figure] = module.run()
    print(RESULT_PREFIX + json.dumps([asdict(f) for f in figures]), flush=True)
    return 0


def _run_in_child(name: str) -> list[Figure] | None:
    # A benchmark that needs longer (one that builds a large database) says so in TIMEOUT_S.
    timeout = getattr(importlib.import_module(f"bench.bench_{name}"), "TIMEOUT_S", TIMEOUT_S)
    try:
        child = subprocess.run(
            [sys.executable, "-m", "bench.run", "--one", name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"{name}: gave no result within {timeout} s", file=sys.stderr)
        return None
    lines = child.stdout.splitlines()
    for line in lines:
        if not line.startswith(RESULT_PREFIX):
            print(line)
    found = [line for line in lines if line.startswith(RESULT_PREFIX)]
    if child.returncode != 0 or not found:
        print(f"{name}: failed (exit {child.returncode})", file=sys.stderr)
        return None
    return [Figure(**data) for data in json.loads(found[-1].removeprefix(RESULT_PREFIX))]


def _format(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _print_table(results: dict[str, list[Figure]]) -> None:
    rows = [(f.name, _format(f.value), f.unit) for figures in results.values() for f in figures]
    if not rows:
        return
    width = max(len(name) for name, _, _ in rows)
    print()
    for name, value, unit in rows:
        print(f"  {name.ljust(width)}  {value.rjust(10)} {unit}")
    print()


def _machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = " ".join(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    system = platform.system()
    try:
        release = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        system = release.get("PRETTY_NAME", system).strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "ram": ram,
        "system": system,
        "python": platform.python_version(),
        "database": f"SQLite {sqlite3.sqlite_version}",
    }


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+" if git("status", "--porcelain") else "")


def _split(text: str, markers: tuple[str, str]) -> tuple[str, str, str]:
    """(before, between, after) the two markers, which stay in before and after."""
    start, end = markers
    if start not in text or end not in text.split(start, 1)[1]:
        raise SystemExit(f"{DOC.relative_to(ROOT)} lacks the markers {start} ... {end}")
    head, rest = text.split(start, 1)
    between, tail = rest.split(end, 1)
    return head + start, between, end + tail


def _replace_between(text: str, markers: tuple[str, str], body: str) -> str:
    head, _, tail = _split(text, markers)
    return f"{head}\n{body}\n{tail}"


def _short_names(figures: list[Figure]) -> list[str]:
    """The figures' names without the words they all start with (`GET /api/v1/me ...`)."""
    words = [figure.name.split(" ") for figure in figures]
    shared = 0
    if len(words) > 1:
        while all(len(w) > shared + 1 and w[shared] == words[0][shared] for w in words):
            shared += 1
    return [" ".join(w[shared:]) for w in words]


def _record(results: dict[str, list[Figure]], *, partial: bool) -> None:
    machine = _machine()
    when = datetime.now(tz=UTC)
    commit = _commit()
    machine_line = (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM; {machine['system']}; "
        f"Python {machine['python']}; {machine['database']}"
    )
    lines = [
        f"Measured {when:%Y-%m-%d %H:%M} UTC at commit `{commit}`"
        + (" (uncommitted changes)" if commit.endswith("+") else "")
        + (", these benchmarks only" if partial else "")
        + ".",
        "",
        f"Machine: {machine_line}.",
        "",
        "| benchmark | figure | value | how |",
        "| --- | --- | ---: | --- |",
    ]
    for name, figures in results.items():
        previous = None
        for figure in figures:
            how = "as above" if figure.detail == previous else figure.detail
            previous = figure.detail
            lines.append(
                f"| `{name}` | {figure.name} | {_format(figure.value)} {figure.unit} | {how} |"
            )
    text = DOC.read_text()
    text = _replace_between(text, SECTION, "\n".join(lines))

    short_machine = f"{machine['cpu']}, {machine['cores']} cores"
    summary = "; ".join(
        f"{short} {_format(figure.value)} {figure.unit}"
        for figures in results.values()
        for short, figure in zip(_short_names(figures), figures, strict=True)
    )
    row = f"| {when:%Y-%m-%d} | `{commit}` | {short_machine} | {summary} |"
    old_rows = _split(text, HISTORY)[1].strip().splitlines()
    header, rows = old_rows[:2], old_rows[2:]
    if len(header) < 2:
        header = ["| date (UTC) | commit | machine | figures |", "| --- | --- | --- | --- |"]
    same_run = f"| `{commit}` | {short_machine} |"
    rows = [row, *(r for r in rows if same_run not in r)]
    text = _replace_between(text, HISTORY, "\n".join([*header, *rows]))
    DOC.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
