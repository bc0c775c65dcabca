"""Reading OneRoster 1.1 CSV files: encodings, delimiters, headers, lines, duplicates. No
database: bytes in, rows and problems out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from octavo.patrons.errors import RosterUnreadable
from octavo.patrons.oneroster import Problem, decode, load_files, read_roster, read_table

MANIFEST = (
    "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\n"
    "file.users,bulk\nfile.classes,absent\nfile.enrollments,absent\n"
)
ORGS = "sourcedId,status,dateLastModified,name,type,identifier\no1,,,North,school,NES\n"
USERS_HEADER = "sourcedId,enabledUser,orgSourcedIds,role,givenName,familyName,identifier,grades\n"


def folder(tmp_path: Path, users: str, **files: str) -> Path:
    for name, text in {"manifest": MANIFEST, "orgs": ORGS, "users": users, **files}.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_bom_is_dropped_and_said() -> None:
    warnings: list[Problem] = []
    assert decode("users.csv", b"\xef\xbb\xbfsourcedId\n", warnings) == "sourcedId\n"
    assert warnings == [
        Problem("users.csv", 1, "starts with a byte order mark (BOM): ignored, as OneRoster allows")
    ]


def test_only_the_lines_that_are_not_utf8_are_read_as_windows_1252() -> None:
    warnings: list[Problem] = []
    data = "a\nPérez\n".encode() + "Muñoz\n".encode("cp1252") + b"\x81x"
    assert decode("users.csv", data, warnings) == "a\nPérez\nMuñoz\n\x81x"
    assert [w.line for w in warnings] == [3, 4]


def test_a_semicolon_file_is_read_with_semicolons() -> None:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    table = read_table(
        "orgs.csv", b"sourcedId;name;type\no1;North, the school;school\n", errors, warnings
    )
    assert table is not None
    assert list(table.rows) == [(2, ["o1", "North, the school", "school"])]
    assert [w.line for w in warnings] == [1]


def test_header_names_match_whatever_their_case_and_missing_ones_are_named() -> None:
    errors: list[Problem] = []
    table = read_table("orgs.csv", b"SOURCEDID,Name,type\n", errors, [])
    assert table is not None and table.column("sourcedId") == 0
    assert read_table("orgs.csv", b"sourcedId,title\n", errors, []) is None
    assert [str(e) for e in errors] == ["orgs.csv line 1: has no name, type column"]


def test_short_rows_and_blank_lines_are_counted_by_their_line() -> None:
    errors: list[Problem] = []
    table = read_table(
        "orgs.csv", b"sourcedId,name,type\r\n\r\no1,North\r\no2,South,school\r\n", errors, []
    )
    assert table is not None
    assert list(table.rows) == [(4, ["o2", "South", "school"])]
    assert [str(e) for e in errors] == ["orgs.csv line 3: has 2 cells where the header has 3"]


def test_a_quoted_list_keeps_its_commas() -> None:
    table = read_table(
        "users.csv", (USERS_HEADER + 'u1,true,"o1,o2",student,A,B,1,03\n').encode(), [], []
    )
    assert table is not None
    ((_line, cells),) = list(table.rows)
    assert cells[2] == "o1,o2"


def test_users_with_problems_are_set_aside_and_remembered(tmp_path: Path) -> None:
    users = USERS_HEADER + (
        "u1,true,o1,student,Ana,Ruiz,S1,03\n"
        "u1,true,o1,student,Ana,Ruiz,S9,03\n"
        "u2,maybe,o1,student,Ben,Ode,S2,03\n"
        "u3,true,o1,wizard,Cy,Ode,S3,03\n"
        "u4,false,o1,student,Di,Ode,S4,03\n"
    )
    roster = read_roster(folder(tmp_path, users), today=date(2026, 9, 1))
    assert [str(e) for e in roster.errors] == [
        "users.csv line 3: sourcedId 'u1' is also on line 2: neither line is used",
        "users.csv line 4: enabledUser 'maybe' is not true or false",
        "users.csv line 5: role 'wizard' is not a OneRoster 1.1 role",
    ]
    assert [(u.sourced_id, u.enabled) for u in roster.users] == [("u4", False)]
    assert roster.refused_user_ids == {"u1", "u2", "u3"}
    assert roster.refused_identifiers == {"S1", "S2", "S3", "S9"}


def test_a_folder_without_a_manifest_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text(USERS_HEADER)
    with pytest.raises(RosterUnreadable) as err:
        read_roster(tmp_path, today=date(2026, 9, 1))
    assert err.value.field == "manifest.csv"


def test_a_path_that_is_neither_folder_nor_zip_is_unreadable(tmp_path: Path) -> None:
    other = tmp_path / "roster.txt"
    other.write_text("hello")
    with pytest.raises(RosterUnreadable, match=r"neither a folder nor a \.zip"):
        load_files(other)
    with pytest.raises(RosterUnreadable, match="there is no"):
        load_files(tmp_path / "missing")


def test_only_current_homeroom_enrollments_are_kept(tmp_path: Path) -> None:
    users = USERS_HEADER + "u1,true,o1,student,Ana,Ruiz,S1,03\n"
    classes = (
        "sourcedId,title,classType,schoolSourcedId\nh1,Room 4,homeroom,o1\nm1,Math,scheduled,o1\n"
    )
    enrollments = (
        "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,beginDate,endDate\n"
        "e1,h1,o1,u1,student,2026-08-15,2027-06-10\n"
        "e2,h1,o1,u1,student,2025-08-15,2026-06-10\n"
        "e3,m1,o1,u1,student,,\n"
        "e4,h1,o1,u1,student,2026-09-31,\n"
    )
    manifest = MANIFEST.replace("classes,absent", "classes,bulk").replace(
        "enrollments,absent", "enrollments,bulk"
    )
    path = folder(tmp_path, users, classes=classes, enrollments=enrollments, manifest=manifest)
    roster = read_roster(path, today=date(2026, 9, 1))
    assert [e.line for e in roster.enrollments] == [2]
    assert list(roster.homerooms) == ["h1"]
    assert [str(e) for e in roster.errors] == [
        "enrollments.csv line 5: '2026-09-31' is not a date (YYYY-MM-DD)"
    ]
