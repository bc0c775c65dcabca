"""Importing a OneRoster 1.1 roster into patrons: the diff (new, changed, leaving, and errors by
file and line) and, unless it is a dry run, applying it in batches.

The rules, which docs/librarians/patrons-and-rosters.md gives librarians in their words:
- An org is an Octavo site when its `identifier` is a site code, or else its `name` is a site
  code, or else its `name` is a site's name (case aside). A school that matches no site is an
  error on its orgs.csv line, and so is each of its people.
- Users with role `student` become patrons of type student, `teacher` of type teacher, at the
  first of their orgs that is a site. Their `identifier` (the student or staff number, printed on
  school ID cards) is the card barcode, and for students the student ID too; `username` is a
  login, often an e-mail address, never on a card.
- The homeroom is the teacher ("Family, Given") of the student's current homeroom class
  (classes.csv classType=homeroom, enrollments.csv), or the class title when it has none.
- Users with role parent, guardian or relative linked to a student by agentSourcedIds (either
  way) are the student's guardians. Guardians added by hand are left alone.
- A user is matched to a patron by sourcedId (roster ID), then by student ID (students) or by
  barcode (a teacher added by hand), when that patron is not already another roster user's.
- Nobody is deleted: a rostered patron at one of the roster's sites who is no longer in a bulk
  users.csv, or whose enabledUser is false, or who is marked tobedeleted, is expired (status
  expired, card expiring on the import date) and comes back to active when back on the roster.
- A line with a problem is reported and skipped; the rest still applies. Its person is in the
  roster, so never taken as leaving; the next run, once the line is corrected, picks it up.
Applying writes batches of BATCH_SIZE people, each batch one transaction: stopping half way
leaves whole patrons, and running the same roster again finishes the job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import changes_between
from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.patrons import oneroster, rules
from octavo.patrons.errors import RosterUnreadable
from octavo.patrons.models import Guardian, Patron, PatronType
from octavo.patrons.oneroster import Problem, Roster, User
from octavo.patrons.services import audit_changes
from octavo.patrons.states import PatronEvent, PatronStatus, advance
from octavo.shared.actor import Actor
from octavo.shared.barcodes import check_barcode
from octavo.shared.errors import InvalidInput, PermissionDenied

BATCH_SIZE = 500
STUDENT, TEACHER = "student", "teacher"
GUARDIAN_ROLES = ("parent", "guardian", "relative")
USERS = oneroster.USERS


@dataclass(frozen=True, slots=True)
class GuardianPlan:
    roster_id: str
    name: str
    relationship: str
    email: str
    phone: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.relationship})"


@dataclass(frozen=True, slots=True)
class Wanted:
    """A roster user as the patron they should be. None: the roster does not say; kept."""

    roster_id: str
    line: int
    active: bool
    patron_type: str
    site_id: int
    barcode: str
    student_id: str
    first_name: str
    last_name: str
    grade: str
    homeroom: str | None
    email: str | None
    phone: str | None
    guardians: tuple[GuardianPlan, ...] | None


@dataclass(frozen=True, slots=True)
class PatronDiff:
    """One patron in the diff: the users.csv line (0 when not in it) and field -> [was, will be]."""

    roster_id: str
    line: int
    barcode: str
    name: str
    changes: dict[str, list[Any]]
    patron_id: int | None = None


@dataclass
class RosterReport:
    dry_run: bool
    new: list[PatronDiff] = field(default_factory=list)
    changed: list[PatronDiff] = field(default_factory=list)
    leaving: list[PatronDiff] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "leaving": len(self.leaving),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


# --- what is there ----------------------------------------------------------------------------


@dataclass(slots=True)
class _GuardianRow:
    id: int
    patron_id: int
    roster_id: str
    name: str
    relationship: str
    email: str
    phone: str

    def plan(self) -> GuardianPlan:
        return GuardianPlan(self.roster_id, self.name, self.relationship, self.email, self.phone)


_FIELDS = (
    "id", "roster_id", "student_id", "barcode", "first_name", "last_name", "patron_type_id",
    "home_site_id", "status", "card_expires", "grade", "homeroom", "email", "phone",
)  # fmt: skip


@dataclass(slots=True)
class _Existing:
    id: int
    roster_id: str
    student_id: str
    barcode: str
    first_name: str
    last_name: str
    patron_type_id: int
    home_site_id: int
    status: str
    card_expires: date | None
    grade: str
    homeroom: str
    email: str
    phone: str
    guardians: list[_GuardianRow] = field(default_factory=list)


class _Index:
    def __init__(self, rows: Iterable[_Existing], guardians: Iterable[_GuardianRow]):
        self.by_id = {r.id: r for r in rows}
        self.by_roster = {r.roster_id: r for r in self.by_id.values() if r.roster_id}
        self.by_student = {r.student_id: r for r in self.by_id.values() if r.student_id}
        self.by_barcode = {r.barcode: r for r in self.by_id.values()}
        for g in guardians:
            if g.patron_id in self.by_id:
                self.by_id[g.patron_id].guardians.append(g)


def _index(patrons: QuerySet[Patron], *, every_guardian: bool = False) -> _Index:
    """The patrons with their roster guardians; `every_guardian` reads all of those in one
    query instead of by patron (the dry run reads every patron anyway)."""
    rows = [_Existing(*values) for values in patrons.values_list(*_FIELDS)]
    guardians = Guardian.objects.exclude(roster_id="")
    if not every_guardian:
        guardians = guardians.filter(patron_id__in=[r.id for r in rows])
    guardian_rows = [
        _GuardianRow(*values)
        for values in guardians.values_list(
            "id", "patron_id", "roster_id", "name", "relationship", "email", "phone"
        )
    ]
    return _Index(rows, guardian_rows)


@dataclass
class _Context:
    actor: Actor
    at: datetime
    sites: dict[int, Site]
    types: dict[str, PatronType]
    type_codes: dict[int, str]
    present: set[str]  # every sourcedId on a users.csv line, used or not
    # Patrons a roster line speaks for (even a line with a problem): never taken as leaving.
    matched: set[int] = field(default_factory=set)
    today: dict[int, date] = field(default_factory=dict)

    def local_date(self, site_id: int) -> date:
        if site_id not in self.today:
            self.today[site_id] = self.at.astimezone(ZoneInfo(self.sites[site_id].time_zone)).date()
        return self.today[site_id]


# --- reading the roster into wanted patrons ---------------------------------------------------


def _org_sites(roster: Roster, ctx: _Context) -> tuple[dict[str, Site], dict[str, str]]:
    """Each org that is a site the actor may import to; and why each other org is not one."""
    sites = list(ctx.sites.values())
    by_code = {s.code: s for s in sites}
    names: dict[str, list[Site]] = defaultdict(list)
    for s in sites:
        names[s.name.casefold()].append(s)
    mapped: dict[str, Site] = {}
    refused: dict[str, str] = {}
    for org in roster.orgs.values():
        by_name = names.get(org.name.casefold(), [])
        site = (
            by_code.get(org.identifier.upper())
            or by_code.get(org.name.strip().upper())
            or (by_name[0] if len(by_name) == 1 else None)
        )
        if site is None:
            refused[org.sourced_id] = (
                f"org {org.sourced_id!r} (orgs.csv line {org.line}) is no site"
            )
            if org.type == "school":
                roster.errors.append(
                    Problem(
                        oneroster.ORGS,
                        org.line,
                        f"school {org.name!r} (identifier {org.identifier!r}) matches no site: "
                        "its identifier or name must be a site code",
                    )
                )
            continue
        decision = decide(ctx.actor, Action.PATRON_EDIT, site_id=site.id)
        if not decision:
            refused[org.sourced_id] = f"site {site.code}: {decision.reason}"
            roster.errors.append(Problem(oneroster.ORGS, org.line, refused[org.sourced_id]))
            continue
        mapped[org.sourced_id] = site
    return mapped, refused


def _site_for(user: User, mapped: dict[str, Site], refused: dict[str, str], roster: Roster) -> Site:
    if not user.org_ids:
        raise InvalidInput("orgSourcedIds is blank")
    for org_id in user.org_ids:
        if org_id in mapped:
            return mapped[org_id]
    first = user.org_ids[0]
    if first not in roster.orgs:
        raise InvalidInput(f"org {first!r} is not in orgs.csv")
    raise InvalidInput(refused.get(first, f"org {first!r} is no site"))


def _text(value: str, column: str, max_length: int, *, required: bool = True) -> str:
    if required and not value:
        raise InvalidInput(f"{column} is blank")
    if len(value) > max_length:
        raise InvalidInput(f"{column} is longer than {max_length} characters")
    return value


def _homerooms(
    roster: Roster,
) -> tuple[dict[str, str], dict[str, list[tuple[str, int, str]]]] | None:
    """(label of each homeroom class, each student's current homeroom classes) or None when the
    roster does not say (no classes or enrollments, or no class of type homeroom)."""
    if oneroster.ABSENT in (roster.mode(oneroster.CLASSES), roster.mode(oneroster.ENROLLMENTS)):
        return None
    if not roster.homerooms:
        roster.warnings.append(
            Problem(
                oneroster.CLASSES,
                0,
                "no class has classType homeroom: homerooms are left as they are",
            )
        )
        return None
    users = {u.sourced_id: u for u in roster.users}
    teacher_of: dict[str, tuple[bool, int, str]] = {}
    places: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for e in roster.enrollments:
        if e.role == TEACHER:
            teacher = users.get(e.user_id)
            if teacher is None:
                if e.user_id not in roster.refused_user_ids:
                    roster.warnings.append(
                        Problem(
                            oneroster.ENROLLMENTS,
                            e.line,
                            f"teacher {e.user_id!r} is not in users.csv",
                        )
                    )
                continue
            # The primary teacher first, then the earliest line.
            key = (not e.primary, e.line, f"{teacher.family_name}, {teacher.given_name}")
            if e.class_id not in teacher_of or key < teacher_of[e.class_id]:
                teacher_of[e.class_id] = key
        elif e.role == STUDENT:
            places[e.user_id].append((e.school_id, e.line, e.class_id))
    labels = {
        class_id: (teacher_of[class_id][2] if class_id in teacher_of else c.title)[:200]
        for class_id, c in roster.homerooms.items()
    }
    return labels, places


def _guardians(roster: Roster) -> dict[str, tuple[GuardianPlan, ...]]:
    users = {u.sourced_id: u for u in roster.users}
    parents = {
        u.sourced_id: u
        for u in roster.users
        if u.role in GUARDIAN_ROLES and u.enabled and not u.tobedeleted
    }
    links: dict[str, list[str]] = defaultdict(list)
    for u in roster.users:
        for agent in u.agent_ids:
            if agent not in users and agent not in roster.refused_user_ids:
                roster.warnings.append(
                    Problem(USERS, u.line, f"agent {agent!r} is not in users.csv")
                )
            elif u.role == STUDENT and agent in parents:
                links[u.sourced_id].append(agent)
            elif u.sourced_id in parents and users.get(agent, u).role == STUDENT:
                links[agent].append(u.sourced_id)
    plans: dict[str, tuple[GuardianPlan, ...]] = {}
    for student_id, agents in links.items():
        out = []
        for agent in dict.fromkeys(agents):
            p = parents[agent]
            name = f"{p.given_name} {p.family_name}".strip()[:200]
            email = p.email
            try:
                email = rules.check_email(email)
            except InvalidInput:
                roster.warnings.append(
                    Problem(USERS, p.line, f"email {p.email!r} is not an e-mail address: left out")
                )
                email = ""
            if name:
                out.append(GuardianPlan(p.sourced_id, name, p.role, email, p.phone[:40]))
        plans[student_id] = tuple(out)
    return plans


def _wanted(roster: Roster, ctx: _Context) -> tuple[list[Wanted], set[int]]:
    """The roster's students and teachers as patrons; bad lines go to roster.errors."""
    mapped, refused = _org_sites(roster, ctx)
    homerooms = _homerooms(roster)
    guardians = _guardians(roster)
    bulk_users = roster.mode(USERS) == oneroster.BULK
    out: list[Wanted] = []
    for u in roster.users:
        if u.role not in (STUDENT, TEACHER):
            continue
        try:
            site = _site_for(u, mapped, refused, roster)
            first = _text(u.given_name, "givenName", 100)
            last = _text(u.family_name, "familyName", 100)
            barcode = check_barcode(
                _text(u.identifier, "identifier (the card barcode)", 32), field="identifier"
            )
            grade = ""
            if u.role == STUDENT:
                try:
                    grade = rules.roster_grade(u.grades)
                except InvalidInput as exc:
                    raise InvalidInput(f"grades {u.grades!r}: {exc.message}") from None
            email = rules.check_email(u.email) or None
            phone = _text(u.phone, "phone", 40, required=False) or None
        except InvalidInput as exc:
            roster.errors.append(Problem(USERS, u.line, str(exc)))
            roster.set_aside(sourced_id=u.sourced_id, identifier=u.identifier)
            continue
        homeroom = None
        if u.role == STUDENT and homerooms is not None:
            labels, places = homerooms
            mine = sorted(
                places.get(u.sourced_id, []),
                key=lambda p: (mapped.get(p[0]) != site, p[1]),
            )
            homeroom = labels[mine[0][2]] if mine else ""
        plan = None
        if u.role == STUDENT and (bulk_users or u.sourced_id in guardians):
            plan = guardians.get(u.sourced_id, ())
        out.append(
            Wanted(
                roster_id=u.sourced_id,
                line=u.line,
                active=u.enabled and not u.tobedeleted,
                patron_type=u.role,
                site_id=site.id,
                barcode=barcode,
                student_id=barcode if u.role == STUDENT else "",
                first_name=first,
                last_name=last,
                grade=grade,
                homeroom=homeroom,
                email=email,
                phone=phone,
                guardians=plan,
            )
        )
    # One identifier is one card: two roster users with the same one are both set aside.
    first_line: dict[str, int] = {}
    doubled: set[str] = set()
    for w in out:
        if w.barcode in first_line:
            roster.errors.append(
                Problem(
                    USERS,
                    w.line,
                    f"identifier {w.barcode!r} is also on line {first_line[w.barcode]}: "
                    "neither line is used",
                )
            )
            doubled.add(w.barcode)
        else:
            first_line[w.barcode] = w.line
    for identifier in doubled:
        roster.set_aside(identifier=identifier)
    return [w for w in out if w.barcode not in doubled], set(s.id for s in mapped.values())


# --- comparing --------------------------------------------------------------------------------


def _guardian_labels(plans: Iterable[GuardianPlan]) -> list[str]:
    return sorted(p.label for p in plans)


def _after(w: Wanted, e: _Existing | None, ctx: _Context) -> dict[str, Any]:
    """The roster-owned fields as they will be."""
    after: dict[str, Any] = {
        "roster_id": w.roster_id,
        "barcode": w.barcode,
        "first_name": w.first_name,
        "last_name": w.last_name,
        "type": w.patron_type,
        "site": ctx.sites[w.site_id].code,
    }
    if w.patron_type == STUDENT:
        after["student_id"] = w.student_id
        after["grade"] = w.grade
    for key in ("homeroom", "email", "phone"):
        value = getattr(w, key)
        if value is not None:
            after[key] = value
    if e is not None and e.status == PatronStatus.EXPIRED.value:
        after["status"] = advance(PatronStatus.EXPIRED, PatronEvent.RETURN).value
        after["card_expires"] = None
    return after


def _before(e: _Existing, keys: Iterable[str], ctx: _Context) -> dict[str, Any]:
    values: dict[str, Any] = {
        "roster_id": e.roster_id,
        "barcode": e.barcode,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "type": ctx.type_codes.get(e.patron_type_id, ""),
        "site": ctx.sites[e.home_site_id].code if e.home_site_id in ctx.sites else "",
        "student_id": e.student_id,
        "grade": e.grade,
        "homeroom": e.homeroom,
        "email": e.email,
        "phone": e.phone,
        "status": e.status,
        "card_expires": e.card_expires.isoformat() if e.card_expires else None,
    }
    return {k: values[k] for k in keys}


def _guardian_changes(w: Wanted, e: _Existing | None) -> dict[str, list[Any]]:
    if w.guardians is None:
        return {}
    before = [g.plan() for g in e.guardians] if e is not None else []
    if sorted(before, key=lambda p: p.roster_id) == sorted(w.guardians, key=lambda p: p.roster_id):
        return {}
    old, new = _guardian_labels(before), _guardian_labels(w.guardians)
    if old != new:
        return {"guardians": [old, new]}
    return {"guardian_contacts": ["(old)", "(new)"]}


@dataclass(slots=True)
class _Step:
    kind: str  # new, changed, unchanged, leaving
    wanted: Wanted | None
    existing: _Existing | None
    diff: PatronDiff | None = None


def _match(w: Wanted, index: _Index, ctx: _Context) -> _Existing | None:
    found = index.by_roster.get(w.roster_id)
    if found is not None:
        return found
    # A patron already matched to another user still in the roster is that user's.
    if w.patron_type == STUDENT:
        found = index.by_student.get(w.student_id)
    else:
        found = index.by_barcode.get(w.barcode)
        if found is not None and ctx.type_codes.get(found.patron_type_id) != TEACHER:
            found = None
    if found is not None and found.roster_id and found.roster_id in ctx.present:
        return None
    return found


def _step(w: Wanted, index: _Index, ctx: _Context, roster: Roster) -> _Step | None:
    e = _match(w, index, ctx)
    if e is not None:
        ctx.matched.add(e.id)
    name = f"{w.last_name}, {w.first_name}"
    if not w.active:
        if e is None or e.status == PatronStatus.EXPIRED.value:
            return None
        return _leaving(e, ctx, line=w.line)
    for kind, value, holder in (
        ("barcode", w.barcode, index.by_barcode.get(w.barcode)),
        ("student ID", w.student_id, index.by_student.get(w.student_id) if w.student_id else None),
    ):
        if holder is not None and (e is None or holder.id != e.id):
            roster.errors.append(
                Problem(
                    USERS,
                    w.line,
                    f"{kind} {value} is already patron {holder.barcode}'s "
                    f"({holder.last_name}, {holder.first_name})",
                )
            )
            roster.set_aside(identifier=w.barcode)
            return None
    after = _after(w, e, ctx)
    if e is None:
        shown = {k: [None, after[k]] for k in ("site", "type", "grade", "homeroom") if after.get(k)}
        diff = PatronDiff(w.roster_id, w.line, w.barcode, name, shown)
        return _Step("new", w, None, diff)
    changes = changes_between(_before(e, after, ctx), after) | _guardian_changes(w, e)
    kind = "changed" if changes else "unchanged"
    return _Step(kind, w, e, PatronDiff(w.roster_id, w.line, w.barcode, name, changes, e.id))


def _leaving(e: _Existing, ctx: _Context, *, line: int = 0) -> _Step:
    day = ctx.local_date(e.home_site_id)
    changes = changes_between(
        {
            "status": e.status,
            "card_expires": e.card_expires.isoformat() if e.card_expires else None,
        },
        {"status": PatronStatus.EXPIRED.value, "card_expires": day.isoformat()},
    )
    name = f"{e.last_name}, {e.first_name}"
    return _Step("leaving", None, e, PatronDiff(e.roster_id, line, e.barcode, name, changes, e.id))


def _leaver_candidates(site_ids: set[int], ctx: _Context) -> QuerySet[Patron]:
    return (
        Patron.objects.exclude(roster_id="")
        .exclude(status=PatronStatus.EXPIRED.value)
        .filter(
            home_site_id__in=site_ids,
            patron_type_id__in=[ctx.types[STUDENT].id, ctx.types[TEACHER].id],
        )
    )


def _absent(e: _Existing, ctx: _Context, roster: Roster) -> bool:
    """Not in users.csv at all, nor matched (by student ID) to a line, nor possibly the person
    on a line that could not be used."""
    return (
        e.roster_id not in ctx.present
        and e.id not in ctx.matched
        and not ({e.student_id, e.barcode} & roster.refused_identifiers)
    )


# --- writing ----------------------------------------------------------------------------------


def _repr(barcode: str, last: str, first: str) -> str:
    return f"{barcode} {last}, {first}"


_MODEL_FIELD = {"type": "patron_type_id", "site": "home_site_id"}


def _create(steps: list[_Step], ctx: _Context) -> None:
    """The new patrons of a batch in one INSERT, their guardians in another."""
    patrons = []
    for step in steps:
        w = step.wanted
        assert w is not None  # noqa: S101 - a new patron comes from a roster line
        patrons.append(
            Patron(
                barcode=w.barcode,
                first_name=w.first_name,
                last_name=w.last_name,
                last_key=rules.fold(w.last_name)[:100],
                first_key=rules.fold(w.first_name)[:100],
                patron_type=ctx.types[w.patron_type],
                home_site_id=w.site_id,
                status=PatronStatus.ACTIVE.value,
                student_id=w.student_id,
                grade=w.grade,
                homeroom=w.homeroom or "",
                roster_id=w.roster_id,
                email=w.email or "",
                phone=w.phone or "",
                created_at=ctx.at,
                updated_at=ctx.at,
            )
        )
    Patron.objects.bulk_create(patrons)
    Guardian.objects.bulk_create(
        Guardian(
            patron=patron,
            roster_id=g.roster_id,
            name=g.name,
            relationship=g.relationship,
            email=g.email,
            phone=g.phone,
        )
        for step, patron in zip(steps, patrons, strict=True)
        for g in (step.wanted.guardians if step.wanted is not None else None) or ()
    )
    for step, patron in zip(steps, patrons, strict=True):
        assert step.diff is not None  # noqa: S101 - every step that writes has its diff
        extra = {"barcode": patron.barcode, "roster_id": patron.roster_id}
        _audit(ctx, "patron.create", patron.pk, patron.home_site_id, step.diff, extra)


def _write(step: _Step, ctx: _Context) -> None:
    at = ctx.at
    w, e, diff = step.wanted, step.existing, step.diff
    assert diff is not None  # noqa: S101 - every step that writes has its diff
    if step.kind == "new":
        _create([step], ctx)
    elif step.kind == "changed" and w is not None and e is not None:
        updates: dict[str, Any] = {"updated_at": at}
        for key, (_, value) in diff.changes.items():
            if key == "type":
                updates["patron_type_id"] = ctx.types[value].id
            elif key == "site":
                updates["home_site_id"] = w.site_id
            elif key not in ("guardians", "guardian_contacts"):
                updates[key] = value
        if "first_name" in updates or "last_name" in updates:
            updates["first_key"] = rules.fold(w.first_name)[:100]
            updates["last_key"] = rules.fold(w.last_name)[:100]
        Patron.objects.filter(pk=e.id).update(**updates)
        if w.guardians is not None and ({"guardians", "guardian_contacts"} & diff.changes.keys()):
            _write_guardians(e, w.guardians)
        _audit(ctx, "patron.update", e.id, w.site_id, diff)
    elif step.kind == "leaving" and e is not None:
        status = advance(PatronStatus(e.status), PatronEvent.EXPIRE).value
        Patron.objects.filter(pk=e.id).update(
            status=status, card_expires=ctx.local_date(e.home_site_id), updated_at=at
        )
        _audit(ctx, "patron.expire", e.id, e.home_site_id, diff)


def _write_guardians(e: _Existing, plans: tuple[GuardianPlan, ...]) -> None:
    by_roster = {g.roster_id: g for g in e.guardians}
    wanted = {p.roster_id for p in plans}
    Guardian.objects.filter(
        id__in=[g.id for g in e.guardians if g.roster_id not in wanted]
    ).delete()
    for p in plans:
        row = by_roster.get(p.roster_id)
        if row is None:
            Guardian.objects.create(
                patron_id=e.id,
                roster_id=p.roster_id,
                name=p.name,
                relationship=p.relationship,
                email=p.email,
                phone=p.phone,
            )
        elif row.plan() != p:
            Guardian.objects.filter(id=row.id).update(
                name=p.name, relationship=p.relationship, email=p.email, phone=p.phone
            )


def _audit(
    ctx: _Context,
    action: str,
    patron_id: int,
    site_id: int,
    diff: PatronDiff,
    extra: dict[str, Any] | None = None,
) -> None:
    before = {k: v[0] for k, v in diff.changes.items()}
    after = {k: v[1] for k, v in diff.changes.items()} | (extra or {})
    audit(
        actor=ctx.actor,
        action=action,
        object_type="patron",
        object_id=patron_id,
        object_repr=_repr(diff.barcode, *diff.name.split(", ", 1)),
        site_id=site_id,
        changes=audit_changes(before, after),
        at=ctx.at,
    )


def _record(step: _Step, report: RosterReport) -> None:
    if step.kind == "unchanged":
        report.unchanged += 1
    elif step.diff is not None:
        getattr(report, step.kind).append(step.diff)


def _write_batch(steps: list[_Step], ctx: _Context, report: RosterReport) -> None:
    """One transaction for the batch; if the database refuses a row (a barcode taken by another
    desk meanwhile), the batch is written again row by row and only that row is reported."""
    try:
        with transaction.atomic():
            _create([s for s in steps if s.kind == "new"], ctx)
            for s in steps:
                if s.kind != "new":
                    _write(s, ctx)
    except IntegrityError:
        for s in steps:
            try:
                with transaction.atomic():
                    _write(s, ctx)
            except IntegrityError:
                line = s.diff.line if s.diff is not None else 0
                report.errors.append(
                    Problem(USERS, line, "barcode or student ID was taken meanwhile: run again")
                )
                continue
            _record(s, report)
        return
    for s in steps:
        _record(s, report)


# --- the service ------------------------------------------------------------------------------


def import_roster(
    *,
    actor: Actor,
    path: Path,
    at: datetime,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[RosterReport], None] | None = None,
) -> RosterReport:
    """Read the roster at `path` (a folder or a .zip) and apply it, or only say what would change.

    Raises RosterUnreadable when the roster as a whole cannot be used; problems on lines are in
    the report's errors and warnings."""
    if at.tzinfo is None:
        raise InvalidInput("give the time with its time zone", field="at")
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not import rosters", field="path")
    types = {t.code: t for t in PatronType.objects.filter(code__in=[STUDENT, TEACHER])}
    if len(types) < 2:
        raise RosterUnreadable("patron types student and teacher must exist", field="type")
    roster = oneroster.read_roster(path, today=at.date())
    ctx = _Context(
        actor=actor,
        at=at,
        sites={s.id: s for s in Site.objects.all()},
        types=types,
        type_codes=dict(PatronType.objects.values_list("id", "code")),
        present={u.sourced_id for u in roster.users} | roster.refused_user_ids,
    )
    wanted, site_ids = _wanted(roster, ctx)
    report = RosterReport(dry_run=dry_run)
    if dry_run:
        index = _index(Patron.objects.all(), every_guardian=True)
        for w in wanted:
            step = _step(w, index, ctx, roster)
            if step is not None:
                _record(step, report)
    else:
        for start in range(0, len(wanted), batch_size):
            _apply_batch(wanted[start : start + batch_size], ctx, roster, report)
            if progress is not None:
                progress(report)
    if roster.mode(USERS) == oneroster.BULK:
        _leavers(site_ids, ctx, roster, report, dry_run, batch_size)
    report.errors = sorted(roster.errors + report.errors)
    report.warnings = sorted(roster.warnings)
    if not dry_run:
        with transaction.atomic():
            audit(
                actor=actor,
                action="patron.roster_import",
                object_type="roster",
                object_id=path.name[:64],
                object_repr=f"OneRoster {path.name}"[:255],
                changes={k: [None, v] for k, v in report.counts().items()},
                at=at,
            )
    return report


def _apply_batch(batch: list[Wanted], ctx: _Context, roster: Roster, report: RosterReport) -> None:
    with transaction.atomic():
        keys = (
            Q(roster_id__in=[w.roster_id for w in batch])
            | Q(student_id__in=[w.student_id for w in batch if w.student_id])
            | Q(barcode__in=[w.barcode for w in batch])
        )
        # Locked for the batch: a desk editing one of these patrons waits, and vice versa.
        index = _index(Patron.objects.select_for_update().filter(keys))
        steps = [s for s in (_step(w, index, ctx, roster) for w in batch) if s is not None]
        _write_batch([s for s in steps if s.kind != "unchanged"], ctx, report)
        report.unchanged += sum(1 for s in steps if s.kind == "unchanged")


def _leavers(
    site_ids: set[int],
    ctx: _Context,
    roster: Roster,
    report: RosterReport,
    dry_run: bool,
    batch_size: int,
) -> None:
    """Rostered patrons at the roster's sites whom a bulk users.csv no longer lists."""
    candidates = _leaver_candidates(site_ids, ctx)
    rows = [_Existing(*values) for values in candidates.values_list(*_FIELDS)]
    gone = [e for e in rows if _absent(e, ctx, roster)]
    if dry_run:
        for e in gone:
            _record(_leaving(e, ctx), report)
        return
    for start in range(0, len(gone), batch_size):
        ids = [e.id for e in gone[start : start + batch_size]]
        with transaction.atomic():
            # Read again under the lock: a desk may have changed one since.
            locked = candidates.select_for_update().filter(id__in=ids)
            fresh = [_Existing(*values) for values in locked.values_list(*_FIELDS)]
            _write_batch([_leaving(e, ctx) for e in fresh], ctx, report)
