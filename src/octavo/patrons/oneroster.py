"""Reading a OneRoster 1.1 CSV roster: a folder or a .zip holding manifest.csv, orgs.csv,
users.csv, classes.csv and enrollments.csv. Bytes in; typed rows, and problems naming the file and
line, out. No database: what the rows mean for Octavo's patrons is roster.py's business.

The format is the OneRoster 1.1 CSV binding (IMS Global, "OneRoster v1.1 CSV Tables"): RFC 4180
CSV in UTF-8 (a byte order mark tolerated), a header row, lists inside a cell separated by
commas, dates in ISO 8601, and a manifest saying which files are bulk (the whole set), delta
(changes only) or absent.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from octavo.patrons.errors import RosterUnreadable
from octavo.shared.cells import looks_like_formula

MANIFEST = "manifest.csv"
ORGS = "orgs.csv"
USERS = "users.csv"
CLASSES = "classes.csv"
ENROLLMENTS = "enrollments.csv"
FILES = (MANIFEST, ORGS, USERS, CLASSES, ENROLLMENTS)
BULK, DELTA, ABSENT = "bulk", "delta", "absent"
# A district's users.csv of 100,000 people is about 20 MB; this only stops a zip bomb.
MAX_FILE_BYTES = 1024 * 1024 * 1024

# The columns Octavo reads; the binding has more, which are passed over. users.csv `identifier`
# is optional in the binding but is where Octavo takes the library card barcode from (roster.py).
REQUIRED: dict[str, tuple[str, ...]] = {
    MANIFEST: ("propertyName", "value"),
    ORGS: ("sourcedId", "name", "type"),
    USERS: ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName", "identifier"),
    CLASSES: ("sourcedId", "title", "classType", "schoolSourcedId"),
    ENROLLMENTS: ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    MANIFEST: (),
    ORGS: ("status", "dateLastModified", "identifier", "parentSourcedId"),
    USERS: (
        "status", "dateLastModified", "enabledUser", "username", "userIds", "middleName",
        "email", "sms", "phone", "agentSourcedIds", "grades", "password",
    ),
    CLASSES: (
        "status", "dateLastModified", "grades", "courseSourcedId", "classCode", "location",
        "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    ENROLLMENTS: ("status", "dateLastModified", "primary", "beginDate", "endDate"),
}  # fmt: skip
USER_ROLES = frozenset(
    {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
)
_STATUSES = frozenset({"", "active", "tobedeleted"})
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong (or worth knowing) about a roster, where it is: line 0 is the file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file} line {self.line}: {self.message}"
            if self.line
            else (f"{self.file}: {self.message}")
        )


@dataclass(frozen=True, slots=True)
class Org:
    sourced_id: str
    line: int
    name: str
    type: str
    identifier: str


@dataclass(frozen=True, slots=True)
class User:
    sourced_id: str
    line: int
    tobedeleted: bool
    enabled: bool
    org_ids: tuple[str, ...]
    role: str
    username: str
    given_name: str
    family_name: str
    identifier: str
    email: str
    phone: str
    agent_ids: tuple[str, ...]
    grades: str


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A place in a homeroom class (the only classes Octavo reads people from)."""

    line: int
    class_id: str
    school_id: str
    user_id: str
    role: str
    primary: bool


@dataclass(frozen=True, slots=True)
class HomeroomClass:
    sourced_id: str
    line: int
    title: str
    school_id: str


@dataclass
class Roster:
    modes: dict[str, str]
    orgs: dict[str, Org] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    homerooms: dict[str, HomeroomClass] = field(default_factory=dict)
    enrollments: list[Enrollment] = field(default_factory=list)
    # Users on lines that could not be used: they are in the roster, so never taken as leaving.
    refused_user_ids: set[str] = field(default_factory=set)
    refused_identifiers: set[str] = field(default_factory=set)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def mode(self, name: str) -> str:
        return self.modes.get(name, ABSENT)

    def set_aside(self, *, sourced_id: str = "", identifier: str = "") -> None:
        """Remember a user whose line could not be used (blank values say nothing)."""
        if sourced_id:
            self.refused_user_ids.add(sourced_id)
        if identifier:
            self.refused_identifiers.add(identifier)


# --- files ------------------------------------------------------------------------------------


def load_files(path: Path) -> dict[str, bytes]:
    """The roster's CSV files by name, from a folder or a .zip (at its top or in one folder)."""
    if path.is_dir():
        present = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
        out = {}
        for name in FILES:
            if name in present:
                if present[name].stat().st_size > MAX_FILE_BYTES:
                    raise RosterUnreadable("larger than 1 GB", field=name)
                out[name] = present[name].read_bytes()
        return out
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            found: dict[str, zipfile.ZipInfo] = {}
            for info in archive.infolist():
                base = info.filename.rsplit("/", 1)[-1].lower()
                if info.is_dir() or base not in FILES or info.filename.count("/") > 1:
                    continue
                if base in found:
                    raise RosterUnreadable(f"the zip holds two {base} files", field=base)
                found[base] = info
            out = {}
            for name, info in found.items():
                if info.file_size > MAX_FILE_BYTES:
                    raise RosterUnreadable("larger than 1 GB", field=name)
                with archive.open(info) as member:
                    out[name] = member.read(MAX_FILE_BYTES + 1)
            return out
    if path.exists():
        raise RosterUnreadable(f"{path.name} is neither a folder nor a .zip file", field="path")
    raise RosterUnreadable(f"there is no {path.name}", field="path")


def _windows_1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return raw.decode("latin-1")


def decode(name: str, data: bytes, warnings: list[Problem]) -> str:
    """UTF-8 text; a BOM is dropped, and a line that is not UTF-8 is read as Windows-1252 (what
    a spreadsheet saves as "CSV" on a Windows computer), each said with its line."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
        warnings.append(
            Problem(name, 1, "starts with a byte order mark (BOM): ignored, as OneRoster allows")
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(_windows_1252(raw))
            warnings.append(
                Problem(
                    name,
                    number,
                    "is not UTF-8: read as Latin-1 (Windows-1252); check the accented letters",
                )
            )
    return "\n".join(lines)


@dataclass
class Table:
    name: str
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]

    def column(self, name: str) -> int | None:
        return self.columns.get(name)


def read_table(
    name: str, data: bytes, errors: list[Problem], warnings: list[Problem]
) -> Table | None:
    """The table's header checked and its rows as (line, cells); None when it cannot be read."""
    text = decode(name, data, warnings)
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first and ";" in first:
        delimiter = ";"
        warnings.append(
            Problem(name, 1, "is separated by semicolons, not commas: read with semicolons")
        )
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        errors.append(Problem(name, 0, "is empty"))
        return None
    except csv.Error as exc:
        errors.append(Problem(name, 1, f"cannot be read as CSV: {exc}"))
        return None
    # Header names are matched whatever their case; the binding's own spelling is kept.
    known = {c.lower(): c for c in (*REQUIRED[name], *OPTIONAL[name])}
    names = [known.get(h.strip().lower(), h.strip()) for h in header]
    columns = {n: i for i, n in reversed(list(enumerate(names)))}
    missing = [c for c in REQUIRED[name] if c not in columns]
    if missing:
        errors.append(Problem(name, 1, f"has no {', '.join(missing)} column"))
        return None
    return Table(name, columns, _rows(name, reader, len(names), errors))


def _rows(
    name: str, reader: Iterator[list[str]], width: int, errors: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    line_num = 1
    while True:
        start = line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line_num = reader.line_num  # type: ignore[attr-defined]
            errors.append(Problem(name, start, f"cannot be read as CSV: {exc}"))
            continue
        line_num = reader.line_num  # type: ignore[attr-defined]
        if not any(cells):
            continue
        if len(cells) < width or any(c.strip() for c in cells[width:]):
            errors.append(
                Problem(name, start, f"has {len(cells)} cells where the header has {width}")
            )
            continue
        yield start, [c.strip() for c in cells[:width]]


# --- rows -------------------------------------------------------------------------------------


def _cell(cells: Sequence[str], index: int | None) -> str:
    return cells[index] if index is not None else ""


def _list(value: str) -> tuple[str, ...]:
    return tuple(v for v in (part.strip() for part in value.split(",")) if v)


def _flag(value: str, *, default: bool) -> bool | None:
    text = value.lower()
    if not text:
        return default
    return {"true": True, "false": False}.get(text)


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


class _Rows:
    """The checks every OneRoster table shares: a sourcedId, once; a known status; dates."""

    def __init__(self, roster: Roster, table: Table):
        self.roster, self.table = roster, table
        self.first_line: dict[str, int] = {}
        self.refused: set[str] = set()
        self.sourced_id = table.column("sourcedId")
        self.status = table.column("status")
        self.modified = table.column("dateLastModified")

    def error(self, line: int, message: str) -> None:
        self.roster.errors.append(Problem(self.table.name, line, message))

    def warn(self, line: int, message: str) -> None:
        self.roster.warnings.append(Problem(self.table.name, line, message))

    def usable(self, line: int, cells: Sequence[str]) -> str | None:
        """The row's sourcedId when the row may be used, else None (the error is reported)."""
        sourced_id = _cell(cells, self.sourced_id)
        if not sourced_id:
            self.error(line, "sourcedId is blank")
            return None
        if sourced_id in self.first_line:
            self.error(
                line,
                f"sourcedId {sourced_id!r} is also on line {self.first_line[sourced_id]}: "
                "neither line is used",
            )
            self.refused.add(sourced_id)
            return None
        self.first_line[sourced_id] = line
        status = _cell(cells, self.status).lower()
        if status not in _STATUSES:
            self.error(line, f"status {status!r} is not active or tobedeleted")
            self.refused.add(sourced_id)
            return None
        modified = _cell(cells, self.modified)
        if modified:
            try:
                datetime.fromisoformat(modified)
            except ValueError:
                self.error(line, f"dateLastModified {modified!r} is not an ISO 8601 date")
                self.refused.add(sourced_id)
                return None
        return sourced_id

    def text(self, line: int, cells: Sequence[str], column: str) -> str:
        """A text cell; one a spreadsheet would run as a formula is kept as text, and said."""
        value = _cell(cells, self.table.column(column))
        if value and looks_like_formula(value):
            self.warn(line, f"{column} {value!r} looks like a spreadsheet formula: kept as text")
        return value


def _read_manifest(files: dict[str, bytes]) -> dict[str, str]:
    if MANIFEST not in files:
        raise RosterUnreadable(
            "missing: a OneRoster roster has a manifest saying which files it holds",
            field=MANIFEST,
        )
    errors: list[Problem] = []
    table = read_table(MANIFEST, files[MANIFEST], errors, [])
    if table is None:
        raise RosterUnreadable(
            "; ".join(str(e).removeprefix(f"{MANIFEST} ") for e in errors), field=MANIFEST
        )
    key, value = table.column("propertyName"), table.column("value")
    properties = {_cell(c, key): _cell(c, value) for _, c in table.rows}
    version = properties.get("oneroster.version", "")
    if version != "1.1":
        raise RosterUnreadable(
            f"oneroster.version is {version!r}: Octavo reads OneRoster 1.1 CSV", field=MANIFEST
        )
    modes = {}
    for name in FILES[1:]:
        mode = properties.get(f"file.{name.removesuffix('.csv')}", "").lower()
        if not mode:
            mode = BULK if name in files else ABSENT
        if mode not in (BULK, DELTA, ABSENT):
            raise RosterUnreadable(
                f"file.{name.removesuffix('.csv')} is {mode!r}, not bulk, delta or absent",
                field=MANIFEST,
            )
        if mode != ABSENT and name not in files:
            raise RosterUnreadable(
                f"the manifest lists {name} ({mode}) but it is missing", field=name
            )
        modes[name] = mode
    for name in (ORGS, USERS):
        if modes[name] == ABSENT:
            raise RosterUnreadable("absent: a roster needs its orgs and users", field=name)
    return modes


def read_roster(path: Path, *, today: date) -> Roster:
    """Read everything Octavo uses from the roster at `path`; line problems are collected.

    `today` decides which homeroom enrollments are current (beginDate and endDate)."""
    files = load_files(path)
    roster = Roster(modes=_read_manifest(files))
    for name in (ORGS, USERS):
        table = read_table(name, files[name], roster.errors, roster.warnings)
        if table is None:
            problem = next(e for e in reversed(roster.errors) if e.file == name)
            raise RosterUnreadable(str(problem).removeprefix(f"{name} "), field=name)
        if name == ORGS:
            _read_orgs(roster, table)
        else:
            _read_users(roster, table)
    if roster.mode(CLASSES) != ABSENT and roster.mode(ENROLLMENTS) != ABSENT:
        classes = read_table(CLASSES, files[CLASSES], roster.errors, roster.warnings)
        if classes is not None:
            _read_classes(roster, classes)
            enrollments = read_table(
                ENROLLMENTS, files[ENROLLMENTS], roster.errors, roster.warnings
            )
            if enrollments is not None:
                _read_enrollments(roster, enrollments, today)
    roster.errors.sort()
    roster.warnings.sort()
    return roster


def _read_orgs(roster: Roster, table: Table) -> None:
    rows = _Rows(roster, table)
    name, kind, identifier = table.column("name"), table.column("type"), table.column("identifier")
    for line, cells in table.rows:
        sourced_id = rows.usable(line, cells)
        if sourced_id is None:
            continue
        roster.orgs[sourced_id] = Org(
            sourced_id,
            line,
            _cell(cells, name),
            _cell(cells, kind).lower(),
            _cell(cells, identifier),
        )
    for sourced_id in rows.refused:
        roster.orgs.pop(sourced_id, None)


def _read_users(roster: Roster, table: Table) -> None:
    rows = _Rows(roster, table)
    col = table.column
    enabled_at, role_at, identifier_at = col("enabledUser"), col("role"), col("identifier")
    for line, cells in table.rows:
        identifier = _cell(cells, identifier_at)
        sourced_id = rows.usable(line, cells)
        if sourced_id is None:
            roster.set_aside(identifier=identifier)
            continue
        enabled = _flag(_cell(cells, enabled_at), default=True)
        role = _cell(cells, role_at).lower()
        problem = None
        if enabled is None:
            problem = f"enabledUser {_cell(cells, enabled_at)!r} is not true or false"
        elif role not in USER_ROLES:
            problem = f"role {_cell(cells, role_at)!r} is not a OneRoster 1.1 role"
        if problem is not None:
            rows.error(line, problem)
            rows.refused.add(sourced_id)
            roster.set_aside(identifier=identifier)
            continue
        roster.users.append(
            User(
                sourced_id=sourced_id,
                line=line,
                tobedeleted=_cell(cells, rows.status).lower() == "tobedeleted",
                enabled=bool(enabled),
                org_ids=_list(_cell(cells, col("orgSourcedIds"))),
                role=role,
                username=_cell(cells, col("username")),
                given_name=rows.text(line, cells, "givenName"),
                family_name=rows.text(line, cells, "familyName"),
                identifier=identifier,
                email=rows.text(line, cells, "email"),
                phone=_cell(cells, col("phone")) or _cell(cells, col("sms")),
                agent_ids=_list(_cell(cells, col("agentSourcedIds"))),
                grades=_cell(cells, col("grades")),
            )
        )
    for u in roster.users:
        if u.sourced_id in rows.refused:
            roster.set_aside(identifier=u.identifier)
    roster.users = [u for u in roster.users if u.sourced_id not in rows.refused]
    for sourced_id in rows.refused:
        roster.set_aside(sourced_id=sourced_id)


def _read_classes(roster: Roster, table: Table) -> None:
    rows = _Rows(roster, table)
    kind, school = table.column("classType"), table.column("schoolSourcedId")
    for line, cells in table.rows:
        sourced_id = rows.usable(line, cells)
        if sourced_id is None or _cell(cells, kind).lower() != "homeroom":
            continue
        if _cell(cells, rows.status).lower() == "tobedeleted":
            continue
        roster.homerooms[sourced_id] = HomeroomClass(
            sourced_id, line, rows.text(line, cells, "title"), _cell(cells, school)
        )
    for sourced_id in rows.refused:
        roster.homerooms.pop(sourced_id, None)


def _read_enrollments(roster: Roster, table: Table, today: date) -> None:
    rows = _Rows(roster, table)
    col = table.column
    class_at, school_at, user_at = (
        col("classSourcedId"),
        col("schoolSourcedId"),
        col("userSourcedId"),
    )
    role_at, primary_at = col("role"), col("primary")
    begin_at, end_at = col("beginDate"), col("endDate")
    for line, cells in table.rows:
        sourced_id = rows.usable(line, cells)
        if sourced_id is None:
            continue
        try:
            begin, end = _date(_cell(cells, begin_at)), _date(_cell(cells, end_at))
        except ValueError:
            bad = (
                _cell(cells, begin_at) if _safe_date(_cell(cells, end_at)) else _cell(cells, end_at)
            )
            rows.error(line, f"{bad!r} is not a date (YYYY-MM-DD)")
            continue
        class_id = _cell(cells, class_at)
        if class_id not in roster.homerooms:
            continue  # a scheduled class: nothing Octavo keeps
        primary = _flag(_cell(cells, primary_at), default=False)
        if primary is None:
            rows.error(line, f"primary {_cell(cells, primary_at)!r} is not true or false")
            continue
        current = (begin is None or begin <= today) and (end is None or today <= end)
        if not current or _cell(cells, rows.status).lower() == "tobedeleted":
            continue
        roster.enrollments.append(
            Enrollment(
                line=line,
                class_id=class_id,
                school_id=_cell(cells, school_at),
                user_id=_cell(cells, user_at),
                role=_cell(cells, role_at).lower(),
                primary=primary,
            )
        )


def _safe_date(value: str) -> bool:
    try:
        _date(value)
    except ValueError:
        return False
    return True
