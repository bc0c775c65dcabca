"""The circulation statistics waiting to be counted (models.PendingCirculationFact, SQLite only),
moved into CirculationFact before a report counts them (selectors.run_report) and every night
(the nightly reports job).

On SQLite every transaction that writes holds back every other writer, and CirculationFact's
row with its eight index entries was much of a check-out's time in that lock (an event in a
transaction of its own on a 1M-item database: about 400 microseconds with it, 110-120 with one
narrow row instead; a kiosk's check-out 0.69 ms against 0.76-0.87; docs/benchmarks.md, SIP2,
fifth session). The trigger writes one narrow row here instead, and the rows are moved in
chunks, each its own transaction, so that the desks' writes go between them.
"""

from __future__ import annotations

from django.db import transaction

from octavo.db import rows

CHUNK = 200  # rows moved per transaction: a few milliseconds of the writers' lock each

# The oldest chunk waiting: its last id and how many rows it holds.
_CHUNK = (
    "SELECT MAX(id), COUNT(*) FROM "
    "(SELECT id FROM reports_pendingcirculationfact ORDER BY id LIMIT %s) p"
)
_COLUMNS = (
    "event_id, kind, hour, site_id, patron_type_id, grade, item_id, record_id, "
    "material_type_id, dewey_class"
)
_MOVE = (
    f"INSERT INTO reports_circulationfact ({_COLUMNS}) SELECT {_COLUMNS} "  # noqa: S608
    "FROM reports_pendingcirculationfact WHERE id <= %s ORDER BY id"
)
_DONE = "DELETE FROM reports_pendingcirculationfact WHERE id <= %s"


def catch_up_statistics(*, chunk: int = CHUNK) -> int:
    """Move every statistics row waiting into CirculationFact, the oldest first, `chunk` rows a
    transaction; returns how many moved. Safe to run at any time, and from several processes
    at once: a chunk is moved and deleted in one transaction."""
    moved = 0
    while True:
        with transaction.atomic():
            last, count = rows.first(_CHUNK, [chunk]) or (None, 0)
            if last is None:
                return moved
            rows.execute(_MOVE, [last])
            rows.execute(_DONE, [last])
        moved += int(count)
