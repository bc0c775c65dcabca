"""Finding patrons, limited to the home sites the actor may see."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from octavo.accounts.rules import Action, may_ever
from octavo.db import rows
from octavo.patrons.models import Patron
from octavo.patrons.rules import fold
from octavo.shared.actor import Actor
from octavo.shared.errors import PermissionDenied

FIND_LIMIT = 50
_WORD_SPLIT = re.compile(r"[\s,]+")


def visible_patrons(*, actor: Actor) -> QuerySet[Patron]:
    if not may_ever(actor, Action.PATRON_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not view patrons")
    qs = Patron.objects.select_related("patron_type", "home_site")
    if actor.is_district_admin:
        return qs
    return qs.filter(home_site_id__in=actor.site_ids)


def find_patrons(text: str, *, actor: Actor, limit: int = FIND_LIMIT) -> list[Patron]:
    """Patrons by barcode or student ID (exact: a scan), else by name.

    Names match by the start of each word typed, either way round and without accents:
    "per an", "Ana Pérez" and "perez, ana" all find Ana Pérez. Viewing a list is not audited;
    opening one patron's record is (services.patron_for_staff).
    """
    query = text.strip()
    if not query:
        return []
    qs = visible_patrons(actor=actor)
    exact = list(qs.filter(Q(barcode=query) | Q(student_id=query))[:limit])
    if exact:
        return exact
    words = [fold(w) for w in _WORD_SPLIT.split(query) if fold(w)][:4]
    if not words:
        return []
    if len(words) == 1:
        (word,) = words
        match = Q(last_key__startswith=word) | Q(first_key__startswith=word)
    else:
        # Two or more words: the first is the family name and the rest the given name, or the
        # other way round ("Ana Pérez"); a family name of several words ("García López") is
        # matched as typed.
        family_first = Q(last_key__startswith=words[0]) & Q(
            first_key__startswith=" ".join(words[1:])
        )
        given_first = Q(first_key__startswith=words[0]) & Q(
            last_key__startswith=" ".join(words[1:])
        )
        whole_family = Q(last_key__startswith=" ".join(words))
        match = family_first | given_first | whole_family
    return list(qs.filter(match).order_by("last_key", "first_key", "barcode")[:limit])


def mail_addresses(patron: Patron) -> list[str]:
    """Where mail for this patron goes (a receipt, later the notices): their own address, else,
    for a patron without one (a young student), their guardians' who receive notices."""
    if patron.email:
        return [patron.email]
    return list(
        patron.guardians.filter(receives_notices=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def mail_addresses_of(patron_ids: Iterable[int]) -> dict[int, list[str]]:
    """mail_addresses for many patrons at once (the nightly notices): the same rule, in two
    statements per 500 patrons. A patron with nowhere to send mail is left out."""
    ids = sorted(set(patron_ids))
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        for pk, email in rows.table(
            f"SELECT id, email FROM patrons_patron WHERE id IN ({marks}) AND email <> ''",  # noqa: S608
            chunk,
        ):
            found[int(pk)] = [email]
        rest = [pk for pk in chunk if pk not in found]
        if not rest:
            continue
        marks = ", ".join(["%s"] * len(rest))
        for pk, email in rows.table(
            "SELECT patron_id, email FROM patrons_guardian "  # noqa: S608
            f"WHERE patron_id IN ({marks}) AND receives_notices = %s AND email <> '' "
            "ORDER BY patron_id, name, id",
            [*rest, True],
        ):
            found.setdefault(int(pk), []).append(email)
    return found


def by_card(barcode: str) -> Patron | None:
    """The patron whose card this is, by key without the query compiler (a kiosk asks on
    every request); a merged duplicate's card finds the record it was merged into."""
    code = barcode.strip()
    if not code:
        return None
    patron = rows.one(Patron, "barcode = %s", [code])
    if patron is not None and patron.merged_into_id is not None:
        patron = rows.one(Patron, "id = %s", [patron.merged_into_id])
    return patron
