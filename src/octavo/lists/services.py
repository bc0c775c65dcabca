"""Curating reading lists and featured shelves (issue #6). The only code that writes them.

Each change locks the list's row first, so two librarians reordering the same list at once take
turns and the positions stay 0, 1, 2... without gaps or repeats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction

from octavo.audit.services import changes_between, record
from octavo.catalog.models import Record
from octavo.district.models import Site
from octavo.lists.models import ListEntry, ReadingList
from octavo.lists.rules import decide_curate
from octavo.shared.actor import Actor
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_bool, as_text, reject_unknown

NAME_MAX = 200
AUDIENCE_MAX = 100
NOTE_MAX = 500
DESCRIPTION_MAX = 5000
LIST_FIELDS = frozenset({"name", "description", "site", "is_public", "featured", "audience"})
Direction = Literal["up", "down"]


def _require(actor: Actor, site_id: int | None) -> None:
    decision = decide_curate(actor, site_id=site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def _text(value: object, *, field: str, max_length: int, required: bool = False) -> str:
    text = as_text(value, field=field)
    if required and not text:
        raise InvalidInput("must not be blank", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"at most {max_length} characters", field=field)
    return text


def _site(code: object) -> Site | None:
    """The site with this code; blank: none (a district-wide list)."""
    text = as_text(code, field="site").upper()
    if not text:
        return None
    site = Site.objects.filter(code=text).first()
    if site is None:
        raise NotFound(f"no site with code {text!r}", field="site")
    return site


def _check_featured(reading_list: ReadingList) -> None:
    if reading_list.featured and not reading_list.is_public:
        raise InvalidInput("only a public list can be featured", field="featured")


def _snapshot(reading_list: ReadingList) -> dict[str, Any]:
    return {
        "name": reading_list.name,
        "description": reading_list.description,
        "site": reading_list.site.code if reading_list.site else None,
        "is_public": reading_list.is_public,
        "featured": reading_list.featured,
        "audience": reading_list.audience,
    }


def _audit(
    actor: Actor, reading_list: ReadingList, action: str, changes: dict[str, Any], at: datetime
) -> None:
    record(
        actor=actor,
        action=action,
        object_type="reading_list",
        object_id=reading_list.pk,
        object_repr=str(reading_list),
        site_id=reading_list.site_id,
        changes=changes,
        at=at,
    )


def _locked(actor: Actor, list_id: int) -> ReadingList:
    """The list, its row locked for this transaction, if the actor may curate it."""
    found = ReadingList.objects.select_for_update().filter(pk=list_id).first()
    if found is None:
        raise NotFound(f"no reading list {list_id}", field="list")
    _require(actor, found.site_id)
    return found


def _touch(reading_list: ReadingList, at: datetime) -> None:
    reading_list.updated_at = at
    reading_list.save(update_fields=["updated_at"])


def create_list(
    *,
    actor: Actor,
    name: str,
    at: datetime,
    site_code: str = "",
    description: str = "",
    is_public: bool = False,
    featured: bool = False,
    audience: str = "",
) -> ReadingList:
    """A new, empty list for the site with `site_code` (blank: district-wide)."""
    reading_list = ReadingList(
        name=_text(name, field="name", max_length=NAME_MAX, required=True),
        description=_text(description, field="description", max_length=DESCRIPTION_MAX),
        is_public=as_bool(is_public, field="is_public"),
        featured=as_bool(featured, field="featured"),
        audience=_text(audience, field="audience", max_length=AUDIENCE_MAX),
        created_at=at,
        updated_at=at,
        created_by=actor.username,
    )
    _check_featured(reading_list)
    reading_list.site = _site(site_code)
    _require(actor, reading_list.site_id)
    with transaction.atomic():
        reading_list.save()
        _audit(actor, reading_list, "list.create", changes_between({}, _snapshot(reading_list)), at)
    return reading_list


def update_list(
    *, actor: Actor, list_id: int, changes: dict[str, Any], at: datetime
) -> ReadingList:
    """Change any of name, description, site (a code; blank: district-wide), is_public, featured
    and audience. Moving a list to another site needs the right to curate at both."""
    reject_unknown(changes, LIST_FIELDS)
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        before = _snapshot(reading_list)
        if "name" in changes:
            reading_list.name = _text(
                changes["name"], field="name", max_length=NAME_MAX, required=True
            )
        if "description" in changes:
            reading_list.description = _text(
                changes["description"], field="description", max_length=DESCRIPTION_MAX
            )
        if "audience" in changes:
            reading_list.audience = _text(
                changes["audience"], field="audience", max_length=AUDIENCE_MAX
            )
        for flag in ("is_public", "featured"):
            if flag in changes:
                setattr(reading_list, flag, as_bool(changes[flag], field=flag))
        if "site" in changes:
            reading_list.site = _site(changes["site"])
            _require(actor, reading_list.site_id)
        _check_featured(reading_list)
        diff = changes_between(before, _snapshot(reading_list))
        if diff:
            reading_list.updated_at = at
            reading_list.save()
            _audit(actor, reading_list, "list.update", diff, at)
    return reading_list


def delete_list(*, actor: Actor, list_id: int, at: datetime) -> None:
    """Delete a list and its entries (the records stay in the catalog)."""
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        entries = list(
            reading_list.entries.order_by("position").values_list("record_id", flat=True)
        )
        before = _snapshot(reading_list) | {"records": entries}
        _audit(actor, reading_list, "list.delete", changes_between(before, {}), at)
        reading_list.delete()


def _entries(reading_list: ReadingList) -> list[ListEntry]:
    return list(ListEntry.objects.filter(reading_list=reading_list).order_by("position", "id"))


def _not_on(reading_list: ReadingList, record_id: int) -> NotFound:
    return NotFound(f"record {record_id} is not on the list {reading_list.name}", field="record")


def _entry(reading_list: ReadingList, record_id: int) -> ListEntry:
    found = ListEntry.objects.filter(reading_list=reading_list, record_id=record_id).first()
    if found is None:
        raise _not_on(reading_list, record_id)
    return found


def _renumber(entries: list[ListEntry]) -> list[str]:
    """Give the entries positions 0, 1, 2... in this order; the record ids, in order, for the
    audit log. Only the rows whose position changed are written."""
    moved = []
    for position, entry in enumerate(entries):
        if entry.position != position:
            entry.position = position
            moved.append(entry)
    ListEntry.objects.bulk_update(moved, ["position"])
    return [str(e.record_id) for e in entries]


def add_entry(
    *, actor: Actor, list_id: int, record_id: int, at: datetime, note: str = ""
) -> ListEntry:
    """Put a catalog record at the end of the list. A record already on it is refused."""
    note = _text(note, field="note", max_length=NOTE_MAX)
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise InvalidInput("must be a record number", field="record")
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        found = Record.objects.filter(pk=record_id).only("id", "title").first()
        if found is None:
            raise NotFound(f"no record {record_id}", field="record")
        already = f"“{found.title}” (record {found.pk}) is already on the list {reading_list.name}"
        if ListEntry.objects.filter(reading_list=reading_list, record=found).exists():
            raise Duplicate(already, field="record")
        # Under the list's lock no one else adds to it now; list_entry_record_once backs this.
        position = ListEntry.objects.filter(reading_list=reading_list).count()
        entry = ListEntry.objects.create(
            reading_list=reading_list, record=found, position=position, note=note
        )
        _touch(reading_list, at)
        _audit(
            actor,
            reading_list,
            "list.entry.add",
            {"record": [None, found.pk], "position": [None, position], "note": [None, note]},
            at,
        )
    return entry


def remove_entry(*, actor: Actor, list_id: int, record_id: int, at: datetime) -> None:
    """Take a record off the list; the entries after it move up one place."""
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        entry = _entry(reading_list, record_id)
        entry.delete()
        _renumber(_entries(reading_list))
        _touch(reading_list, at)
        _audit(
            actor,
            reading_list,
            "list.entry.remove",
            {"record": [record_id, None], "position": [entry.position, None]},
            at,
        )


def move_entry(
    *,
    actor: Actor,
    list_id: int,
    record_id: int,
    at: datetime,
    direction: Direction | None = None,
    position: int | None = None,
) -> ListEntry:
    """Move a record one place up or down the list (`direction`), or to `position` (0: first).

    Give one of the two. Moving the first entry up, or the last down, changes nothing."""
    if (direction is None) == (position is None):
        raise InvalidInput("give either a direction (up or down) or a position", field="position")
    if direction is not None and direction not in ("up", "down"):
        raise InvalidInput(f"{direction!r} is not up or down", field="direction")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
        raise InvalidInput("must be a whole number", field="position")
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        entries = _entries(reading_list)
        now_at = next((n for n, e in enumerate(entries) if e.record_id == record_id), None)
        if now_at is None:
            raise _not_on(reading_list, record_id)
        if position is None:
            target = now_at - 1 if direction == "up" else now_at + 1
            target = min(max(target, 0), len(entries) - 1)
        elif not 0 <= position < len(entries):
            raise InvalidInput(
                f"a position from 0 (first) to {len(entries) - 1} (last)", field="position"
            )
        else:
            target = position
        if target == now_at:
            return entries[now_at]
        before = [str(e.record_id) for e in entries]
        moving = entries.pop(now_at)
        entries.insert(target, moving)
        after = _renumber(entries)
        _touch(reading_list, at)
        _audit(actor, reading_list, "list.entry.move", {"order": [before, after]}, at)
    return moving


def set_note(*, actor: Actor, list_id: int, record_id: int, note: str, at: datetime) -> ListEntry:
    """The note readers see beside the record on this list ("A funny one to read aloud")."""
    note = _text(note, field="note", max_length=NOTE_MAX)
    with transaction.atomic():
        reading_list = _locked(actor, list_id)
        entry = _entry(reading_list, record_id)
        if entry.note != note:
            _audit(
                actor,
                reading_list,
                "list.entry.note",
                {"record": [record_id, record_id], "note": [entry.note, note]},
                at,
            )
            entry.note = note
            entry.save(update_fields=["note"])
            _touch(reading_list, at)
    return entry
