"""Parsing the policy and closed-day screens' input. Shape only (a whole number, an amount, a
date); octavo.policy.services and octavo.district.services check meaning and permission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.interfaces.staff.forms import StaffForm

ANY = ""  # the wildcard's value in a choice list


def _count(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, help_text=help_text, widget=forms.NumberInput()
    )


def _money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )


class PolicyValuesForm(StaffForm):
    """A row's values; the names are octavo.policy.services' fields."""

    loan_days = _count(_("Loan period (days)"), help_text=_("0 for a loan counted in hours."))
    loan_hours = _count(
        _("Loan period (hours)"), help_text=_("For reserves and equipment; 0 for day loans.")
    )
    max_items = _count(_("Maximum items out"))
    renewals = _count(_("Renewals allowed"))
    fine_per_day = _money(_("Fine per day"), help_text=_("0.00 for fine-free."))
    fine_cap = _money(_("Fine cap"), required=False, help_text=_("Empty: no cap."))
    grace_days = _count(_("Grace days"))
    hold_limit = _count(_("Holds allowed"))
    hold_shelf_days = _count(_("Days on the hold shelf"))
    lost_after_days = _count(
        _("Billed as lost after (days overdue)"),
        required=False,
        help_text=_("Empty: never billed automatically."),
    )
    processing_fee = _money(_("Processing fee"))
    max_balance = _money(_("Blocked when owing more than"))
    max_overdues = _count(_("Blocked with more overdue items than"))

    VALUE_FIELDS = (
        "loan_days",
        "loan_hours",
        "max_items",
        "renewals",
        "fine_per_day",
        "fine_cap",
        "grace_days",
        "hold_limit",
        "hold_shelf_days",
        "lost_after_days",
        "processing_fee",
        "max_balance",
        "max_overdues",
    )

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.VALUE_FIELDS}


class PolicyRuleForm(PolicyValuesForm):
    """A new row: which combination (each may be any), then its values."""

    site = forms.ChoiceField(label=_("Site"), required=False)
    patron_type = forms.ChoiceField(label=_("Patron type"), required=False)
    material_type = forms.ChoiceField(label=_("Material type"), required=False)

    def __init__(
        self,
        *args: Any,
        sites: Iterable[tuple[str, str]],
        patron_types: Iterable[tuple[str, str]],
        material_types: Iterable[tuple[str, str]],
        any_site: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = [(ANY, _("any"))]
        site_field = cast(forms.ChoiceField, self.fields["site"])
        site_field.choices = [*(anything if any_site else []), *sites]
        site_field.required = not any_site
        for name, choices in (("patron_type", patron_types), ("material_type", material_types)):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [*anything, *choices]


class ExplainForm(StaffForm):
    """The "what applies?" question: a site, a patron type and (optionally) a material type."""

    site = forms.ChoiceField(label=_("Site"))
    patron_type = forms.ChoiceField(label=_("Patron type"))
    material_type = forms.ChoiceField(label=_("Material type"), required=False)

    def __init__(
        self,
        *args: Any,
        sites: Iterable[tuple[str, str]],
        patron_types: Iterable[tuple[str, str]],
        material_types: Iterable[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("site", list(sites)),
            ("patron_type", list(patron_types)),
            ("material_type", [(ANY, _("none given")), *material_types]),
        ):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = choices


class TypeAddForm(StaffForm):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=100)


class MaterialTypeAddForm(TypeAddForm):
    circulates = forms.BooleanField(label=_("May be checked out"), required=False, initial=True)


class ClosedDaysForm(StaffForm):
    first = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("Empty: the first day only."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, help_text=_("Such as Winter break.")
    )


class ClosedDayRemoveForm(StaffForm):
    first = forms.DateField()
    last = forms.DateField(required=False)
