"""Parsing the staff side's hold, lost-item and refund input. Forms check shape; the holds,
circulation and fines services decide (may this patron hold this title, may this actor refund).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.interfaces.staff.desk_forms import BARCODE_LENGTH, AmountField, method_choices
from octavo.interfaces.staff.forms import StaffForm


class _PickupForm(StaffForm):
    pickup = forms.ChoiceField(label=_("Pick up at"), choices=())

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pickup"]).choices = sites


class RecordHoldForm(_PickupForm):
    """A hold placed from a record's page: for whom, where, and any copy or one copy."""

    prefix = "hold"

    patron = forms.CharField(label=_("Patron card"), max_length=BARCODE_LENGTH)
    item = forms.ChoiceField(label=_("Copy"), required=False, choices=())

    field_order = ["patron", "pickup", "item"]

    def __init__(
        self, *args: Any, sites: list[tuple[str, str]], copies: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, sites=sites, **kwargs)
        cast(forms.ChoiceField, self.fields["item"]).choices = [
            ("", _("Any copy (the first to come back)")),
            *[(code, code) for code in copies],
        ]


class PatronHoldForm(_PickupForm):
    """A hold placed from a patron's page: a copy of the title is scanned (or typed)."""

    prefix = "hold"

    item = forms.CharField(
        label=_("Barcode of a copy of the title"),
        max_length=BARCODE_LENGTH,
        help_text=_("Any copy of the title, at any site."),
    )
    this_copy = forms.BooleanField(label=_("This copy only"), required=False)

    field_order = ["item", "this_copy", "pickup"]


class SuspendForm(StaffForm):
    until = forms.DateField(
        label=_("Suspend until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RefundForm(StaffForm):
    prefix = "refund"

    amount = AmountField()
    method = forms.ChoiceField(label=_("Refunded by"), choices=())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The check number, if there is one."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = method_choices()
