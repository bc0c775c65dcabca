"""The demo district: three invented schools, shelving locations and one login per role.

Loading is idempotent: what exists is left alone, so `octavo demo` is safe to run twice.
All people here are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from octavo.accounts.models import User
from octavo.accounts.services import create_user
from octavo.district.models import Location, Site
from octavo.district.rules import Period
from octavo.district.services import add_location, create_site
from octavo.shared.actor import Actor, Role
from octavo.shared.clock import now

DEMO_PASSWORD = "octavo-demo-2026"  # noqa: S105 - printed on purpose: it is a demo
DEMO_PIN = "2468"  # every demo patron's PIN, for the public catalog
DEMO_PARENT = "carmen.martinez@example.org"  # Ava's and Leo's guardian


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
    _load_collection(actor, at)
    return LOGINS


# A small collection to try the catalog and the desk on: well-known children's and young
# adult titles (bibliographic facts, not personal data), with copies at each school.
BOOKS = [
    ("Charlotte's web", "White, E. B.", 1952, "FIC WHI", ("Pigs", "Spiders", "Friendship")),
    ("Where the wild things are", "Sendak, Maurice", 1963, "E SEN", ("Imagination",)),
    ("Frog and Toad are friends", "Lobel, Arnold", 1970, "E LOB", ("Frogs", "Toads")),
    ("Hatchet", "Paulsen, Gary", 1987, "FIC PAU", ("Survival", "Wilderness areas")),
    ("Holes", "Sachar, Louis", 1998, "FIC SAC", ("Juvenile delinquency", "Friendship")),
    ("Wonder", "Palacio, R. J.", 2012, "FIC PAL", ("Self-acceptance", "Schools")),
    ("The giver", "Lowry, Lois", 1993, "FIC LOW", ("Dystopias",)),
    ("Bridge to Terabithia", "Paterson, Katherine", 1977, "FIC PAT", ("Friendship", "Death")),
    ("Dinosaurs before dark", "Osborne, Mary Pope", 1992, "FIC OSB", ("Dinosaurs", "Time travel")),
    ("The very hungry caterpillar", "Carle, Eric", 1969, "E CAR", ("Caterpillars",)),
    ("Ultimate dinopedia", "Lessem, Don", 2010, "567.9 LES", ("Dinosaurs",)),
    ("The way things work now", "Macaulay, David", 2016, "600 MAC", ("Technology",)),
    ("To kill a mockingbird", "Lee, Harper", 1960, "FIC LEE", ("Race relations", "Lawyers")),
    ("The outsiders", "Hinton, S. E.", 1967, "FIC HIN", ("Gangs", "Brothers")),
    ("Esperanza rising", "Ryan, Pam Muñoz", 2000, "FIC RYA", ("Mexican Americans", "Farm life")),
    ("Island of the blue dolphins", "O'Dell, Scott", 1960, "FIC ODE", ("Islands", "Survival")),
]
COPIES = {"E": ("LES", "WES"), "FIC": ("LES", "WES", "JHS"), "NF": ("LES", "JHS")}
PATRONS = [
    # barcode, first, last, type, site, grade, homeroom
    ("P0001", "Ava", "Martinez", "student", "LES", "3", "Ms. Alvarez"),
    ("P0002", "Noah", "Kim", "student", "LES", "3", "Ms. Alvarez"),
    ("P0003", "Mia", "Johnson", "student", "LES", "5", "Mr. Okoro"),
    ("P0004", "Liam", "Nguyen", "student", "WES", "2", "Mrs. Fischer"),
    ("P0005", "Zoe", "Patel", "student", "WES", "4", "Mr. Brennan"),
    ("P0006", "Eli", "Rossi", "student", "JHS", "10", ""),
    ("P0007", "Grace", "Okafor", "student", "JHS", "12", ""),
    ("P0008", "Leo", "Martinez", "student", "LES", "5", "Mr. Okoro"),
    ("P0100", "Tia", "Lessonby", "teacher", "WES", "", ""),
    ("P0101", "Omar", "Haddad", "staff", "LES", "", ""),
]


def _load_collection(actor: Actor, at: datetime) -> None:
    from octavo.catalog.models import Record
    from octavo.catalog.records import RecordFields
    from octavo.catalog.services import create_record
    from octavo.circulation.services import check_out
    from octavo.holdings.models import Item
    from octavo.holdings.services import ItemFields, add_items
    from octavo.patrons.models import Patron
    from octavo.patrons.services import PatronFields, create_patron, set_pin
    from octavo.policy.models import PolicyRule

    for n, (title, author, year, call, subjects) in enumerate(BOOKS, start=1):
        record = Record.objects.filter(title=title).first()
        if record is None:
            record = create_record(
                actor=actor,
                fields=RecordFields(
                    title=title,
                    authors=(author,),
                    year=year,
                    subjects=subjects,
                    call_number=call,
                ),
                at=at,
                confirm_duplicate=True,
            )
        prefix, _, rest = call.partition(" ")
        section = prefix if prefix in COPIES else "NF"
        for site in COPIES[section]:
            barcode = f"{site}{n:04d}"
            if Item.objects.filter(barcode=barcode).exists():
                continue
            classification, _, cutter = (rest if section == "NF" else call).rpartition(" ")
            add_items(
                actor=actor,
                record_id=record.pk,
                barcodes=[barcode],
                fields=ItemFields(
                    site_code=site,
                    location_code=section if section != "E" or site != "JHS" else "FIC",
                    call_prefix="" if section == "NF" else prefix,
                    call_class=classification if section == "NF" else "",
                    call_cutter=cutter if section == "NF" else rest,
                    price=Decimal("16.99"),
                    material_type="book",
                ),
                at=at,
            )
    for barcode, first, last, kind, site, grade, homeroom in PATRONS:
        if not Patron.objects.filter(barcode=barcode).exists():
            create_patron(
                actor=actor,
                fields=PatronFields(
                    barcode=barcode,
                    first_name=first,
                    last_name=last,
                    patron_type=kind,
                    site_code=site,
                    grade=grade,
                    homeroom=homeroom,
                ),
                at=at,
            )
        holder = Patron.objects.get(barcode=barcode)
        if not holder.pin_hash:
            set_pin(actor=actor, patron_id=holder.pk, pin=DEMO_PIN, at=at)
    # Ten cents a day, at most five dollars, as many school districts charge.
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), processing_fee=Decimal("2.00")
    )
    # A few loans, one of them overdue, so the desk has something to show.
    loans = (("P0001", "LES0001", 3), ("P0001", "LES0004", 20), ("P0004", "WES0003", 5))
    for patron, item, days_ago in loans:
        if Item.objects.filter(barcode=item, status="available").exists():
            when = at - timedelta(days=days_ago)
            check_out(actor=actor, patron_barcode=patron, item_barcode=item, at=when)
    _load_opac(actor, at)


def _load_opac(actor: Actor, at: datetime) -> None:
    """What the public catalog shows off: a parent with two children, a featured shelf."""
    from django.contrib.auth.hashers import make_password

    from octavo.catalog.models import Record
    from octavo.lists.models import ReadingList
    from octavo.lists.services import add_entry, create_list
    from octavo.patrons.models import Guardian, ParentAccount, Patron
    from octavo.patrons.services import GuardianFields, add_guardian

    for barcode in ("P0001", "P0008"):
        child = Patron.objects.get(barcode=barcode)
        if not Guardian.objects.filter(patron=child, email=DEMO_PARENT).exists():
            fields = GuardianFields(
                name="Carmen Martinez", relationship="mother", email=DEMO_PARENT
            )
            add_guardian(actor=actor, patron_id=child.pk, fields=fields, at=at)
    # A demo parent skips the e-mailed link: the password is set here.
    ParentAccount.objects.get_or_create(
        email=DEMO_PARENT,
        defaults={"created_at": at, "password_hash": make_password(DEMO_PASSWORD)},
    )
    if not ReadingList.objects.filter(name="Summer reading").exists():
        shelf = create_list(
            actor=actor,
            name="Summer reading",
            site_code="LES",
            description="Favourites from our library for long summer days.",
            audience="Grades 2-5",
            is_public=True,
            featured=True,
            at=at,
        )
        for title in ("Charlotte's web", "Frog and Toad are friends", "Holes", "Wonder"):
            record = Record.objects.get(title=title)
            add_entry(actor=actor, list_id=shelf.pk, record_id=record.pk, at=at)


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
        f"Public catalog at {base_url}/ : library card P0001 (or P0002 ... P0008), PIN {DEMO_PIN};"
    )
    lines.append(f"  a parent: {DEMO_PARENT} with the password above.")
    lines.append(
        "API: `octavo token create admin` prints a token; "
        f"OpenAPI at {base_url}/api/v1/openapi.json"
    )
    return "\n".join(lines)
