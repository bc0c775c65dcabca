"""`octavo import-marc` and `octavo export-marc` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.interfaces.cli.test_octavo_command import migrated, run
from tests.samples import SAMPLES, needs_samples

pytestmark = needs_samples


def test_import_prints_counts_writes_rejects_and_exits_0(tmp_path: Path) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "LES", "Lincoln Elementary")
    files = sorted(str(p) for p in (SAMPLES / "bin_input").glob("*.mrc"))
    rejects = tmp_path / "rejects.tsv"
    result = run(
        tmp_path,
        "import-marc",
        *files,
        "--site",
        "LES",
        "--holdings",
        "none",
        "--rejects",
        str(rejects),
        "--json",
    )
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts == {"read": 60, "created": 53, "updated": 0, "rejected": 7, "items_created": 0}
    lines = rejects.read_text().splitlines()
    assert lines[0].split("\t") == [
        "file",
        "position",
        "byte_offset",
        "control_number",
        "tag",
        "barcode",
        "reason",
    ]
    assert any("lesabndioeinas00sche_meta.mrc\t1\t0\tAET-2444" in line for line in lines)
    again = run(tmp_path, "import-marc", *files, "--site", "LES", "--holdings", "none", "--json")
    assert json.loads(again.stdout.strip().splitlines()[-1])["created"] == 0


def test_import_without_json_names_each_rejected_record(tmp_path: Path) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "LES", "Lincoln Elementary")
    path = SAMPLES / "bin_input" / "upei_short_008.mrc"
    result = run(tmp_path, "import-marc", str(path), "--site", "LES")
    assert "read 1, created 0, updated 0, rejected 1, items created 0" in result.stdout
    assert "upei_short_008.mrc record 1: base address 157" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--site", "ZZZ"), "site: no site with code 'ZZZ'"),
        (("--site", "LES", "--format", "pdf"), "invalid choice: 'pdf'"),
    ],
)
def test_import_that_cannot_run_exits_non_zero(tmp_path: Path, args, message) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "LES", "Lincoln Elementary")
    path = SAMPLES / "bin_input" / "talis_two_authors.mrc"
    result = run(tmp_path, "import-marc", str(path), *args, check=False)
    assert result.returncode != 0
    assert message in result.stderr


def test_missing_file_is_named(tmp_path: Path) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "LES", "Lincoln Elementary")
    result = run(tmp_path, "import-marc", "nope.mrc", "--site", "LES", check=False)
    assert result.returncode == 2
    assert "cannot read nope.mrc" in result.stderr


def test_export_writes_a_file_that_imports_again(tmp_path: Path) -> None:
    migrated(tmp_path)
    run(tmp_path, "site", "add", "LES", "Lincoln Elementary")
    files = sorted(str(p) for p in (SAMPLES / "xml_input").glob("*.xml"))
    run(tmp_path, "import-marc", *files, "--site", "LES")
    out = tmp_path / "all.xml"
    assert (
        "exported 22 records"
        in run(tmp_path, "export-marc", "--out", str(out), "--format", "marcxml").stdout
    )
    assert not (tmp_path / "all.xml.partial").exists()
    again = run(tmp_path, "import-marc", str(out), "--site", "LES", "--json")
    counts = json.loads(again.stdout.strip().splitlines()[-1])
    assert (counts["read"], counts["created"], counts["updated"]) == (22, 0, 22)
