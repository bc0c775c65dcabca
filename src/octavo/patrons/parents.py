"""Parent and guardian logins to the OPAC (issue #6: "a parent sees each linked child's loans,
holds, fines and textbooks, and no one else's").

A parent never registers: the school already has their e-mail address on the child's record
(Guardian.email, kept by the roster import or the desk). Asking for a link at that address
creates the account and mails a one-time link to set a password; the link is Django's
password-reset token (a hash of the account's password and last login, so it stops working
once used or once the password changes, and after PASSWORD_RESET_TIMEOUT). Nothing tells
whoever asks whether an address is on file.

A parent's children are the patrons, not merged away, with a guardian of that address. Wrong
passwords count against the same limit as a patron's PIN (rules.pin_locked_until).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from octavo.audit.services import record as audit
from octavo.db import rows
from octavo.patrons import rules
from octavo.patrons.models import Guardian, ParentAccount, ParentLoginFailure, Patron
from octavo.patrons.services import PinOutcome
from octavo.patrons.states import PatronStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound


class _ParentTokens(PasswordResetTokenGenerator):
    """Django's reset tokens, for a parent account instead of a user: the generator reads the
    account only through _make_hash_value, so any object with these fields will do (the stubs
    say User, hence the ignores where it is called)."""

    key_salt = "octavo.patrons.parents.ParentTokens"

    def _make_hash_value(self, user: ParentAccount, timestamp: int) -> str:  # type: ignore[override]
        login = "" if user.last_login_at is None else user.last_login_at.replace(microsecond=0)
        return f"{user.pk}{user.password_hash}{login}{timestamp}{user.email}"


tokens = _ParentTokens()


def normal_email(text: str) -> str:
    return text.strip().lower()


def children_of(account: ParentAccount) -> list[Patron]:
    """The patrons whose guardian has this account's address, oldest record first."""
    ids = Guardian.objects.filter(email__iexact=account.email).values("patron_id")
    return list(
        Patron.objects.filter(pk__in=ids)
        .exclude(status=PatronStatus.MERGED.value)
        .select_related("home_site")
        .order_by("first_name", "last_name", "pk")
    )


def request_link(*, email: str, at: datetime) -> tuple[ParentAccount, str] | None:
    """A link to set a password, for an address the school has for a guardian: the account
    (created on first use) and its token; None for any other address."""
    address = normal_email(email)
    if not address or not Guardian.objects.filter(email__iexact=address).exists():
        return None
    try:
        with transaction.atomic():
            account, _created = ParentAccount.objects.get_or_create(
                email=address, defaults={"created_at": at}
            )
    except IntegrityError:  # two requests at once: the other one created it
        account = ParentAccount.objects.get(email=address)
    return account, tokens.make_token(account)  # type: ignore[arg-type]


def account_for_link(account_id: int, token: str) -> ParentAccount | None:
    account = ParentAccount.objects.filter(pk=account_id).first()
    if account is None or not tokens.check_token(account, token):  # type: ignore[arg-type]
        return None
    return account


def set_password(*, account_id: int, token: str, password: str, at: datetime) -> ParentAccount:
    """Set the password a link allows (the link then stops working). The password is checked
    by the same validators as staff passwords (settings.AUTH_PASSWORD_VALIDATORS)."""
    with transaction.atomic():
        account = rows.one(ParentAccount, "id = %s", [account_id], lock=True)
        if account is None or not tokens.check_token(account, token):  # type: ignore[arg-type]
            raise NotFound("this link has expired or was already used", field="token")
        try:
            validate_password(password)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), field="password") from error
        account.password_hash = make_password(password)
        account.password_set_at = at
        account.save(update_fields=["password_hash", "password_set_at"])
        ParentLoginFailure.objects.filter(account=account).delete()
        audit(
            actor=Actor.parent(account.email, frozenset()),
            action="parent.password",
            object_type="parent",
            object_id=account.pk,
            object_repr=account.email,
            at=at,
        )
        return account


@dataclass(frozen=True)
class ParentCheck:
    outcome: PinOutcome
    account: ParentAccount | None = None
    locked_until: datetime | None = None


def verify(*, email: str, password: str, at: datetime) -> ParentCheck:
    """Check a parent's e-mail and password. An unknown address, one with no password yet and
    a wrong password are all WRONG to the caller; the failure limit is the PIN's."""
    account = ParentAccount.objects.filter(email=normal_email(email)).first()
    if account is None or not account.password_hash:
        # The same work as a real check, so the answer's timing does not tell either.
        make_password(password)
        return ParentCheck(PinOutcome.WRONG)
    stale = at - rules.PIN_FAILURE_WINDOW
    with transaction.atomic():
        rows.one(ParentAccount, "id = %s", [account.pk], lock=True)
        failures = list(
            ParentLoginFailure.objects.filter(account=account, at__gt=stale).values_list(
                "at", flat=True
            )
        )
        until = rules.pin_locked_until(failures, at)
        if until is not None:
            return ParentCheck(PinOutcome.LOCKED, locked_until=until)
        if check_password(password, account.password_hash):
            ParentLoginFailure.objects.filter(account=account).delete()
            account.last_login_at = at
            account.save(update_fields=["last_login_at"])
            return ParentCheck(PinOutcome.ACCEPTED, account=account)
        ParentLoginFailure.objects.filter(account=account, at__lte=stale).delete()
        ParentLoginFailure.objects.create(account=account, at=at)
        until = rules.pin_locked_until([*failures, at], at)
        return ParentCheck(PinOutcome.WRONG, locked_until=until)
