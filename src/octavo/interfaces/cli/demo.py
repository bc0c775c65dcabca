"""The demo district: three invented schools, shelving locations and one login per role.

Loading is idempotent: what exists is left alone, so `octavo demo` is safe to run twice.
All people here are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from octavo.accounts.models import User
from octavo.accounts.services import create_user
from octavo.district.models import Location, Site
from octavo.district.rules import Period
from octavo.district.services import add_location, create_site
from octavo.shared.actor import Actor, Role
from octavo.shared.clock import now

DEMO_PASSWORD = "octavo-demo-2026"  # noqa: S105 - printed on purpose: it is a demo


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    sites: tuple[str, ...]
    first_name: str
    last_name: str


SCHOOL_DAY = tuple(Period(d, time(7, 30), time(15, 30)) for d in range(5))
SITES = [
    ("LES", "Lincoln Elementary School", "1200 Maple Avenue, Springfield"),
    ("WES", "Washington Elementary School", "45 Cedar Street, Springfield"),
    ("JHS", "Jefferson High School", "900 Oak Boulevard, Springfield"),
]
LOCATIONS = {
    "LES": [("E", "Easy"), ("FIC", "Fiction"), ("NF", "Nonfiction"), ("REF", "Reference")],
    "WES": [("E", "Easy"), ("FIC", "Fiction"), ("NF", "Nonfiction"), ("B", "Biography")],
    "JHS": [
        ("FIC", "Fiction"),
        ("NF", "Nonfiction"),
        ("REF", "Reference"),
        ("TXT", "Textbook room"),
        ("AV", "AV equipment"),
    ],
}
LOGINS = [
    DemoLogin("admin", Role.DISTRICT_ADMIN, (), "Dana", "Districtson"),
    DemoLogin("librarian", Role.SITE_LIBRARIAN, ("JHS",), "Lee", "Shelvington"),
    DemoLogin("technician", Role.TECHNICIAN, ("LES", "WES"), "Terry", "Barcodes"),
    DemoLogin("helper", Role.STUDENT_HELPER, ("LES",), "Hal", "Helpwell"),
    DemoLogin("teacher", Role.TEACHER, ("WES",), "Tia", "Lessonby"),
    DemoLogin("student", Role.STUDENT, ("LES",), "Sam", "Reader"),
    DemoLogin("parent", Role.PARENT, ("LES",), "Pat", "Reader"),
]


def load_demo(actor: Actor | None = None) -> list[DemoLogin]:
    actor = actor or Actor.command_line("demo-loader")
    at = now()
    for code, name, address in SITES:
        site = Site.objects.filter(code=code).first()
        if site is None:
            site = create_site(
                actor=actor, code=code, name=name, address=address, hours=SCHOOL_DAY, at=at
            )
        for loc_code, loc_name in LOCATIONS[code]:
            if not Location.objects.filter(site=site, code=loc_code).exists():
                add_location(actor=actor, site=site, code=loc_code, name=loc_name, at=at)
    for login in LOGINS:
        if not User.objects.filter(username=login.username).exists():
            create_user(
                actor=actor,
                username=login.username,
                role=login.role,
                site_codes=list(login.sites),
                password=DEMO_PASSWORD,
                first_name=login.first_name,
                last_name=login.last_name,
                at=at,
            )
    return LOGINS


def logins_table(base_url: str) -> str:
    lines = [
        f"Octavo demo district is ready at {base_url}/staff/",
        f"Every demo login uses the password: {DEMO_PASSWORD}",
        "",
        f"  {'username':<12} {'role':<16} sites",
    ]
    for login in LOGINS:
        lines.append(
            f"  {login.username:<12} {login.role.value:<16} "
            f"{','.join(login.sites) or 'all (district)'}"
        )
    lines.append("")
    lines.append(
        "API: `octavo token create admin` prints a token; "
        f"OpenAPI at {base_url}/api/v1/openapi.json"
    )
    return "\n".join(lines)
