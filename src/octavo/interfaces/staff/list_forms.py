"""Parsing the reading list screens' input (issue #6). Forms check shape (a number, a yes or no);
octavo.lists.services checks meaning (a name, a record on the list once, who may curate where).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.district.models import Site
from octavo.interfaces.staff.forms import StaffForm, site_choices
from octavo.lists.selectors import ListSummary
from octavo.lists.services import AUDIENCE_MAX, DESCRIPTION_MAX, NAME_MAX, NOTE_MAX

# The site field's value for a list that belongs to the whole district.
DISTRICT_WIDE = ""


class ListForm(StaffForm):
    """A list's name, description, site, audience, and whether readers see and find it."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text=_("Readers see this above the list."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        help_text=_("The site whose catalog shows the list. A district-wide list shows in all."),
    )
    audience = forms.CharField(
        label=_("Audience"),
        required=False,
        max_length=AUDIENCE_MAX,
        help_text=_("Such as Grades 3-5, Middle school or Families."),
    )
    is_public = forms.BooleanField(label=_("Public: shown in the online catalog"), required=False)
    featured = forms.BooleanField(
        label=_("Featured: shown as a shelf on the catalog's home page"),
        required=False,
        help_text=_("Only a public list can be featured."),
    )

    FIELDS = ("name", "description", "site", "audience", "is_public", "featured")

    def __init__(
        self, *args: Any, sites: Iterable[Site], district_wide: bool, **kwargs: Any
    ) -> None:
        """`sites`: those the list may be put at; `district_wide`: whether it may be put at
        none (the service refuses it to anyone but a district admin)."""
        super().__init__(*args, **kwargs)
        whole = [(DISTRICT_WIDE, str(_("Whole district")))] if district_wide else []
        cast(forms.ChoiceField, self.fields["site"]).choices = whole + site_choices(sites)

    @staticmethod
    def initial_from(summary: ListSummary) -> dict[str, Any]:
        return {
            "name": summary.name,
            "description": summary.description,
            "site": summary.site_code or DISTRICT_WIDE,
            "audience": summary.audience,
            "is_public": summary.is_public,
            "featured": summary.featured,
        }

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the initial one (an edit form's changes)."""
        data = self.cleaned_data
        return {k: data[k] for k in self.FIELDS if data[k] != self.initial.get(k)}


class EntryAddForm(StaffForm):
    """A record to put at the end of the list: its number (the search's Add button sends it)."""

    record = forms.IntegerField(
        label=_("Record number"),
        min_value=1,
        help_text=_("The number in the record's address, such as 123 in /staff/catalog/123/."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8, "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note to readers"), required=False, max_length=NOTE_MAX)


class EntrySearchForm(StaffForm):
    """Words to find records with, as the catalog search takes them."""

    q = forms.CharField(
        label=_("Find a record"),
        required=False,
        max_length=500,
        help_text=_("Title, author, subject or ISBN."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class NoteForm(StaffForm):
    note = forms.CharField(label=_("Note to readers"), required=False, max_length=NOTE_MAX)


class MoveForm(StaffForm):
    """Up or down one place, or to a place on the list (1: first)."""

    direction = forms.ChoiceField(
        label=_("Move"),
        required=False,
        choices=[("", ""), ("up", _("Up")), ("down", _("Down"))],
    )
    place = forms.IntegerField(label=_("Move to place"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("direction") and data.get("place") is None:
            raise forms.ValidationError(_("Choose up, down or a place on the list."))
        return data
