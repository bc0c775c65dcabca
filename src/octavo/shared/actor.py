"""Who is acting: a frozen view of a person (or the command line) handed to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """The roles of MISSION.md's table; the values are the contract (`--role` on the CLI)."""

    DISTRICT_ADMIN = "district_admin"
    SITE_LIBRARIAN = "site_librarian"
    TECHNICIAN = "technician"
    STUDENT_HELPER = "student_helper"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"


class Source(StrEnum):
    """The interface an action came through; written to the audit log."""

    STAFF = "staff"
    API = "api"
    CLI = "cli"
    SYSTEM = "system"
    SIP2 = "sip2"  # a self-check kiosk, book drop or gate (issue #5)
    OPAC = "opac"  # the public catalog: a card holder or a parent (issue #6)


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role
    site_ids: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    source: Source = Source.STAFF
    address: str | None = None
    # In the OPAC, the patrons whose accounts this actor may act on: a card holder's own id, or
    # a parent's children. Services let such an actor touch those accounts and nothing else,
    # and only with the actions their role has (accounts.rules.decide_own).
    patron_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_district_admin(self) -> bool:
        return self.role is Role.DISTRICT_ADMIN

    def works_at(self, site_id: int | None) -> bool:
        return self.is_district_admin or (site_id is not None and site_id in self.site_ids)

    @classmethod
    def card_holder(cls, patron_id: int, barcode: str, *, address: str | None = None) -> Actor:
        """A patron logged in to the OPAC with card and PIN. MISSION.md's "student" row is the
        role of every card holder there (a teacher renewing their own books does the same)."""
        return cls(
            username=f"patron:{barcode}",
            role=Role.STUDENT,
            source=Source.OPAC,
            address=address,
            patron_ids=frozenset({patron_id}),
        )

    @classmethod
    def parent(cls, email: str, children: frozenset[int], *, address: str | None = None) -> Actor:
        """A parent or guardian logged in to the OPAC: reads their children's accounts."""
        return cls(
            username=f"parent:{email}",
            role=Role.PARENT,
            source=Source.OPAC,
            address=address,
            patron_ids=children,
        )

    @classmethod
    def command_line(cls, username: str = "octavo-cli") -> Actor:
        """The operator at the server's shell: acts with a district admin's reach."""
        return cls(username=username, role=Role.DISTRICT_ADMIN, source=Source.CLI)
