"""Adding and changing patrons, their guardians, blocks and PINs. The only code that writes them
(the roster import is roster.py, the year-end rollover rollover.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from octavo.accounts.rules import Action, decide
from octavo.audit.services import changes_between
from octavo.audit.services import record as audit
from octavo.db import rows
from octavo.district.models import Site
from octavo.patrons import pins, rules
from octavo.patrons.models import Guardian, Patron, PatronType, PinFailure
from octavo.patrons.states import PatronEvent, PatronStatus, advance
from octavo.shared.actor import Actor
from octavo.shared.barcodes import check_barcode
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_bool, as_text, reject_unknown


@dataclass(frozen=True)
class PatronFields:
    barcode: str
    first_name: str
    last_name: str
    patron_type: str  # a PatronType code
    site_code: str  # the home site
    email: str = ""
    phone: str = ""
    grade: str = ""
    homeroom: str = ""
    student_id: str = ""
    roster_id: str = ""
    card_expires: date | None = None
    language: str = "en"
    pin: str = ""  # stored hashed; blank: no PIN
    notes: str = ""


def _require(actor: Actor, action: Action, site_id: int, field: str = "site") -> None:
    decision = decide(actor, action, site_id=site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field=field)


def _site(actor: Actor, code: str) -> Site:
    site = Site.objects.filter(code=code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {code!r}", field="site")
    _require(actor, Action.PATRON_EDIT, site.id)
    return site


def _patron_type(code: str) -> PatronType:
    patron_type = PatronType.objects.filter(code=code.strip().lower()).first()
    if patron_type is None:
        known = ", ".join(PatronType.objects.values_list("code", flat=True))
        raise InvalidInput(f"no patron type {code!r} (there are: {known})", field="type")
    return patron_type


def _required(value: str, field: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("must not be blank", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"at most {max_length} characters", field=field)
    return text


def _optional(value: str, field: str, max_length: int) -> str:
    text = value.strip()
    if len(text) > max_length:
        raise InvalidInput(f"at most {max_length} characters", field=field)
    return text


def _set_name_keys(patron: Patron) -> None:
    patron.last_key = rules.fold(patron.last_name)[:100]
    patron.first_key = rules.fold(patron.first_name)[:100]


def _repr(patron: Patron) -> str:
    return f"{patron.barcode} {patron.last_name}, {patron.first_name}"


# The audit log is append-only and outlives the patron's record, so contact details and staff's
# free text are logged as changed, never copied into it (as a password is: accounts.services).
_PRIVATE = frozenset({"email", "phone", "notes"})


def _snapshot(patron: Patron) -> dict[str, Any]:
    return {
        "barcode": patron.barcode,
        "first_name": patron.first_name,
        "last_name": patron.last_name,
        "type": patron.patron_type.code,
        "site": patron.home_site.code,
        "status": patron.status,
        "card_expires": patron.card_expires.isoformat() if patron.card_expires else None,
        "student_id": patron.student_id,
        "grade": patron.grade,
        "homeroom": patron.homeroom,
        "roster_id": patron.roster_id,
        "email": patron.email,
        "phone": patron.phone,
        "language": patron.language,
        "keeps_reading_history": patron.keeps_reading_history,
        "notes": patron.notes,
    }


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`changes_between`, with the private fields' values replaced by markers."""
    diff = changes_between(before, after)
    return {k: (["(old)", "(new)"] if k in _PRIVATE else v) for k, v in diff.items()}


def _check_unique(patron: Patron) -> None:
    """Friendly errors for the unique fields; the database constraints catch any race."""
    others = Patron.objects.exclude(pk=patron.pk) if patron.pk else Patron.objects.all()
    if others.filter(barcode=patron.barcode).exists():
        raise Duplicate(f"barcode {patron.barcode} is already a patron's", field="barcode")
    if patron.student_id and others.filter(student_id=patron.student_id).exists():
        raise Duplicate(f"student ID {patron.student_id} is already a patron's", field="student_id")


def create_patron(*, actor: Actor, fields: PatronFields, at: datetime) -> Patron:
    f = fields
    site = _site(actor, f.site_code)
    patron_type = _patron_type(f.patron_type)
    patron = Patron(
        barcode=check_barcode(f.barcode),
        first_name=_required(f.first_name, "first_name", 100),
        last_name=_required(f.last_name, "last_name", 100),
        patron_type=patron_type,
        home_site=site,
        status=PatronStatus.ACTIVE.value,
        card_expires=f.card_expires,
        student_id=_optional(f.student_id, "student_id", 64),
        grade=rules.normalize_grade(f.grade),
        homeroom=f.homeroom.strip()[:200],
        roster_id=f.roster_id.strip(),
        email=rules.check_email(f.email),
        phone=f.phone.strip()[:40],
        language=rules.check_language(f.language),
        pin_hash=make_password(rules.check_pin(f.pin), hasher=pins.ALGORITHM) if f.pin else "",
        notes=f.notes.strip(),
        created_at=at,
        updated_at=at,
    )
    _set_name_keys(patron)
    with transaction.atomic():
        _check_unique(patron)
        try:
            with transaction.atomic():
                patron.save()
        except IntegrityError as error:
            raise Duplicate(f"patron {patron.barcode} already exists", field="barcode") from error
        audit(
            actor=actor,
            action="patron.create",
            object_type="patron",
            object_id=patron.pk,
            object_repr=_repr(patron),
            site_id=site.id,
            changes=changes_between(
                {}, {"barcode": patron.barcode, "type": patron_type.code, "site": site.code}
            ),
            at=at,
        )
    return patron


# What update_patron changes. Status moves through block/unblock (and the roster import or
# rollover), the PIN through set_pin, and roster_id belongs to the roster import.
EDITABLE = frozenset({
    "barcode", "first_name", "last_name", "patron_type", "site", "card_expires", "student_id",
    "grade", "homeroom", "email", "phone", "language", "keeps_reading_history", "notes",
})  # fmt: skip


def _date(value: object, *, field: str) -> date | None:
    """A date, an ISO date text (YYYY-MM-DD), or None / "" to clear."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise InvalidInput("give a date without a time", field=field)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None
    raise InvalidInput("must be a date (YYYY-MM-DD)", field=field)


def _locked_patron(patron_id: int) -> Patron:
    patron = (
        Patron.objects.select_for_update(of=("self",))
        .select_related("patron_type", "home_site")
        .filter(pk=patron_id)
        .first()
    )
    if patron is None:
        raise NotFound(f"no patron {patron_id}", field="patron")
    return patron


def update_patron(
    *, actor: Actor, patron_id: int, changes: Mapping[str, Any], at: datetime
) -> Patron:
    """Change any of EDITABLE; moving a patron to another site needs the right at both."""
    reject_unknown(changes, EDITABLE)
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "keeps_reading_history":
            clean[key] = as_bool(value, field=key)
        elif key == "card_expires":
            clean[key] = _date(value, field=key)
        else:
            clean[key] = as_text(value, field=key)
    if "barcode" in clean:
        clean["barcode"] = check_barcode(clean["barcode"])
    for key in ("first_name", "last_name"):
        if key in clean:
            clean[key] = _required(clean[key], key, 100)
    if "student_id" in clean:
        clean["student_id"] = _optional(clean["student_id"], "student_id", 64)
    if "grade" in clean:
        clean["grade"] = rules.normalize_grade(clean["grade"])
    if "homeroom" in clean:
        clean["homeroom"] = _optional(clean["homeroom"], "homeroom", 200)
    if "email" in clean:
        clean["email"] = rules.check_email(clean["email"])
    if "phone" in clean:
        clean["phone"] = _optional(clean["phone"], "phone", 40)
    if "language" in clean:
        clean["language"] = rules.check_language(clean["language"])
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        _require(actor, Action.PATRON_EDIT, patron.home_site_id)
        before = _snapshot(patron)
        if "site" in clean:
            patron.home_site = _site(actor, clean.pop("site"))
        if "patron_type" in clean:
            patron.patron_type = _patron_type(clean.pop("patron_type"))
        for key, value in clean.items():
            setattr(patron, key, value)
        _renewed_card(patron, clean, at)
        _set_name_keys(patron)
        after = _snapshot(patron)
        diff = audit_changes(before, after)
        if not diff:
            return patron
        _check_unique(patron)
        patron.updated_at = at
        try:
            with transaction.atomic():
                patron.save()
        except IntegrityError as error:  # another desk took the barcode a moment ago
            raise Duplicate(
                f"barcode {patron.barcode} or student ID {patron.student_id} is already in use",
                field="barcode",
            ) from error
        audit(
            actor=actor,
            action="patron.update",
            object_type="patron",
            object_id=patron.pk,
            object_repr=_repr(patron),
            site_id=patron.home_site_id,
            changes=diff,
            at=at,
        )
    return patron


def _renewed_card(patron: Patron, clean: Mapping[str, Any], at: datetime) -> None:
    """A card the nightly job expired (patrons.expiry) and now renewed to a day not yet past:
    the patron is back (PatronEvent.RETURN)."""
    renewed = clean.get("card_expires")
    if patron.status != PatronStatus.EXPIRED.value or renewed is None:
        return
    if renewed >= at.astimezone(ZoneInfo(patron.home_site.time_zone)).date():
        patron.status = advance(PatronStatus.EXPIRED, PatronEvent.RETURN).value


# --- guardians --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianFields:
    name: str
    relationship: str = ""
    email: str = ""
    phone: str = ""
    receives_notices: bool = True


def _guardian_snapshot(guardian: Guardian) -> dict[str, Any]:
    return {
        "name": guardian.name,
        "relationship": guardian.relationship,
        "email": guardian.email,
        "phone": guardian.phone,
        "receives_notices": guardian.receives_notices,
    }


def _fill_guardian(guardian: Guardian, f: GuardianFields) -> None:
    guardian.name = _required(as_text(f.name, field="name"), "name", 200)
    guardian.relationship = _optional(
        as_text(f.relationship, field="relationship"), "relationship", 50
    )
    guardian.email = rules.check_email(as_text(f.email, field="email"))
    guardian.phone = _optional(as_text(f.phone, field="phone"), "phone", 40)
    guardian.receives_notices = as_bool(f.receives_notices, field="receives_notices")


def _audit_guardian(
    actor: Actor, action: str, patron: Patron, changes: dict[str, list[Any]], at: datetime
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="patron",
        object_id=patron.pk,
        object_repr=_repr(patron),
        site_id=patron.home_site_id,
        changes=changes,
        at=at,
    )


def add_guardian(*, actor: Actor, patron_id: int, fields: GuardianFields, at: datetime) -> Guardian:
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        _require(actor, Action.PATRON_EDIT, patron.home_site_id)
        guardian = Guardian(patron=patron)
        _fill_guardian(guardian, fields)
        guardian.save()
        patron.updated_at = at
        patron.save(update_fields=["updated_at"])
        snapshot = {f"guardian.{k}": v for k, v in _guardian_snapshot(guardian).items()}
        _audit_guardian(actor, "patron.guardian_add", patron, audit_changes({}, snapshot), at)
    return guardian


def _locked_guardian(actor: Actor, guardian_id: int) -> tuple[Guardian, Patron]:
    guardian = Guardian.objects.select_for_update().filter(pk=guardian_id).first()
    if guardian is None:
        raise NotFound(f"no guardian {guardian_id}", field="guardian")
    patron = _locked_patron(guardian.patron_id)
    _require(actor, Action.PATRON_EDIT, patron.home_site_id)
    return guardian, patron


_GUARDIAN_FIELDS = frozenset({"name", "relationship", "email", "phone", "receives_notices"})


def update_guardian(
    *, actor: Actor, guardian_id: int, changes: Mapping[str, Any], at: datetime
) -> Guardian:
    reject_unknown(changes, _GUARDIAN_FIELDS)
    with transaction.atomic():
        guardian, patron = _locked_guardian(actor, guardian_id)
        before = _guardian_snapshot(guardian)
        _fill_guardian(guardian, GuardianFields(**(before | dict(changes))))
        after = _guardian_snapshot(guardian)
        diff = audit_changes(before, after)
        if diff:
            guardian.save()
            _audit_guardian(
                actor,
                "patron.guardian_update",
                patron,
                {f"guardian.{k}": v for k, v in diff.items()} | {"guardian": [guardian.name] * 2},
                at,
            )
    return guardian


def remove_guardian(*, actor: Actor, guardian_id: int, at: datetime) -> None:
    """Remove a guardian's contact from a patron (the guardian is not a patron: nothing else
    refers to the row)."""
    with transaction.atomic():
        guardian, patron = _locked_guardian(actor, guardian_id)
        snapshot = {f"guardian.{k}": v for k, v in _guardian_snapshot(guardian).items()}
        guardian.delete()
        _audit_guardian(actor, "patron.guardian_remove", patron, audit_changes(snapshot, {}), at)


# --- blocks -----------------------------------------------------------------------------------


def _move(*, actor: Actor, patron_id: int, event: PatronEvent, note: str, at: datetime) -> Patron:
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        _require(actor, Action.PATRON_EDIT, patron.home_site_id)
        before = {"status": patron.status, "block_note": patron.block_note}
        patron.status = advance(PatronStatus(patron.status), event).value
        patron.block_note = note if event is PatronEvent.BLOCK else ""
        patron.updated_at = at
        patron.save(update_fields=["status", "block_note", "updated_at"])
        audit(
            actor=actor,
            action=f"patron.{event.value}",
            object_type="patron",
            object_id=patron.pk,
            object_repr=_repr(patron),
            site_id=patron.home_site_id,
            # The note is what staff wrote about why; an unblock's note is kept here only.
            changes=changes_between(before, {"status": patron.status, "block_note": note}),
            at=at,
        )
    return patron


def block_patron(*, actor: Actor, patron_id: int, note: str, at: datetime) -> Patron:
    """Stop a card (no check-outs, holds or renewals); the note says why, at the desk."""
    text = _required(as_text(note, field="note"), "note", 500)
    return _move(actor=actor, patron_id=patron_id, event=PatronEvent.BLOCK, note=text, at=at)


def unblock_patron(*, actor: Actor, patron_id: int, note: str, at: datetime) -> Patron:
    text = _optional(as_text(note, field="note"), "note", 500)
    return _move(actor=actor, patron_id=patron_id, event=PatronEvent.UNBLOCK, note=text, at=at)


# --- PINs -------------------------------------------------------------------------------------


def set_pin(*, actor: Actor, patron_id: int, pin: str, at: datetime) -> Patron:
    """Set (or, with "", remove) a patron's PIN. Setting one also lifts a PIN lock: staff have
    seen the patron."""
    text = as_text(pin, field="pin")
    pin_hash = make_password(rules.check_pin(text), hasher=pins.ALGORITHM) if text else ""
    with transaction.atomic():
        patron = _locked_patron(patron_id)
        _require(actor, Action.PATRON_EDIT, patron.home_site_id)
        had_pin = bool(patron.pin_hash)
        patron.pin_hash = pin_hash
        patron.updated_at = at
        patron.save(update_fields=["pin_hash", "updated_at"])
        PinFailure.objects.filter(patron=patron).delete()
        # The log says that the PIN changed, never what it is.
        audit(
            actor=actor,
            action="patron.pin",
            object_type="patron",
            object_id=patron.pk,
            object_repr=_repr(patron),
            site_id=patron.home_site_id,
            changes={"pin": ["(old)" if had_pin else None, "(new)" if text else None]},
            at=at,
        )
    return patron


class PinOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong PINs lately: refused without checking
    NO_PIN = "no_pin"  # the patron has no PIN to check against


@dataclass(frozen=True, slots=True)
class PinCheck:
    outcome: PinOutcome
    tries_left: int  # before the lock
    locked_until: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is PinOutcome.ACCEPTED


@dataclass(frozen=True, slots=True)
class PinMatch:
    """A PIN compared with a stored hash ahead of verify_pin (the SIP2 server does it on a
    thread of its own: the hash is most of a kiosk's login, and holds no lock)."""

    pin_hash: str  # the hash it was compared with
    right: bool
    must_update: bool  # hashed the old way: verify_pin stores it again


def pin_matches(pin_hash: str, pin: str) -> PinMatch:
    """Compare a PIN with a patron's stored hash, reading and writing nothing: what verify_pin
    takes as `checked`."""
    old_way: list[str] = []  # check_password calls the setter for a right PIN hashed the old way
    right = check_password(pin, pin_hash, setter=old_way.append, preferred=pins.ALGORITHM)
    return PinMatch(pin_hash, right, must_update=bool(old_way))


def _rehash(patron: Patron) -> Callable[[str], None]:
    """A PIN hashed the old way, checked right: stored again the PIN way (pins.py)."""

    def store(pin: str) -> None:
        patron.pin_hash = make_password(pin, hasher=pins.ALGORITHM)
        Patron.objects.filter(pk=patron.pk).update(pin_hash=patron.pin_hash)

    return store


_FAILURES = "SELECT at FROM patrons_pinfailure WHERE patron_id = %s AND at > %s"


def _recent_failures(patron_id: int, since: datetime) -> list[datetime]:
    return [
        rows.converted(PinFailure, "at", value)
        for value in rows.values(_FAILURES, [patron_id, rows.moment(since)])
    ]


def verify_pin(
    *, patron: Patron, pin: str, at: datetime, checked: PinMatch | None = None
) -> PinCheck:
    """Check a PIN typed at the desk, the OPAC or a SIP2 kiosk; every interface shares one count.
    `checked`: this PIN already compared (pin_matches); used only if the patron's stored hash
    is still the one it was compared with, else compared again here.

    The hash is checked outside any transaction (it takes some milliseconds of CPU, and on
    SQLite a transaction that writes holds every other writer back). The failures are then
    counted again with the patron row locked before anything is written, so two kiosks
    guessing at once cannot both get a fifth try, and a right PIN arriving after the fifth
    wrong one is refused. A right PIN with no failures on record writes nothing.
    """
    if at.tzinfo is None:
        raise InvalidInput("give the time with its time zone", field="at")
    current = rows.one(Patron, "id = %s", [patron.pk])
    if current is None:
        raise NotFound(f"no patron {patron.pk}", field="patron")
    if not current.pin_hash:
        return PinCheck(PinOutcome.NO_PIN, tries_left=0)
    stale = at - rules.PIN_FAILURE_WINDOW
    failures = _recent_failures(current.pk, stale)
    until = rules.pin_locked_until(failures, at)
    if until is not None:
        return PinCheck(PinOutcome.LOCKED, tries_left=0, locked_until=until)
    if checked is not None and checked.pin_hash == current.pin_hash:
        right = checked.right
        if right and checked.must_update:
            _rehash(current)(pin)
    else:
        right = check_password(
            pin, current.pin_hash, setter=_rehash(current), preferred=pins.ALGORITHM
        )
    if right and not failures:
        return PinCheck(PinOutcome.ACCEPTED, tries_left=rules.PIN_FAILURE_LIMIT)
    with transaction.atomic():
        rows.one(Patron, "id = %s", [current.pk], lock=True)
        failures = _recent_failures(current.pk, stale)
        until = rules.pin_locked_until(failures, at)
        if until is not None:
            return PinCheck(PinOutcome.LOCKED, tries_left=0, locked_until=until)
        if right:
            PinFailure.objects.filter(patron_id=current.pk).delete()
            return PinCheck(PinOutcome.ACCEPTED, tries_left=rules.PIN_FAILURE_LIMIT)
        PinFailure.objects.filter(patron_id=current.pk, at__lte=stale).delete()
        PinFailure.objects.create(patron_id=current.pk, at=at)
        failures.append(at)
        until = rules.pin_locked_until(failures, at)
        return PinCheck(
            PinOutcome.WRONG,
            tries_left=max(rules.PIN_FAILURE_LIMIT - len(failures), 0),
            locked_until=until,
        )


# --- viewing ----------------------------------------------------------------------------------


def patron_for_staff(*, actor: Actor, patron_id: int, at: datetime) -> Patron:
    """A patron's record (with guardians) opened by staff; the viewing is written to the audit
    log in the same transaction (issue #4, "Privacy"). A service because it writes."""
    with transaction.atomic():
        patron = (
            Patron.objects.select_related("patron_type", "home_site")
            .prefetch_related("guardians")
            .filter(pk=patron_id)
            .first()
        )
        if patron is None:
            raise NotFound(f"no patron {patron_id}", field="patron")
        _require(actor, Action.PATRON_VIEW, patron.home_site_id, field="patron")
        audit(
            actor=actor,
            action="patron.view",
            object_type="patron",
            object_id=patron.pk,
            object_repr=_repr(patron),
            site_id=patron.home_site_id,
            at=at,
        )
    return patron
