"""Small OneRoster 1.1 CSV rosters written by the tests, with invented people only."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USERS = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
    "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
    "agentSourcedIds", "grades", "password",
]  # fmt: skip
CLASSES = [
    "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes",
    "periods",
]  # fmt: skip
ENROLLMENTS = [
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
    "userSourcedId", "role", "primary", "beginDate", "endDate",
]  # fmt: skip
HEADERS = {"orgs": ORGS, "users": USERS, "classes": CLASSES, "enrollments": ENROLLMENTS}


def org(sourced_id: str, name: str, identifier: str = "", kind: str = "school") -> dict:
    return {"sourcedId": sourced_id, "name": name, "type": kind, "identifier": identifier}


def user(
    sourced_id: str,
    first: str,
    last: str,
    identifier: str,
    *,
    role: str = "student",
    orgs: str = "org-nes",
    grades: str = "",
    agents: str = "",
    enabled: str = "true",
    email: str = "",
    phone: str = "",
    **other: str,
) -> dict:
    return {
        "sourcedId": sourced_id,
        "enabledUser": enabled,
        "orgSourcedIds": orgs,
        "role": role,
        "username": f"{first}.{last}".lower(),
        "givenName": first,
        "familyName": last,
        "identifier": identifier,
        "email": email,
        "phone": phone,
        "agentSourcedIds": agents,
        "grades": grades,
        **other,
    }


def homeroom(sourced_id: str, title: str, school: str = "org-nes") -> dict:
    return {
        "sourcedId": sourced_id,
        "title": title,
        "classType": "homeroom",
        "schoolSourcedId": school,
        "courseSourcedId": "course-hr",
        "termSourcedIds": "term-1",
    }


def enrollment(
    sourced_id: str, class_id: str, user_id: str, role: str, school: str = "org-nes", **other: str
) -> dict:
    return {
        "sourcedId": sourced_id,
        "classSourcedId": class_id,
        "schoolSourcedId": school,
        "userSourcedId": user_id,
        "role": role,
        **other,
    }


def csv_text(rows: list[dict], header: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def manifest(**modes: str) -> str:
    lines = ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1"]
    files = {
        "academicSessions": "absent", "categories": "absent", "classes": "bulk",
        "classResources": "absent", "courses": "absent", "courseResources": "absent",
        "demographics": "absent", "enrollments": "bulk", "lineItems": "absent", "orgs": "bulk",
        "resources": "absent", "results": "absent", "users": "bulk",
    } | modes  # fmt: skip
    lines += [f"file.{name},{mode}" for name, mode in files.items()]
    lines += ["source.systemName,Invented SIS", "source.systemCode,test"]
    return "\r\n".join(lines) + "\r\n"


def write_roster(
    folder: Path,
    *,
    orgs: list[dict],
    users: list[dict],
    classes: list[dict] = (),
    enrollments: list[dict] = (),
    modes: dict[str, str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(manifest(**(modes or {})), encoding="utf-8")
    tables = {"orgs": orgs, "users": users, "classes": classes, "enrollments": enrollments}
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_text(
            csv_text(list(rows), HEADERS[name]), encoding="utf-8", newline=""
        )
    return folder


def zip_roster(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, f"roster/{path.name}")
    return target
