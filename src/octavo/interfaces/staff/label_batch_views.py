"""The saved label batches' pages (issue #8, after Koha's label batches): the batches a person
keeps, with their sizes, and a form for a new one; one batch, with a box to add barcodes
(scanned with a keyboard-wedge scanner, which types each barcode and a line end, or pasted),
its items with call number and title, and buttons to take one out, empty it, delete it, and
print it (the labels page with the batch chosen).

octavo.holdings.labels.batches writes and decides, octavo.holdings.labels.select reads; these
views parse the forms, call them and say what happened in the reader's language. No script:
each button is a form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from octavo.accounts.rules import Action, may_ever
from octavo.district.models import Site
from octavo.holdings.labels import select
from octavo.holdings.labels.batch_rules import NotAdded, Refusal, decide_keep
from octavo.holdings.labels.batches import (
    NAME_MAX,
    Added,
    add_to_batch,
    create_batch,
    delete_batch,
    empty_batch,
    remove_from_batch,
)
from octavo.holdings.states import ItemStatus
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm, apply_error, site_choices
from octavo.interfaces.staff.labels import error_text
from octavo.interfaces.words import STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])

REFUSAL_WORDS: dict[Refusal, Promise] = {
    Refusal.BLANK: gettext_lazy("Blank line"),
    Refusal.NOT_A_BARCODE: gettext_lazy("Not a barcode: 1 to 32 letters, digits, '.', '-' or '_'"),
    Refusal.CHECK_DIGIT: gettext_lazy("Wrong check digit: a misread, scan it again"),
    Refusal.REPEATED: gettext_lazy("Already listed on line %(first)s"),
    Refusal.NO_ITEM: gettext_lazy("No item has this barcode"),
    Refusal.NOT_ALLOWED: gettext_lazy("At %(site)s, a site where you do not label items"),
    Refusal.OTHER_SITE: gettext_lazy("Belongs to %(site)s, not to this batch's site"),
    Refusal.WITHDRAWN: gettext_lazy("Withdrawn: a withdrawn item gets no labels"),
    Refusal.ALREADY_IN: gettext_lazy("Already in the batch"),
}


class BatchForm(StaffForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        help_text=gettext_lazy("Such as: New books, December."),
    )
    site = forms.ChoiceField(
        label=gettext_lazy("Site"),
        required=False,
        help_text=gettext_lazy("A site's batch holds that site's items, and its staff keep it."),
    )

    def __init__(self, *args: Any, sites: list[Site], district_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        whole = [("", _("Whole district (district admins)"))] if district_wide else []
        cast(forms.ChoiceField, self.fields["site"]).choices = [*site_choices(sites), *whole]


class AddForm(StaffForm):
    barcodes = forms.CharField(
        label=gettext_lazy("Barcodes"),
        strip=False,  # a blank first line still counts: the line numbers are the person's
        widget=forms.Textarea(attrs={"rows": 8, "autofocus": True, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Scan or paste, one a line; then Add. An item already in the batch stays where it is."
        ),
    )


def _require_keeper(actor: Actor) -> None:
    """Refuse the batch pages to roles that edit no items (the services would refuse too)."""
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} keeps no label batches")


def _keeper_sites(actor: Actor) -> list[Site]:
    """The sites the actor may keep a batch for."""
    sites = Site.objects.filter(is_active=True)
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [s for s in sites if decide_keep(actor, site_id=s.id)]


def _batch_url(batch_id: int, anchor: str = "") -> str:
    url = reverse("staff:label_batch", kwargs={"batch_id": batch_id})
    return f"{url}#{anchor}" if anchor else url


# --- the batches --------------------------------------------------------------------------------


@GET_POST
@staff_page
def label_batches(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_keeper(actor)
    sites = _keeper_sites(actor)
    may_create = bool(sites) or actor.is_district_admin
    bound = request.method == "POST" and may_create
    form = BatchForm(
        request.POST if bound else None,
        initial={"site": sites[0].code if sites else ""},
        sites=sites,
        district_wide=actor.is_district_admin,
    )
    if bound and form.is_valid():
        try:
            made = create_batch(
                actor=actor,
                name=form.cleaned_data["name"],
                site_code=form.cleaned_data["site"],
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Batch %(name)s started.") % {"name": made.name})
            return redirect(_batch_url(made.pk))
    context = {
        "rows": select.label_batches(actor=actor),
        "form": form if may_create else None,
    }
    return page(request, "staff/labels_batches.html", context, actor=actor)


# --- one batch ----------------------------------------------------------------------------------


def _refusal(line: NotAdded) -> dict[str, Any]:
    words = str(REFUSAL_WORDS[line.reason]) % {"first": line.first_line, "site": line.site}
    return {"line": line.line, "value": line.value, "why": words}


def _outcome(added: Added) -> dict[str, Any]:
    return {
        "added": len(added.added),
        "not_added": [_refusal(n) for n in added.not_added],
    }


@GET_POST
@staff_page
def label_batch(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    select.found_batch(actor, batch_id)  # 403 or 404 before any form is read
    form = AddForm(request.POST if request.method == "POST" else None)
    outcome = None
    if form.is_bound and form.is_valid():
        try:
            added = add_to_batch(
                actor=actor,
                batch_id=batch_id,
                lines=form.cleaned_data["barcodes"].splitlines(),
                at=now(),
            )
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            outcome = _outcome(added)
            form = AddForm()  # an empty box again, ready for the next scans
    summary, rows = select.label_batch(actor=actor, batch_id=batch_id)
    items = [
        {
            "place": n,
            "barcode": row.barcode,
            "call_number": row.call_number,
            "title": row.title,
            "site": row.site_code,
            "status": shown(STATUS_LABELS, row.status),
            "withdrawn": row.status == ItemStatus.WITHDRAWN.value,
            "added_at": row.added_at,
        }
        for n, row in enumerate(rows, start=1)
    ]
    context = {"batch": summary, "items": items, "form": form, "outcome": outcome}
    return page(request, "staff/labels_batch.html", context, actor=actor)


def _refused(request: HttpRequest, batch_id: int, exc: OctavoError) -> HttpResponse:
    """A button that could not do its work: a batch gone or not the person's is a page of its
    own; anything else (an item taken out already, on another device) is said on the batch."""
    if exc.field in (None, "batch"):
        raise exc
    messages.error(request, error_text(exc))
    return redirect(_batch_url(batch_id, "items"))


@require_POST
@staff_page
def label_batch_remove(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    barcode = request.POST.get("barcode", "").strip()
    try:
        remove_from_batch(actor=actor, batch_id=batch_id, barcode=barcode, at=now())
    except OctavoError as exc:
        return _refused(request, batch_id, exc)
    messages.success(request, _("%(barcode)s taken out of the batch.") % {"barcode": barcode})
    return redirect(_batch_url(batch_id, "items"))


@require_POST
@staff_page
def label_batch_empty(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    count = empty_batch(actor=actor, batch_id=batch_id, at=now())
    messages.success(
        request,
        ngettext(
            "%(count)s item taken out: the batch is empty.",
            "%(count)s items taken out: the batch is empty.",
            count,
        )
        % {"count": count},
    )
    return redirect(_batch_url(batch_id))


@require_POST
@staff_page
def label_batch_delete(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    summary, _rows = select.label_batch(actor=actor, batch_id=batch_id)
    delete_batch(actor=actor, batch_id=batch_id, at=now())
    messages.success(request, _("Batch %(name)s deleted.") % {"name": summary.name})
    return redirect("staff:label_batches")
