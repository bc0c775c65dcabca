"""What each role may do, and where. Pure: no Django, no database.

Every service asks `decide(actor, action, site_id=...)` before it writes, so the staff screens,
the API and the command line get the same answer (STYLE.md, "Where logic goes" 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from octavo.shared.actor import Actor, Role


class Action(StrEnum):
    STAFF_ACCESS = "staff.access"  # open the staff side at all
    SITE_VIEW = "site.view"
    SITE_CREATE = "site.create"
    SITE_EDIT = "site.edit"
    LOCATION_VIEW = "location.view"
    LOCATION_MANAGE = "location.manage"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    TOKEN_MANAGE = "token.manage"  # noqa: S105 - an action name
    AUDIT_VIEW = "audit.view"
    CATALOG_EDIT = "catalog.edit"  # records, and items at a site
    PATRON_VIEW = "patron.view"  # find and read patrons whose home site is the actor's
    PATRON_EDIT = "patron.edit"  # add, change, merge patrons; import rosters
    CIRCULATE = "circulate"  # check out, check in, renew, holds, take payments at a site
    OVERRIDE = "circulate.override"  # check out past a block (expired card, limit...)
    FINES_MANAGE = "fines.manage"  # charge, waive, refund
    POLICY_EDIT = "policy.edit"  # the circulation matrix and closed days of a site
    # Read a site's reports (statistics, overdues, fines, patron lists) and download them; the
    # whole district's reports are a district admin's (issue #7).
    REPORTS_VIEW = "reports.view"
    # A card holder's own account in the OPAC: renew their loans, place and cancel their holds.
    SELF_SERVICE = "self.service"
    # Turn a patron's reading history on or off: the patron, or for a child their parent.
    HISTORY_CHOICE = "self.history"


# What a card holder or parent does to a patron's own account in the OPAC: decided per patron
# (decide_own), never per site, so no staff role has them.
OWN_ACCOUNT = frozenset({Action.SELF_SERVICE, Action.HISTORY_CHOICE})
STAFF_ACTIONS = frozenset(Action) - OWN_ACCOUNT

# The permission table. Site-scoped actions are further limited to the actor's own sites
# unless the actor is a district admin (issue #2: "a district admin sees all").
_STAFF = {
    Role.DISTRICT_ADMIN,
    Role.SITE_LIBRARIAN,
    Role.TECHNICIAN,
    Role.STUDENT_HELPER,
    Role.TEACHER,
}
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.DISTRICT_ADMIN: STAFF_ACTIONS,
    Role.SITE_LIBRARIAN: frozenset(
        {
            Action.STAFF_ACCESS,
            Action.SITE_VIEW,
            Action.SITE_EDIT,
            Action.LOCATION_VIEW,
            Action.LOCATION_MANAGE,
            Action.USER_VIEW,
            Action.USER_MANAGE,
            Action.CATALOG_EDIT,
            Action.PATRON_VIEW,
            Action.PATRON_EDIT,
            Action.CIRCULATE,
            Action.OVERRIDE,
            Action.FINES_MANAGE,
            Action.POLICY_EDIT,
            Action.REPORTS_VIEW,
        }
    ),
    Role.TECHNICIAN: frozenset(
        {
            Action.STAFF_ACCESS,
            Action.SITE_VIEW,
            Action.LOCATION_VIEW,
            Action.LOCATION_MANAGE,
            Action.CATALOG_EDIT,
            Action.PATRON_VIEW,
            Action.PATRON_EDIT,
            Action.CIRCULATE,
            Action.OVERRIDE,
            Action.FINES_MANAGE,
            # MISSION.md: the technician "runs inventory and reports".
            Action.REPORTS_VIEW,
        }
    ),
    # A student helper runs the desk (check out, check in) but cannot override a block, change
    # a patron or touch money beyond taking a payment.
    Role.STUDENT_HELPER: frozenset({Action.STAFF_ACCESS, Action.PATRON_VIEW, Action.CIRCULATE}),
    Role.TEACHER: frozenset({Action.STAFF_ACCESS}),
    Role.STUDENT: frozenset({Action.SELF_SERVICE, Action.HISTORY_CHOICE}),
    # A parent reads their children's accounts in the OPAC (MISSION.md) and chooses a child's
    # reading history; they renew and place holds nothing on the child's behalf.
    Role.PARENT: frozenset({Action.HISTORY_CHOICE}),
}

# Actions that concern no single site (district-wide): only the role table decides.
DISTRICT_WIDE = frozenset(
    {Action.STAFF_ACCESS, Action.SITE_CREATE, Action.TOKEN_MANAGE, Action.AUDIT_VIEW}
)

# Which roles a site librarian may hand out: never their own or a district admin's.
ASSIGNABLE_BY: dict[Role, frozenset[Role]] = {
    Role.DISTRICT_ADMIN: frozenset(Role),
    Role.SITE_LIBRARIAN: frozenset(
        {Role.TECHNICIAN, Role.STUDENT_HELPER, Role.TEACHER, Role.STUDENT, Role.PARENT}
    ),
}


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def is_staff_role(role: Role) -> bool:
    return role in _STAFF


def may_ever(actor: Actor, action: Action) -> bool:
    """Does the actor's role allow `action` anywhere (for lists that are then site-filtered)?"""
    return action in ROLE_ACTIONS[actor.role]


def decide(actor: Actor, action: Action, *, site_id: int | None = None) -> Decision:
    """May `actor` do `action` (at `site_id`, for site-scoped actions)?"""
    if action in OWN_ACCOUNT:
        return Decision(False, f"role {actor.role.value}: {action.value} is decided per patron")
    if action not in ROLE_ACTIONS[actor.role]:
        return Decision(False, f"role {actor.role.value} may not {action.value}")
    if action in DISTRICT_WIDE or actor.is_district_admin:
        return ALLOW
    if site_id is None or site_id not in actor.site_ids:
        return Decision(False, f"{action.value} is limited to the sites {actor.username} works at")
    return ALLOW


def decide_own(actor: Actor, action: Action, *, patron_id: int) -> Decision:
    """May `actor` do `action` on this patron's account in the OPAC? Only an actor who acts for
    that patron (Actor.patron_ids: a card holder themselves, a parent their children) and only
    with an action their role has (a card holder: SELF_SERVICE; a parent: HISTORY_CHOICE)."""
    if action not in ROLE_ACTIONS[actor.role]:
        return Decision(False, f"role {actor.role.value} may not {action.value}")
    if patron_id not in actor.patron_ids:
        return Decision(False, f"{action.value} is limited to the patron's own account")
    return ALLOW


def decide_user_change(
    actor: Actor,
    *,
    target_role: Role,
    target_site_ids: frozenset[int],
    current_role: Role | None = None,
    current_site_ids: frozenset[int] = frozenset(),
) -> Decision:
    """May `actor` create a user (or move one) with this role and these sites?

    A site librarian manages accounts only at their own sites, only for roles below their own,
    and may not take over an account that reaches a site they do not work at.
    """
    if Action.USER_MANAGE not in ROLE_ACTIONS[actor.role]:
        return Decision(False, f"role {actor.role.value} may not manage accounts")
    if actor.is_district_admin:
        return ALLOW
    assignable = ASSIGNABLE_BY.get(actor.role, frozenset())
    for role in (target_role, current_role):
        if role is not None and role not in assignable:
            return Decision(False, f"a {actor.role.value} may not manage {role.value} accounts")
    outside = (target_site_ids | current_site_ids) - actor.site_ids
    if outside or not target_site_ids:
        return Decision(False, "accounts may only be given sites you work at")
    return ALLOW
