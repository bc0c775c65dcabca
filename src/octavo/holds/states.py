"""Hold states and their moves. Pure: no Django.

A hold waits in its title's queue (oldest first) until a copy is checked in; the copy is then
trapped for it: in transit to the pickup site, or straight onto that site's hold shelf. The
patron checks it out (fulfilled), cancels, or lets it expire on the shelf.
"""

from __future__ import annotations

from enum import StrEnum

from octavo.shared.errors import InvalidInput


class HoldStatus(StrEnum):
    WAITING = "waiting"
    IN_TRANSIT = "in_transit"  # trapped; travelling to the pickup site
    READY = "ready"  # on the pickup site's hold shelf
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # not picked up in time


class HoldEvent(StrEnum):
    TRAP_HERE = "trap_here"  # checked in at the pickup site
    TRAP_ELSEWHERE = "trap_elsewhere"
    ARRIVE = "arrive"
    CHECK_OUT = "check_out"
    CANCEL = "cancel"
    EXPIRE = "expire"
    RELEASE = "release"  # its item went to someone else: back in the queue


ACTIVE = frozenset({HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY})
TRAPPED = frozenset({HoldStatus.IN_TRANSIT, HoldStatus.READY})

TRANSITIONS: dict[tuple[HoldStatus, HoldEvent], HoldStatus] = {
    (HoldStatus.WAITING, HoldEvent.TRAP_HERE): HoldStatus.READY,
    (HoldStatus.WAITING, HoldEvent.TRAP_ELSEWHERE): HoldStatus.IN_TRANSIT,
    (HoldStatus.IN_TRANSIT, HoldEvent.ARRIVE): HoldStatus.READY,
    # A waiting hold is fulfilled when its patron checks out any copy of the title.
    (HoldStatus.WAITING, HoldEvent.CHECK_OUT): HoldStatus.FULFILLED,
    (HoldStatus.IN_TRANSIT, HoldEvent.CHECK_OUT): HoldStatus.FULFILLED,
    (HoldStatus.READY, HoldEvent.CHECK_OUT): HoldStatus.FULFILLED,
    **{(s, HoldEvent.CANCEL): HoldStatus.CANCELLED for s in ACTIVE},
    (HoldStatus.READY, HoldEvent.EXPIRE): HoldStatus.EXPIRED,
    (HoldStatus.IN_TRANSIT, HoldEvent.RELEASE): HoldStatus.WAITING,
    (HoldStatus.READY, HoldEvent.RELEASE): HoldStatus.WAITING,
}


def advance(status: HoldStatus, event: HoldEvent) -> HoldStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidInput(
            f"a {status.value.replace('_', ' ')} hold cannot {event.value.replace('_', ' ')}",
            field="hold",
        ) from None
