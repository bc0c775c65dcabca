"""The label screens (issue #8): choose the kind, the stock, the start position and what to
print; preview the first sheet, with every label that needs a look flagged and everything
left out listed; print (the PDF); and each site's printer offsets and barcode settings. The
saved batches' own pages are octavo.interfaces.staff.label_batch_views.

The choosing is octavo.holdings.labels.select (items) and octavo.patrons.cards (cards); the
layout and the PDF are octavo.holdings.labels.render. These views parse the form, call them
and show the result.
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.district.models import LabelSettings, Site
from octavo.district.selectors import site_by_code
from octavo.district.services import set_label_settings
from octavo.holdings.labels import select
from octavo.holdings.labels.content import (
    Batch,
    Kind,
    Symbology,
    marker_range,
    read_marker_lines,
)
from octavo.holdings.labels.render import Flag, Placed, Plan, Words, draw, plan
from octavo.holdings.labels.select import BatchSummary
from octavo.holdings.labels.stocks import STOCKS, get_stock
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm, apply_error, site_choices
from octavo.patrons import cards
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])

KIND_WORDS: dict[Kind, Promise] = {
    Kind.SPINE: gettext_lazy("Spine labels"),
    Kind.BARCODE: gettext_lazy("Barcode labels"),
    Kind.SPINE_BARCODE: gettext_lazy("Spine and barcode on one label"),
    Kind.PATRON_CARD: gettext_lazy("Patron cards"),
    Kind.SHELF_MARKER: gettext_lazy("Shelf markers"),
}
FLAG_WORDS: dict[str, Promise] = {
    Flag.NOT_SPLIT: gettext_lazy("Printed whole: the call number could not be split into lines"),
    Flag.DOES_NOT_FIT: gettext_lazy("The text does not fit this stock"),
    Flag.BARS_TOO_WIDE: gettext_lazy("The barcode is too long for this label"),
    Flag.BARS_TOO_SHORT: gettext_lazy("The bars are too short to scan easily"),
    Flag.OTHER_SYMBOLOGY: gettext_lazy("Printed in another symbology"),
    Flag.NO_CALL_NUMBER: gettext_lazy("No call number"),
}
SYMBOLOGY_WORDS: dict[str, Promise] = {
    Symbology.AUTO: gettext_lazy("Automatic: Codabar for numbers, Code 128 for the rest"),
    Symbology.CODABAR: gettext_lazy("Codabar"),
    Symbology.CODE39: gettext_lazy("Code 39"),
    Symbology.CODE128: gettext_lazy("Code 128"),
}
SOURCES = (
    ("list", gettext_lazy("A list of barcodes (scanned or pasted, one a line)")),
    ("added_since", gettext_lazy("Added since a day")),
    ("range", gettext_lazy("A range of barcodes")),
    ("record", gettext_lazy("One record's copies")),
    ("batch", gettext_lazy("A saved batch")),
)
CUSTOM = "custom"


def _may_print(actor: Actor) -> bool:
    return may_ever(actor, Action.CATALOG_EDIT) or may_ever(actor, Action.PATRON_EDIT)


def _label_sites(actor: Actor) -> list[Site]:
    sites = Site.objects.filter(is_active=True)
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [
        s
        for s in sites
        if decide(actor, Action.CATALOG_EDIT, site_id=s.id)
        or decide(actor, Action.PATRON_EDIT, site_id=s.id)
    ]


class LabelForm(StaffForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of label"))
    stock = forms.ChoiceField(label=gettext_lazy("Label stock"))
    custom_size = forms.CharField(
        label=gettext_lazy("Custom size"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Width x height of one label on a roll: 2x1in or 50x25mm."),
    )
    start = forms.IntegerField(
        label=gettext_lazy("Start at label"),
        min_value=1,
        initial=1,
        help_text=gettext_lazy(
            "On a partly used sheet, the first free label: 1 is the top left, counting across."
        ),
    )
    site = forms.ChoiceField(
        label=gettext_lazy("Site"),
        required=False,
        help_text=gettext_lazy("Its printer offsets are used, and its name is on shelf markers."),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("What to print"), widget=forms.RadioSelect, choices=SOURCES
    )
    barcodes = forms.CharField(
        label=gettext_lazy("Barcodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One a line. For shelf markers, one range a line: 599 - 612.9 JON."),
    )
    added_since = forms.DateField(
        label=gettext_lazy("Added since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    barcode_range = forms.CharField(
        label=gettext_lazy("From-to"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Two barcodes joined by a hyphen: 31234000000016-31234000000099."),
    )
    record = forms.IntegerField(label=gettext_lazy("Record number"), required=False, min_value=1)
    batch = forms.ChoiceField(label=gettext_lazy("Saved batch"), required=False)
    outlines = forms.BooleanField(
        label=gettext_lazy("Draw each label's edge (a test print on plain paper)"), required=False
    )

    def __init__(
        self, *args: Any, sites: list[Site], batches: list[BatchSummary], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["batch"]).choices = [
            ("", "—"),
            *((str(b.id), batch_choice(b)) for b in batches),
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k.value, str(w)) for k, w in KIND_WORDS.items()
        ]
        cast(forms.ChoiceField, self.fields["stock"]).choices = [
            (s.name, s.description) for s in STOCKS.values()
        ] + [(CUSTOM, _("Custom size (a roll printer)"))]
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            ("", _("Each item's own site")),
            *site_choices(sites),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {
            "list": "barcodes",
            "added_since": "added_since",
            "range": "barcode_range",
            "record": "record",
            "batch": "batch",
        }
        wanted = needs.get(data.get("source") or "")
        if wanted and data.get(wanted) in (None, ""):
            self.add_error(wanted, _("Fill this in for what you chose to print."))
        if data.get("stock") == CUSTOM and not data.get("custom_size"):
            self.add_error("custom_size", _("Give the size of one label."))
        return data


def batch_choice(batch: BatchSummary) -> str:
    """A saved batch as the labels page offers it: its name, site and size."""
    where = batch.site_code or _("whole district")
    size = ngettext("%(count)s item", "%(count)s items", batch.count) % {"count": batch.count}
    return f"{batch.name} ({where}, {size})"


def _stock_name(data: dict[str, Any]) -> str:
    if data["stock"] == CUSTOM:
        return f"custom:{''.join(str(data['custom_size']).split())}"
    return str(data["stock"])


def _batch(actor: Actor, kind: Kind, data: dict[str, Any], site: Site | None) -> Batch:
    source = data["source"]
    site_code = site.code if site else ""
    lines = str(data.get("barcodes") or "").splitlines()
    if kind is Kind.SHELF_MARKER:
        library = site.name if site else ""
        if source == "range":
            first, last = marker_range(str(data["barcode_range"]))
            return read_marker_lines([f"{first} - {last}" if last else first], library=library)
        if source != "list":
            raise OctavoError(
                _("Shelf markers are printed from a list of call-number ranges or one range."),
                field="source",
            )
        return read_marker_lines(lines, library=library)
    patrons = kind is Kind.PATRON_CARD
    if source == "batch":
        if patrons:
            raise OctavoError(_("Patron cards are not printed from a saved batch."), field="source")
        return select.items_in_batch(actor=actor, batch_id=int(data["batch"]))
    if source == "list":
        if patrons:
            return cards.cards_listed(actor=actor, lines=lines)
        return select.items_listed(actor=actor, lines=lines)
    if source == "range":
        text = str(data["barcode_range"])
        if patrons:
            return cards.cards_in_range(actor=actor, text=text)
        return select.items_in_range(actor=actor, text=text)
    if source == "record":
        if patrons:
            raise OctavoError(_("Patron cards are not printed for a record."), field="source")
        return select.items_of_record(actor=actor, record_id=data["record"], site_code=site_code)
    since: date = data["added_since"]
    if patrons:
        return cards.cards_added_since(actor=actor, since=since, at=now(), site_code=site_code)
    return select.items_added_since(actor=actor, since=since, at=now(), site_code=site_code)


def _words() -> Words:
    return Words(photo=_("Photo"), to=_("to"))


@GET_POST
@staff_page
def labels_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not _may_print(actor):
        raise PermissionDenied(f"role {actor.role.value} does not print labels")
    sites = _label_sites(actor)
    batches = select.label_batches(actor=actor) if may_ever(actor, Action.CATALOG_EDIT) else []
    initial: dict[str, Any] = {
        "kind": request.GET.get("kind", Kind.SPINE.value),
        "stock": "avery-5160",
        "start": 1,
        "source": "record" if request.GET.get("record") else "added_since",
        "added_since": timezone.localdate(now()),
        "record": request.GET.get("record") or None,
        "site": sites[0].code if len(sites) == 1 else "",
    }
    # `?batch=ID`, the batch page's "Print labels": that batch, with its site's printer.
    chosen = next((b for b in batches if str(b.id) == request.GET.get("batch")), None)
    if chosen is not None:
        initial |= {"source": "batch", "batch": str(chosen.id)}
        if chosen.site_code in {s.code for s in sites}:
            initial["site"] = chosen.site_code
    bound = request.method == "POST"
    form = LabelForm(request.POST if bound else None, initial=initial, sites=sites, batches=batches)
    context: dict[str, Any] = {"form": form}
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            kind = Kind(data["kind"])
            stock = get_stock(_stock_name(data))
            site = site_by_code(actor=actor, code=data["site"]) if data["site"] else None
            batch = _batch(actor, kind, data, site)
            if not batch.labels:
                if data["source"] == "batch" and not batch.skipped:
                    raise OctavoError(_("Nothing to print: the batch is empty."), field="batch")
                raise OctavoError(_("Nothing to print: every barcode was left out."))
            layout = plan(
                batch.labels,
                kind=kind,
                stock=stock,
                start=data["start"],
                setup=select.printer_setup(site),
                words=_words(),
            )
        except OctavoError as exc:
            apply_error(form, exc, aliases={"range": "barcode_range", "labels": None})
        else:
            if request.POST.get("action") == "print":
                return _pdf(layout, outlines=bool(data["outlines"]))
            context |= _preview(layout, batch)
    return page(request, "staff/labels_choose.html", context, actor=actor)


def _pdf(layout: Plan, *, outlines: bool) -> HttpResponse:
    response = HttpResponse(content_type="application/pdf")
    name = f"labels-{layout.kind.value}-{layout.stock.name.replace(':', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"  # patron cards carry names
    draw(layout, cast(IO[bytes], response), outlines=outlines)
    return response


# --- the preview: the first sheet as the PDF will lay it out ----------------------------------


def _preview(layout: Plan, batch: Batch) -> dict[str, Any]:
    stock = layout.stock
    height = stock.page_height
    first_page = [p for p in layout.placed if p.page == 0]
    by_position = {p.position: p for p in first_page}
    slots = []
    for position in range(stock.per_sheet):
        x, y = stock.origin(position)
        placed = by_position.get(position)
        slots.append(
            {
                "left": round(x, 1),
                "top": round(height - y - stock.label_height, 1),
                "used": placed is None and position < layout.start - 1,
                "placed": _shown(placed, height) if placed else None,
            }
        )
    flagged = [
        {
            "number": p.number,
            "key": p.label.key,
            "sheet": p.page + 1,
            "position": p.position + 1,
            "problems": [(FLAG_WORDS.get(q.code, q.code), q.message) for q in p.problems],
        }
        for p in layout.flagged
    ]
    return {
        "plan": layout,
        "kind_words": KIND_WORDS[layout.kind],
        "sheet": {
            "width": round(stock.page_width, 1),
            "height": round(height, 1),
            "label_width": round(stock.label_width, 1),
            "label_height": round(stock.label_height, 1),
        },
        "slots": slots,
        "flagged": flagged,
        "skipped": batch.skipped,
        "count": len(layout.placed),
    }


def _shown(placed: Placed, height: float) -> dict[str, Any]:
    """The label's texts, bars and photo box at their places on the page (CSS pixels = PDF
    points; top-left origin)."""
    texts = [
        {
            "text": t.text,
            "bold": t.font.endswith("Bold"),
            "size": round(t.size, 1),
            "left": round(t.x, 1),
            "top": round(height - t.y - t.size * 0.8, 1),
        }
        for t in placed.texts
    ]
    bars = placed.bars
    photo = placed.photo
    return {
        "number": placed.number,
        "key": placed.label.key,
        "flagged": placed.flagged,
        "texts": texts,
        "bars": {
            "left": round(bars.x, 1),
            "top": round(height - bars.y - bars.height, 1),
            "width": round(bars.width, 1),
            "height": round(bars.height, 1),
        }
        if bars
        else None,
        "photo": {
            "left": round(photo.x, 1),
            "top": round(height - photo.y - photo.height, 1),
            "width": round(photo.width, 1),
            "height": round(photo.height, 1),
        }
        if photo
        else None,
    }


# --- printer offsets and barcode settings per site --------------------------------------------


class PrinterForm(StaffForm):
    offset_x_mm = forms.DecimalField(
        label=gettext_lazy("Move right (mm)"),
        max_digits=4,
        decimal_places=1,
        help_text=gettext_lazy("Negative moves left. Up to 20 mm."),
    )
    offset_y_mm = forms.DecimalField(
        label=gettext_lazy("Move down (mm)"),
        max_digits=4,
        decimal_places=1,
        help_text=gettext_lazy("Negative moves up. Up to 20 mm."),
    )
    symbology = forms.ChoiceField(label=gettext_lazy("Barcode symbology"))
    codabar_start = forms.ChoiceField(
        label=gettext_lazy("Codabar start character"), choices=[(c, c) for c in "ABCD"]
    )
    codabar_stop = forms.ChoiceField(
        label=gettext_lazy("Codabar stop character"), choices=[(c, c) for c in "ABCD"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["symbology"]).choices = [
            (k, str(v)) for k, v in SYMBOLOGY_WORDS.items()
        ]


@require_safe
@staff_page
def label_printers(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} does not set label printers")
    sites = [s for s in _label_sites(actor) if decide(actor, Action.CATALOG_EDIT, site_id=s.id)]
    saved = {s.site_id: s for s in LabelSettings.objects.filter(site__in=sites)}
    rows = [
        {
            "site": site,
            "settings": saved.get(site.id) or LabelSettings(site=site),
            "symbology": SYMBOLOGY_WORDS.get((saved.get(site.id) or LabelSettings()).symbology, ""),
        }
        for site in sites
    ]
    return page(request, "staff/labels_printers.html", {"rows": rows}, actor=actor)


@GET_POST
@staff_page
def label_printer(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    site = site_by_code(actor=actor, code=code, action=Action.CATALOG_EDIT)
    current = LabelSettings.objects.filter(site=site).first() or LabelSettings(site=site)
    initial = {
        "offset_x_mm": current.offset_x_mm,
        "offset_y_mm": current.offset_y_mm,
        "symbology": current.symbology,
        "codabar_start": current.codabar_start,
        "codabar_stop": current.codabar_stop,
    }
    bound = request.method == "POST"
    form = PrinterForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        try:
            set_label_settings(actor=actor, site_code=site.code, at=now(), **form.cleaned_data)
        except OctavoError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Label printer settings saved."))
            return redirect("staff:label_printers")
    context = {"form": form, "site": site}
    return page(request, "staff/labels_printer.html", context, actor=actor)
