"""The OPAC's forms: the search box, the login, the hold request and the history choice."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from octavo.catalog.search import Filters

# Longer queries are cut here (a pasted page, a script): nobody types more, and each word costs
# the index a lookup. The page says so rather than refusing the search (issue #6, "Bad input").
MAX_QUERY = 300

SEARCH_BY = [
    ("", _("Keyword")),
    ("title", _("Title")),
    ("author", _("Author")),
    ("subject", _("Subject")),
    ("series", _("Series")),
]
_SCOPES = {value for value, _label in SEARCH_BY if value}
# A query part as catalog.query reads it: an optional `field:` and a quoted phrase or a word.
_PART = re.compile(r'(?:\w+:)?(?:"[^"]*"|\S+)')


def scoped(text: str, by: str) -> str:
    """The typed words searched in one field: `title` + `cat "in the hat"` becomes
    `title:cat title:"in the hat"`. Words that name their own field keep it."""
    if by not in _SCOPES:
        return text
    return " ".join(p if re.match(r"\w+:", p) else f"{by}:{p}" for p in _PART.findall(text))


class SearchForm(forms.Form):
    """Everything in the query string, so a search and its filters are a URL to share."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    by = forms.ChoiceField(label=_("Search in"), choices=SEARCH_BY, required=False)
    available = forms.CharField(required=False)
    format = forms.CharField(required=False)
    language = forms.CharField(required=False)
    year = forms.CharField(required=False)
    reading_level = forms.CharField(required=False)
    site = forms.CharField(required=False)

    def clean_by(self) -> str:
        return str(self.cleaned_data.get("by") or "")

    def query(self) -> tuple[str, bool]:
        """The words to search (cut to MAX_QUERY) and whether they were cut."""
        text = str(self.cleaned_data.get("q") or "")
        return scoped(text[:MAX_QUERY], self.cleaned_data.get("by", "")), len(text) > MAX_QUERY

    def filters(self) -> Filters:
        """The facet filters; a value that cannot be read (a hand-edited address) filters
        nothing rather than failing the page."""
        data = self.cleaned_data
        year = str(data.get("year") or "")
        return Filters(
            format=str(data.get("format") or "")[:16],
            language=str(data.get("language") or "")[:3],
            year=int(year) if year.isdigit() and len(year) <= 4 else None,
            reading_level=str(data.get("reading_level") or "")[:64],
            site=str(data.get("site") or "")[:16].upper(),
            available=bool(data.get("available")),
        )


class LoginForm(forms.Form):
    card = forms.CharField(
        label=_("Library card number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=64,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class HoldForm(forms.Form):
    pickup = forms.ChoiceField(label=_("Pick it up at"))

    def __init__(self, *args: object, sites: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["pickup"].choices = sites  # type: ignore[attr-defined]


class HistoryForm(forms.Form):
    keep = forms.BooleanField(label=_("Keep a list of what I have borrowed"), required=False)


class ParentLoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ParentLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address the school has for you"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ParentPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("again"):
            self.add_error("again", _("The two passwords are not the same."))
        return data
