"""Circulation's refusal: every block found, the first one's code as the reason."""

from __future__ import annotations

from collections.abc import Sequence

from octavo.policy.rules import Block
from octavo.shared.errors import OctavoError


class Refused(OctavoError):
    """A check-out or renewal that the rules stop. `blocks` lists every reason, so the desk
    can show them all and a permitted person can override them at once."""

    def __init__(self, blocks: Sequence[Block]):
        super().__init__("; ".join(b.message for b in blocks), reason=blocks[0].reason)
        self.blocks = tuple(blocks)
