"""`octavo shelf-order` as a librarian pipes a list through it: a real process, bytes in and out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

OCTAVO = shutil.which("octavo", path=str(Path(sys.executable).parent)) or "octavo"


def shelf_order(tmp_path: Path, data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTAVO_")}
    env["OCTAVO_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [OCTAVO, "shelf-order", *args],
        input=data,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_a_mixed_list_comes_back_in_shelf_order_byte_for_byte(tmp_path: Path) -> None:
    cart = (
        b"FIC ROW\r\n"
        b"599.8 KIN\n"
        b"\n"
        b"REF 973.7 LIN\n"
        b"  599.75 smi 2010 c.2\n"
        b"Harry Potter\n"
        b"92 WAS\n"
        b"E SEU\n"
        b"   \n"
        b"QA76.73 .P98 L877 2013\n"
        b"E 398.2 GRI\n"
        b"B LIN\n"
        b"599.75 SMI v.10\n"
        b"599.75 SMI v.2"
    )
    result = shelf_order(tmp_path, cart)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (
        b"  599.75 smi 2010 c.2\n"
        b"599.75 SMI v.2\n"
        b"599.75 SMI v.10\n"
        b"599.8 KIN\n"
        b"92 WAS\n"
        b"QA76.73 .P98 L877 2013\n"
        b"B LIN\n"
        b"E 398.2 GRI\n"
        b"E SEU\n"
        b"FIC ROW\r\n"
        b"REF 973.7 LIN\n"
        b"Harry Potter\n"
    )
    warnings = result.stderr.decode().splitlines()
    assert len(warnings) == 1
    assert "line 6" in warnings[0]
    assert "'Harry Potter'" in warnings[0]
    assert "Traceback" not in result.stderr.decode()


def test_each_unreadable_line_is_kept_and_named_by_its_line_number(tmp_path: Path) -> None:
    result = shelf_order(tmp_path, b"REF ???\n599.75 SMI\n16 ABC\n\xff\xfe\n", "--scheme", "dewey")
    assert result.returncode == 0
    assert result.stdout == b"599.75 SMI\nREF ???\n16 ABC\n\xff\xfe\n"
    stderr = result.stderr.decode()
    assert "line 1: 'REF ???'" in stderr and "end of the REF section" in stderr
    assert "line 3: '16 ABC': a Dewey class number has three digits" in stderr
    assert "line 4: " in stderr


def test_an_lc_library_reads_its_own_list(tmp_path: Path) -> None:
    cart = b"QA100 .B3\nQA76.73.P99\nQA76.73.P985 A1\nQA 76.73 P98\nB 105 .A35\n"
    result = shelf_order(tmp_path, cart, "--scheme", "lc")
    assert result.returncode == 0
    assert result.stdout == (b"B 105 .A35\nQA 76.73 P98\nQA76.73.P985 A1\nQA76.73.P99\nQA100 .B3\n")
    assert result.stderr == b""


def test_an_unknown_scheme_is_refused(tmp_path: Path) -> None:
    result = shelf_order(tmp_path, b"599.75 SMI\n", "--scheme", "udc")
    assert result.returncode == 2
    assert b"invalid choice: 'udc'" in result.stderr
