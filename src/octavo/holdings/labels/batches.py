"""Saved label batches (issue #8, after Koha's label batches): the only code that writes them.

A technician keeps a named batch of items ("New books, December" for a site), adds to it over
days by scanning or pasting barcodes, reviews it, takes some out, prints its labels from the
labels page (any item label: spine, barcode, both), then empties or deletes it. Who keeps which
batch, and which items may go in, is octavo.holdings.labels.batch_rules; reading batches is
octavo.holdings.labels.select. Each change locks the batch's row, so two people scanning into
one batch take turns, and is in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.holdings.labels.batch_rules import NotAdded, Refusal, decide_keep, refuse_item
from octavo.holdings.labels.content import Skipped, WantedBarcode, read_barcode_lines
from octavo.holdings.labels.select import MAX_LABELS, found_batch, items_by_barcode
from octavo.holdings.models import Item, LabelBatch, LabelBatchItem
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

NAME_MAX = 200
# A batch prints in one run, and a run holds at most select.MAX_LABELS labels.
MAX_BATCH = MAX_LABELS


@dataclass(frozen=True, slots=True)
class Added:
    """What one add did: the barcodes added (in the order listed), every line that added
    nothing with its reason (by line number), and how many items the batch now holds."""

    added: tuple[str, ...]
    not_added: tuple[NotAdded, ...]
    count: int


def _audit(
    actor: Actor, batch: LabelBatch, action: str, changes: dict[str, Any], at: datetime
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="label_batch",
        object_id=batch.pk,
        object_repr=f"label batch {batch.pk}: {batch.name}",
        site_id=batch.site_id,
        changes=changes,
        at=at,
    )


def _touch(batch: LabelBatch, at: datetime) -> None:
    batch.updated_at = at
    batch.save(update_fields=["updated_at"])


def _site_code(batch: LabelBatch) -> str | None:
    return batch.site.code if batch.site else None


def _barcodes(batch: LabelBatch) -> list[str]:
    return list(
        LabelBatchItem.objects.filter(batch=batch)
        .order_by("id")
        .values_list("item__barcode", flat=True)
    )


def create_batch(*, actor: Actor, name: str, at: datetime, site_code: str = "") -> LabelBatch:
    """A new, empty batch for the site with `site_code` (blank: district-wide)."""
    text = " ".join(str(name).split())
    if not text:
        raise InvalidInput("give the batch a name", field="name")
    if len(text) > NAME_MAX:
        raise InvalidInput(f"at most {NAME_MAX} characters", field="name")
    site = None
    code = site_code.strip().upper()
    if code:
        site = Site.objects.filter(code=code).first()
        if site is None:
            raise NotFound(f"no site with code {code!r}", field="site")
    decision = decide_keep(actor, site_id=site.pk if site else None)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    with transaction.atomic():
        batch = LabelBatch.objects.create(
            name=text, site=site, created_by=actor.username, created_at=at, updated_at=at
        )
        _audit(
            actor,
            batch,
            "label_batch.create",
            {"name": [None, text], "site": [None, code or None]},
            at,
        )
    return batch


def _read(lines: Iterable[str]) -> tuple[list[WantedBarcode], list[NotAdded]]:
    """The barcodes handed in, read as every barcode list is (content.read_barcode_lines:
    stray spaces and CRLF trimmed, blank lines and repeats left out), with the lines left
    out turned into reasons the pages can say in their own words."""
    wanted, skipped = read_barcode_lines(lines)
    first = {w.barcode: w.line for w in wanted}
    return wanted, [_not_added(s, first) for s in skipped]


def _not_added(skipped: Skipped, first: dict[str, int]) -> NotAdded:
    line = skipped.line or 0
    value = skipped.value
    if not value:
        return NotAdded(line, "", Refusal.BLANK)
    if value in first:
        return NotAdded(line, value, Refusal.REPEATED, first_line=first[value])
    if len(value) == 14 and value.isascii() and value.isdigit():
        return NotAdded(line, value, Refusal.CHECK_DIGIT)
    return NotAdded(line, value, Refusal.NOT_A_BARCODE, detail=skipped.reason)


def add_to_batch(*, actor: Actor, batch_id: int, lines: Iterable[str], at: datetime) -> Added:
    """Add the items whose barcodes are listed (one a line, as a keyboard-wedge scanner types
    them), in that order. An item already in the batch stays where it is: adding the same
    list twice changes nothing. The batch holds at most MAX_BATCH items: an add that would
    pass that adds nothing."""
    wanted, refused = _read(lines)
    with transaction.atomic():
        batch = found_batch(actor, batch_id, lock=True)
        found = items_by_barcode(w.barcode for w in wanted)
        present = set(LabelBatchItem.objects.filter(batch=batch).values_list("item_id", flat=True))
        held = len(present)
        new: list[Item] = []
        for want in wanted:
            item = found.get(want.barcode)
            if item is None:
                refused.append(NotAdded(want.line, want.barcode, Refusal.NO_ITEM))
                continue
            why = refuse_item(
                actor,
                batch_site_id=batch.site_id,
                item_site_id=item.site_id,
                withdrawn=item.status == ItemStatus.WITHDRAWN.value,
            )
            if why is None and item.pk in present:
                why = Refusal.ALREADY_IN
            if why is not None:
                refused.append(NotAdded(want.line, want.barcode, why, site=item.site.code))
                continue
            present.add(item.pk)
            new.append(item)
        if held + len(new) > MAX_BATCH:
            raise InvalidInput(
                f"the batch {batch.name} holds {held} items; {len(new)} more would pass the "
                f"limit of {MAX_BATCH}: print and empty it, or start another batch",
                field="barcodes",
            )
        if new:
            # One INSERT in the order listed: ids rise in that order, and the batch is read by id.
            LabelBatchItem.objects.bulk_create(
                [LabelBatchItem(batch=batch, item=item, added_at=at) for item in new]
            )
            _touch(batch, at)
            _audit(
                actor,
                batch,
                "label_batch.add",
                {"barcodes": [None, [item.barcode for item in new]]},
                at,
            )
    refused.sort(key=lambda n: n.line)
    return Added(
        added=tuple(item.barcode for item in new),
        not_added=tuple(refused),
        count=held + len(new),
    )


def remove_from_batch(*, actor: Actor, batch_id: int, barcode: str, at: datetime) -> None:
    """Take the item with this barcode out of the batch (the item itself is untouched)."""
    text = barcode.strip()
    with transaction.atomic():
        batch = found_batch(actor, batch_id, lock=True)
        entry = LabelBatchItem.objects.filter(batch=batch, item__barcode=text).first()
        if entry is None:
            raise NotFound(f"{text} is not in the batch {batch.name}", field="barcode")
        entry.delete()
        _touch(batch, at)
        _audit(actor, batch, "label_batch.remove", {"barcode": [text, None]}, at)


def empty_batch(*, actor: Actor, batch_id: int, at: datetime) -> int:
    """Take every item out of the batch, keeping the batch (and its name) for the next run;
    how many were taken out."""
    with transaction.atomic():
        batch = found_batch(actor, batch_id, lock=True)
        barcodes = _barcodes(batch)
        if barcodes:
            LabelBatchItem.objects.filter(batch=batch).delete()
            _touch(batch, at)
            _audit(actor, batch, "label_batch.empty", {"barcodes": [barcodes, None]}, at)
    return len(barcodes)


def delete_batch(*, actor: Actor, batch_id: int, at: datetime) -> None:
    """Delete the batch and its list of items (the items themselves are untouched)."""
    with transaction.atomic():
        batch = found_batch(actor, batch_id, lock=True)
        before = {"name": batch.name, "site": _site_code(batch), "barcodes": _barcodes(batch)}
        _audit(
            actor,
            batch,
            "label_batch.delete",
            {key: [value, None] for key, value in before.items()},
            at,
        )
        batch.delete()
