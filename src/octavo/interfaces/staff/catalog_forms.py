"""Parsing the catalog screens' input, and the staff side's words for catalog codes.

Forms check shape (a number, a date, one line per author); the catalog and holdings services
check meaning (a valid ISBN, a known status, a site the actor works at) and write valid MARC.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.search import Filters
from octavo.district.models import Location, Site
from octavo.holdings.services import ItemFields
from octavo.holdings.states import DESK_STATUSES, ItemStatus
from octavo.interfaces.staff.forms import StaffForm, site_choices
from octavo.interfaces.words import LANGUAGE_LABELS, STATUS_LABELS, shown
from octavo.shared.barcodes import MAX_RANGE

if TYPE_CHECKING:  # the stubs' name for a lazy translation; not needed at run time
    from django_stubs_ext import StrPromise


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _one_per_line(label: StrPromise, help_text: StrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )


class RecordForm(StaffForm):
    """The cataloging form: common fields, one value a line where a record may have several."""

    title = forms.CharField(
        label=_("Title"),
        help_text=_("As on the title page, without the statement of responsibility."),
    )
    responsibility = forms.CharField(
        label=_("Statement of responsibility"),
        required=False,
        help_text=_("As on the title page, such as “by Dr. Seuss”."),
    )
    authors = _one_per_line(
        _("Authors"), _("One a line, surname first (Seuss, Dr.). The first is the main author.")
    )
    edition = forms.CharField(label=_("Edition"), required=False, max_length=255)
    publisher = forms.CharField(label=_("Publisher"), required=False, max_length=255)
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1,
        max_value=9999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    isbns = _one_per_line(_("ISBNs"), _("One a line, with or without hyphens."))
    subjects = _one_per_line(_("Subjects"), _("One a line, such as Cats -- Fiction."))
    series = _one_per_line(_("Series"), _("One a line."))
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reading_level = forms.CharField(
        label=_("Reading level"),
        required=False,
        max_length=64,
        help_text=_("Such as Grades 3-5, or a Lexile measure."),
    )
    call_number = forms.CharField(
        label=_("Call number"),
        required=False,
        max_length=100,
        help_text=_("The usual call number for this title, such as E SEU or 599.75 SMI."),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Save anyway: this is a different book or edition"), required=False
    )

    def record_fields(self, *, language: str) -> RecordFields:
        data = self.cleaned_data
        return RecordFields(
            title=data["title"],
            responsibility=data["responsibility"],
            authors=_lines(data["authors"]),
            edition=data["edition"],
            publisher=data["publisher"],
            year=data["year"],
            isbns=_lines(data["isbns"]),
            subjects=_lines(data["subjects"]),
            series=_lines(data["series"]),
            summary=data["summary"],
            reading_level=data["reading_level"],
            call_number=data["call_number"],
            language=language,
        )

    @staticmethod
    def initial_from(record: Record) -> dict[str, Any]:
        """The form filled from the record's stored columns (derived from its MARC)."""
        return {
            "title": record.title,
            "responsibility": record.responsibility,
            "authors": "\n".join(record.authors),
            "edition": record.edition,
            "publisher": record.publisher,
            "year": record.year,
            "isbns": "\n".join(record.isbns),
            "subjects": "\n".join(record.subjects),
            "series": "\n".join(record.series),
            "summary": record.summary,
            "reading_level": record.reading_level,
            "call_number": record.call_number,
        }


class RecordCreateForm(RecordForm):
    language = forms.ChoiceField(label=_("Language"), initial="eng", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = sorted(
            ((code, str(words)) for code, words in LANGUAGE_LABELS.items()),
            key=lambda choice: choice[1],
        )
        cast(forms.ChoiceField, self.fields["language"]).choices = languages


class MarcForm(StaffForm):
    marc = forms.CharField(
        label=_("MARC record"),
        strip=False,
        help_text=_(
            "One field a line: =TAG, two spaces, then the data. Write a blank indicator as \\ "
            "and start each subfield with $ and its code, as in =245  10$aTitle /$cAuthor."
        ),
        widget=forms.Textarea(
            attrs={"rows": 24, "spellcheck": "false", "autocapitalize": "off", "wrap": "off"}
        ),
    )


def location_choices(
    locations: Iterable[Location],
) -> list[tuple[str, str] | tuple[str, list[tuple[str, str]]]]:
    """No location, then each site's locations under the site's code (an <optgroup>)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    inactive = _("inactive")
    for loc in locations:
        words = f"{loc.code} {loc.name}" if loc.is_active else f"{loc.code} {loc.name} ({inactive})"
        groups.setdefault(loc.site.code, []).append((str(loc.id), words))
    return [("", str(_("None"))), *groups.items()]


class ItemForm(StaffForm):
    """An item's site, shelf, call number parts, acquisition and status."""

    site = forms.ChoiceField(label=_("Site"))
    location = forms.ChoiceField(
        label=_("Location"), required=False, help_text=_("A shelving location at the site.")
    )
    call_prefix = forms.CharField(
        label=_("Prefix"), required=False, max_length=32, help_text=_("Such as E, FIC or REF.")
    )
    call_class = forms.CharField(
        label=_("Classification"), required=False, max_length=64, help_text=_("Such as 599.75.")
    )
    call_cutter = forms.CharField(
        label=_("Cutter"), required=False, max_length=64, help_text=_("Such as SMI.")
    )
    call_volume = forms.CharField(
        label=_("Volume"), required=False, max_length=32, help_text=_("Such as v.2.")
    )
    copy_number = forms.CharField(label=_("Copy"), required=False, max_length=16)
    price = forms.DecimalField(
        label=_("Price"), required=False, min_value=Decimal(0), max_digits=9, decimal_places=2
    )
    acquired_on = forms.DateField(
        label=_("Acquisition date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    condition = forms.CharField(
        label=_("Condition"),
        required=False,
        max_length=32,
        help_text=_("Such as new, good, fair or poor."),
    )
    status = forms.ChoiceField(label=_("Status"), initial=ItemStatus.AVAILABLE.value)
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        help_text=_("Shown in the public catalog."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    staff_note = forms.CharField(
        label=_("Staff note"),
        required=False,
        help_text=_("Shown to library staff only."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, sites: Iterable[Site], locations: Iterable[Location], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.id): loc for loc in locations}
        cast(forms.ChoiceField, self.fields["site"]).choices = site_choices(sites)
        cast(forms.ChoiceField, self.fields["location"]).choices = location_choices(
            self.locations.values()
        )
        # The desk's statuses are the desk's to set and leave (holdings.states): a copy
        # that has one shows it, and nothing else can be chosen until it is checked in.
        current = str((self.initial or {}).get("status") or "")
        if current in DESK_STATUSES:
            offered = [current]
        else:
            offered = [s.value for s in ItemStatus if s.value not in DESK_STATUSES]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, shown(STATUS_LABELS, value)) for value in offered
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location = self.locations.get(data.get("location") or "")
        site = data.get("site")
        if location is not None and site and location.site.code != site:
            self.add_error(
                "location",
                _("%(location)s is at %(site)s; choose a location at the item's site.")
                % {"location": location.code, "site": location.site.code},
            )
        return data

    def location_code(self) -> str:
        location = self.locations.get(self.cleaned_data.get("location") or "")
        return location.code if location is not None else ""

    def changes(self) -> dict[str, Any]:
        """The holdings service's names for the fields the person changed."""
        names = {"site": "site_code", "location": "location_code"}
        values = self.item_values()
        return {names.get(f, f): values[names.get(f, f)] for f in self.changed_data}

    def item_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "site_code": data["site"],
            "location_code": self.location_code(),
            **{
                name: data[name]
                for name in (
                    "call_prefix",
                    "call_class",
                    "call_cutter",
                    "call_volume",
                    "copy_number",
                    "price",
                    "acquired_on",
                    "condition",
                    "status",
                    "public_note",
                    "staff_note",
                )
            },
        }

    def item_fields(self) -> ItemFields:
        return ItemFields(**self.item_values())


class ItemAddForm(ItemForm):
    barcode = forms.CharField(
        label=_("Barcode"),
        max_length=32,
        help_text=_("Scan the item's barcode; for a run of new labels, the first one."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    count = forms.IntegerField(
        label=_("How many items"),
        min_value=1,
        max_value=MAX_RANGE,
        initial=1,
        help_text=_("More than 1 adds a range of consecutive barcodes starting with this one."),
        widget=forms.NumberInput(attrs={"size": 5}),
    )
    field_order = ["barcode", "count"]


class SearchForm(StaffForm):
    """The catalog search box and the filters the facet links set (all in the query string)."""

    q = forms.CharField(
        label=_("Search the catalog"),
        required=False,
        max_length=500,
        help_text=_(
            "Words from the title, author, subject or series; an ISBN; or terms such as "
            "author:seuss and subject:cats."
        ),
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    available = forms.BooleanField(label=_("Only titles on the shelf now"), required=False)
    format = forms.CharField(required=False, max_length=16)
    language = forms.CharField(required=False, max_length=3)
    year = forms.CharField(required=False, max_length=4)
    reading_level = forms.CharField(required=False, max_length=64)
    site = forms.CharField(required=False, max_length=16)

    def filters(self) -> Filters:
        """The facet filters of the query string; one that cannot be read filters nothing (the
        facet links write them, so only a hand-edited address has such a value)."""
        data = self.cleaned_data
        year = data.get("year") or ""
        return Filters(
            format=data.get("format") or "",
            language=data.get("language") or "",
            year=int(year) if year.isdigit() else None,
            reading_level=data.get("reading_level") or "",
            site=(data.get("site") or "").upper(),
            available=bool(data.get("available")),
        )
