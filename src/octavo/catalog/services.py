"""Creating and changing catalog records one at a time (the cataloging form and MARC editor).

Each save writes the record, its match keys and its search index entry in one transaction,
with an audit entry; a record that looks like one already in the catalog (same ISBN, or same
title and first author) is refused with PossibleDuplicate unless the caller confirms.
"""

from __future__ import annotations

from datetime import datetime

import pymarc
from django.db import transaction

from octavo.accounts.rules import Action, may_ever
from octavo.audit.services import changes_between
from octavo.audit.services import record as audit
from octavo.catalog import search_index
from octavo.catalog.errors import PossibleDuplicate
from octavo.catalog.mapping import Description, describe, file_invalid_isbns
from octavo.catalog.marc import mark_utf8
from octavo.catalog.marc_text import from_text
from octavo.catalog.models import Record, RecordKey
from octavo.catalog.records import RecordFields, apply_fields, fill, match_keys, new_record
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied


def _require(actor: Actor) -> None:
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not catalog")


def _summary(d: Description) -> dict[str, object]:
    return {
        "title": d.title,
        "authors": list(d.authors),
        "isbns": list(d.isbns.valid),
        "year": d.year,
        "call_number": d.call_number,
        "subjects": list(d.subjects),
    }


def possible_duplicates(d: Description, *, exclude: int | None = None) -> list[int]:
    """Records with one of these ISBNs, or with the same title and first author."""
    ids = set(
        RecordKey.objects.filter(kind=RecordKey.Kind.ISBN, value__in=d.isbns.valid).values_list(
            "record_id", flat=True
        )
    )
    if d.title:
        same_title = Record.objects.filter(title__iexact=d.title).values_list("id", "authors")
        first = d.authors[0].casefold() if d.authors else ""
        ids |= {
            rid
            for rid, authors in same_title
            if (authors[0].casefold() if authors else "") == first
        }
    if exclude is not None:
        ids.discard(exclude)
    return sorted(ids)


def _save(target: Record, record: pymarc.Record, *, at: datetime) -> Record:
    mark_utf8(record)
    file_invalid_isbns(record)
    d = describe(record)
    marc = record.as_marc()
    fill(target, record, d, marc, None, at)
    target.save()
    RecordKey.objects.filter(record=target).delete()
    RecordKey.objects.bulk_create(
        [RecordKey(record=target, kind=k, value=v) for k, v in match_keys(d, marc)]
    )
    search_index.replace([(target.pk, d)])
    return target


def create_record(
    *, actor: Actor, fields: RecordFields, at: datetime, confirm_duplicate: bool = False
) -> Record:
    _require(actor)
    record = new_record(fields, at=at)
    d = describe(record)
    with transaction.atomic():
        duplicates = possible_duplicates(d)
        if duplicates and not confirm_duplicate:
            raise PossibleDuplicate(
                f"the catalog already has {len(duplicates)} record(s) with this ISBN or this "
                f"title and author: {', '.join(map(str, duplicates))}",
                record_ids=duplicates,
            )
        saved = _save(Record(created_at=at), record, at=at)
        audit(
            actor=actor,
            action="record.create",
            object_type="record",
            object_id=saved.pk,
            object_repr=saved.title[:255],
            changes=changes_between({}, _summary(d)),
            at=at,
        )
    return saved


def _locked(record_id: int) -> Record:
    target = Record.objects.select_for_update().filter(pk=record_id).first()
    if target is None:
        raise NotFound(f"no record {record_id}", field="record")
    return target


def update_record_fields(
    *,
    actor: Actor,
    record_id: int,
    fields: RecordFields,
    at: datetime,
    confirm_duplicate: bool = False,
) -> Record:
    """Save the cataloging form: only the parts that changed are rewritten in the MARC."""
    _require(actor)
    with transaction.atomic():
        target = _locked(record_id)
        record = pymarc.Record(bytes(target.marc), force_utf8=True)
        before = describe(record)
        record = apply_fields(record, fields, before)
        after = describe(record)
        duplicates = possible_duplicates(after, exclude=target.pk)
        if duplicates and not confirm_duplicate and after.isbns != before.isbns:
            raise PossibleDuplicate(
                f"another record has this ISBN: {', '.join(map(str, duplicates))}",
                record_ids=duplicates,
            )
        _save(target, record, at=at)
        diff = changes_between(_summary(before), _summary(after))
        if diff:
            audit(
                actor=actor,
                action="record.update",
                object_type="record",
                object_id=target.pk,
                object_repr=target.title[:255],
                changes=diff,
                at=at,
            )
    return target


def update_record_marc(*, actor: Actor, record_id: int, marc_text: str, at: datetime) -> Record:
    """Save the MARC editor's text; every line is checked before anything is written."""
    _require(actor)
    record = from_text(marc_text)
    with transaction.atomic():
        target = _locked(record_id)
        before = describe(pymarc.Record(bytes(target.marc), force_utf8=True))
        _save(target, record, at=at)
        diff = changes_between(_summary(before), _summary(describe(record)))
        audit(
            actor=actor,
            action="record.marc",
            object_type="record",
            object_id=target.pk,
            object_repr=target.title[:255],
            changes=diff or {"marc": ["(edited)", "(saved)"]},
            at=at,
        )
    return target
