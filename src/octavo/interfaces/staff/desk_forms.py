"""Parsing the desk's and the patron pages' input: a scan, an override, a payment, a waiver.

Forms check shape (present, an amount with cents); the circulation and fines services decide
everything else (whether the item may go out, whether the actor may override or waive).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.fines.states import PaymentMethod
from octavo.interfaces.staff.forms import StaffForm
from octavo.interfaces.staff.labels import METHOD_LABELS

BARCODE_LENGTH = 64  # longer than any card or item barcode; a scanner never sends more


class ScanForm(StaffForm):
    # Blank is allowed: Enter in an empty box does nothing rather than showing an error.
    barcode = forms.CharField(max_length=BARCODE_LENGTH, required=False, strip=True)


class ItemForm(StaffForm):
    """Renew one: the item's barcode, from the patron panel's button."""

    item = forms.CharField(max_length=BARCODE_LENGTH)


class OverrideForm(StaffForm):
    """Check out (or renew) past the blocks named: the service checks the actor may."""

    ACTIONS = (("checkout", "checkout"), ("renew", "renew"))

    action = forms.ChoiceField(choices=ACTIONS)
    item = forms.CharField(max_length=BARCODE_LENGTH)
    reasons = forms.MultipleChoiceField(choices=())
    # Written to the audit entry with the blocks overridden (issue #4: "with a reason recorded").
    note = forms.CharField(label=_("Why? A short note for the audit log"), max_length=500)

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["reasons"]).choices = reasons


class SiteChoiceForm(StaffForm):
    site = forms.CharField(max_length=16)


class PatronSearchForm(StaffForm):
    q = forms.CharField(
        label=_("Barcode, name or student ID"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def method_choices() -> list[tuple[str, str]]:
    return [(m.value, str(METHOD_LABELS.get(m.value, m.value))) for m in PaymentMethod]


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Amount"))
        super().__init__(
            max_digits=9, decimal_places=2, min_value=Decimal("0.01"), localize=True, **kwargs
        )


class PaymentForm(StaffForm):
    prefix = "pay"  # the payment and waiver forms share a page: their fields' ids must differ

    amount = AmountField()
    method = forms.ChoiceField(label=_("Paid by"), choices=())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The check number or card receipt number, if there is one."),
    )
    charge = forms.ChoiceField(label=_("Pay toward"), required=False, choices=())

    def __init__(self, *args: Any, charges: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = method_choices()
        cast(forms.ChoiceField, self.fields["charge"]).choices = [
            ("", _("The oldest charges first")),
            *charges,
        ]


class WaiveForm(StaffForm):
    prefix = "waive"

    amount = AmountField()
    reason = forms.CharField(
        label=_("Why is it waived?"),
        max_length=500,
        help_text=_("Kept in the ledger and the audit log."),
    )
    charge = forms.ChoiceField(label=_("Waive"), required=False, choices=())

    def __init__(self, *args: Any, charges: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["charge"]).choices = [
            ("", _("The oldest charges first")),
            *charges,
        ]


class PatronForm(StaffForm):
    """A patron's details, for adding one by hand (staff, community) or correcting one."""

    barcode = forms.CharField(label=_("Card barcode"), max_length=32)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    patron_type = forms.ChoiceField(label=_("Patron type"), choices=())
    site = forms.ChoiceField(label=_("Home site"), choices=())
    grade = forms.CharField(
        label=_("Grade"), max_length=4, required=False, help_text=_("PK, TK, K or 1 to 12.")
    )
    homeroom = forms.CharField(label=_("Homeroom teacher"), max_length=200, required=False)
    student_id = forms.CharField(label=_("Student ID"), max_length=64, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    card_expires = forms.DateField(
        label=_("Card expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(label=_("Language for notices"), choices=())
    keeps_reading_history = forms.BooleanField(
        label=_("Keeps a reading history"),
        required=False,
        help_text=_(
            "Only when the patron (or, for a child, a parent) asks for it. Otherwise Octavo "
            "forgets who had an item as soon as it comes back."
        ),
    )
    notes = forms.CharField(
        label=_("Staff notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        patron_types: list[tuple[str, str]],
        sites: list[tuple[str, str]],
        editing: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["patron_type"]).choices = patron_types
        cast(forms.ChoiceField, self.fields["site"]).choices = sites
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("en", "English"),
            ("es", "Español"),
        ]
        if not editing:
            # A new patron keeps no reading history until they ask (create_patron's default).
            del self.fields["keeps_reading_history"]
