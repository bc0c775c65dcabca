"""Parsing the staff screens' input. Forms check shape (required, a time, an e-mail address);
the services check meaning (a valid code, a known time zone, a strong password, permission).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from functools import lru_cache
from typing import Any, cast
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.dates import WEEKDAYS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from octavo.accounts.models import ROLE_LABELS
from octavo.district.models import Site
from octavo.district.rules import Period
from octavo.interfaces.staff.labels import error_text
from octavo.shared.actor import Role
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

PERIODS_PER_DAY = 2  # a school library closed over lunch has two (docs/librarians)


_ZONE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@lru_cache(maxsize=1)
def time_zone_names() -> list[str]:
    """Suggestions for the time zone field: the Area/Location names (any IANA name is accepted)."""
    return sorted(z for z in available_timezones() if z.startswith(_ZONE_AREAS) or z == "UTC")


class StaffForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no colon
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def apply_error(
    form: forms.Form, exc: OctavoError, *, aliases: Mapping[str, str | None] | None = None
) -> None:
    """Show a service's error on the form field it names (or above the form).

    A refusal or a missing record that names no field of this form is not something the person
    can correct here: it is re-raised for the 403 or 404 page.
    """
    field = (aliases or {}).get(exc.field or "", exc.field)
    if field is not None and field not in form.fields:
        field = None
    if field is None and isinstance(exc, PermissionDenied | NotFound):
        raise exc
    form.add_error(field, error_text(exc))


class SiteFieldsForm(StaffForm):
    """Name, address, time zone and the week's opening hours (up to two periods a day)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="America/Los_Angeles",
        help_text=_("An IANA time zone name, such as America/Los_Angeles."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in range(7):
            for n in range(1, PERIODS_PER_DAY + 1):
                for edge, word in (("opens", _("opens")), ("closes", _("closes"))):
                    self.fields[self.hours_field(day, n, edge)] = forms.TimeField(
                        required=False,
                        label=_("%(day)s, period %(n)s, %(edge)s")
                        % {"day": WEEKDAYS[day], "n": n, "edge": word},
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )

    @staticmethod
    def hours_field(day: int, n: int, edge: str) -> str:
        return f"hours_{day}_{n}_{edge}"

    @classmethod
    def hours_initial(cls, periods: Iterable[tuple[int, time, time]]) -> dict[str, time]:
        """Form initial values from (weekday, opens, closes) rows, in order within each day."""
        initial: dict[str, time] = {}
        seen: dict[int, int] = {}
        for day, opens, closes in sorted(periods):
            n = seen[day] = seen.get(day, 0) + 1
            if n <= PERIODS_PER_DAY:
                initial[cls.hours_field(day, n, "opens")] = opens
                initial[cls.hours_field(day, n, "closes")] = closes
        return initial

    def hours_rows(self) -> list[tuple[str, list[list[forms.BoundField]]]]:
        """For the template: each weekday's name and its periods' (opens, closes) fields."""
        return [
            (
                str(WEEKDAYS[day]),
                [
                    [
                        self[self.hours_field(day, n, "opens")],
                        self[self.hours_field(day, n, "closes")],
                    ]
                    for n in range(1, PERIODS_PER_DAY + 1)
                ],
            )
            for day in range(7)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in range(7):
            for n in range(1, PERIODS_PER_DAY + 1):
                opens_name = self.hours_field(day, n, "opens")
                closes_name = self.hours_field(day, n, "closes")
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens, closes = data.get(opens_name), data.get(closes_name)
                if opens and not closes:
                    self.add_error(closes_name, _("Give the closing time too, or neither."))
                elif closes and not opens:
                    self.add_error(opens_name, _("Give the opening time too, or neither."))
        return data

    def periods(self) -> list[Period]:
        out = []
        for day in range(7):
            for n in range(1, PERIODS_PER_DAY + 1):
                opens = self.cleaned_data.get(self.hours_field(day, n, "opens"))
                closes = self.cleaned_data.get(self.hours_field(day, n, "closes"))
                if opens and closes:
                    out.append(Period(weekday=day, opens=opens, closes=closes))
        return out


class SiteCreateForm(SiteFieldsForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("A short code of letters and digits, such as LES, used on labels and reports."),
    )
    field_order = ["code", "name", "address", "time_zone"]


class SiteEditForm(SiteFieldsForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class LocationAddForm(StaffForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("Unique within this site, such as FIC or REF."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)


class LocationEditForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Mark a location inactive instead of deleting it: old items still name it."),
    )


def role_choices(roles: Iterable[Role]) -> list[tuple[str, str]]:
    return [(r.value, str(ROLE_LABELS[r])) for r in roles]


def site_choices(sites: Iterable[Site]) -> list[tuple[str, str]]:
    inactive = _("inactive")
    return [
        (s.code, f"{s.code} {s.name}" if s.is_active else f"{s.code} {s.name} ({inactive})")
        for s in sites
    ]


class AccountFieldsForm(StaffForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    sites = forms.MultipleChoiceField(
        label=_("Sites"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The sites this person works at."),
    )

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        sites: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = roles
        cast(forms.MultipleChoiceField, self.fields["sites"]).choices = sites


_PASSWORD_HELP = _("12 characters or more, not a common password. A phrase of a few words works.")


class AccountCreateForm(AccountFieldsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        help_text=_PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "sites"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class AccountEditForm(AccountFieldsForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive account cannot log in; its history stays in the log."),
    )
    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        help_text=format_lazy(
            "{} {}", _("Leave blank to keep the current password."), _PASSWORD_HELP
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password", "") != data.get("new_password_again", ""):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data


class AuditFilterForm(StaffForm):
    actor = forms.CharField(label=_("Person (username)"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("Kind of object"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("Inclusive."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        *args: Any,
        object_types: list[tuple[str, str]],
        actions: list[tuple[str, str]],
        sites: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        for name, choices in (("object_type", object_types), ("action", actions), ("site", sites)):
            cast(forms.ChoiceField, self.fields[name]).choices = [anything, *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data
