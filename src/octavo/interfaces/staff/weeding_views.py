"""Weeding on the staff side (issue #8): build a list for a site's call-number range with a preset
(CREW and others) or the librarian's own criteria, review it (a Keep or Withdraw button on each
entry, a scan box for the books pulled from the shelf, everything still undecided at once),
print it in shelf order to take to the shelves, and apply it with a reason.

The services decide (octavo.circulation.weeding, with the pure rules of
octavo.holdings.weeding_rules); these views parse, call and say what happened. A decision or a
scan is a POST answered, with htmx, by the row or the scan panel alone, the counts updated
out of band; without JavaScript each is a plain POST and a redirect.
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
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, decide, may_ever
from octavo.circulation import weeding
from octavo.district.models import Site
from octavo.holdings import weeding_selectors as selectors
from octavo.holdings.models import WeedingList
from octavo.holdings.weeding_rules import CREW_CLASSES, CREW_SECTIONS, Criteria, criteria, preset
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.desk_lines import site_zone, when
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.interfaces.staff.holds_views import stranded_text
from octavo.interfaces.staff.labels import error_text
from octavo.interfaces.words import STATUS_LABELS, shown
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

GET_POST = require_http_methods(["GET", "POST"])
SHOWN = 1000  # entries on the review page; the printed list has them all

PRESET_LABELS: dict[str, Promise] = {
    "crew": gettext_lazy(
        "CREW: each Dewey class's years since publication and without use, or worn"
    ),
    "unused": gettext_lazy("Not checked out in 3 years"),
    "never-used": gettext_lazy("Never checked out, in the collection 3 years or more"),
    "worn": gettext_lazy("Condition poor, worn or damaged"),
    "extra-copies": gettext_lazy("Copies of a title beyond the 2 most used at the site"),
}

REASON_LABELS: dict[str, Promise] = {
    "age": gettext_lazy("Old"),
    "unused": gettext_lazy("Not used"),
    "never_used": gettext_lazy("Never checked out"),
    "condition": gettext_lazy("Worn"),
    "extra_copy": gettext_lazy("Extra copy"),
}

# CREW's table (weeding_rules.CREW_CLASSES and CREW_SECTIONS), by the rules' English labels.
CREW_WORDS: dict[str, Promise] = {
    "004-006 Computers": gettext_lazy("004-006 Computers"),
    "310 Statistics and almanacs": gettext_lazy("310 Statistics and almanacs"),
    "510 Mathematics": gettext_lazy("510 Mathematics"),
    "610 Medicine and health": gettext_lazy("610 Medicine and health"),
    "910 Geography and travel": gettext_lazy("910 Geography and travel"),
    "920 Biography": gettext_lazy("920 Biography"),
    "000 Information and general works": gettext_lazy("000 Information and general works"),
    "100 Philosophy and psychology": gettext_lazy("100 Philosophy and psychology"),
    "200 Religion": gettext_lazy("200 Religion"),
    "300 Social sciences": gettext_lazy("300 Social sciences"),
    "400 Language": gettext_lazy("400 Language"),
    "500 Science": gettext_lazy("500 Science"),
    "600 Technology": gettext_lazy("600 Technology"),
    "700 Arts and recreation": gettext_lazy("700 Arts and recreation"),
    "800 Literature": gettext_lazy("800 Literature"),
    "900 History and geography": gettext_lazy("900 History and geography"),
    "Fiction, picture books, graphic novels": gettext_lazy(
        "Fiction, picture books, graphic novels"
    ),
    "Biography": gettext_lazy("Biography"),
}

DECISION_LABELS: dict[str, Promise] = {
    "undecided": gettext_lazy("Undecided"),
    "keep": gettext_lazy("Keep"),
    "withdraw": gettext_lazy("Withdraw"),
}

OUTCOME_LABELS: dict[str, Promise] = {
    "withdrawn": gettext_lazy("Withdrawn"),
    "kept": gettext_lazy("Kept"),
    "skipped": gettext_lazy("Not withdrawn"),
}


# --- forms -----------------------------------------------------------------------------------


class BuildForm(StaffForm):
    site = forms.ChoiceField(label=gettext_lazy("Site"))
    call_range = forms.CharField(
        label=gettext_lazy("Call numbers"),
        max_length=210,
        help_text=gettext_lazy(
            "From and to, both included: 500-599, 590-599.99, FIC A-FIC C. Everything shelved "
            "under the last one is included: 599 includes 599.75 SMI."
        ),
    )
    location = forms.CharField(
        label=gettext_lazy("Location (optional)"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("A location code, such as REF. Blank: every location."),
    )
    preset = forms.ChoiceField(
        label=gettext_lazy("Criteria"),
        required=False,
        help_text=gettext_lazy("A preset, or your own criteria below."),
    )
    age_years = forms.IntegerField(
        label=gettext_lazy("Published more than this many years ago"),
        required=False,
        min_value=0,
        max_value=100,
    )
    unused_years = forms.IntegerField(
        label=gettext_lazy("Not checked out in this many years"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "Given with the years since publication, both must hold (CREW's formula)."
        ),
    )
    never_used_years = forms.IntegerField(
        label=gettext_lazy("Never checked out, and in the collection this many years"),
        required=False,
        min_value=0,
        max_value=100,
    )
    conditions = forms.CharField(
        label=gettext_lazy("Conditions"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Condition words, separated by commas: poor, worn, damaged."),
    )
    copies_beyond = forms.IntegerField(
        label=gettext_lazy("Copies of a title to keep"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("The less used copies beyond this number are listed."),
    )

    OWN = ("age_years", "unused_years", "never_used_years", "conditions", "copies_beyond")

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.code, f"{s.code} {s.name}") for s in sites]
        cast(forms.ChoiceField, self.fields["site"]).choices = choices
        presets = [(name, label) for name, label in PRESET_LABELS.items()]
        cast(forms.ChoiceField, self.fields["preset"]).choices = [
            ("", gettext_lazy("My own criteria (below)")),
            *presets,
        ]
        self.fields["preset"].initial = "crew"

    def chosen(self) -> Criteria:
        """The criteria: the preset's, or those typed (checked by the rules)."""
        data = self.cleaned_data
        own = {name: data.get(name) for name in self.OWN}
        typed = any(value not in (None, "") for value in own.values())
        if data.get("preset"):
            if typed:
                raise forms.ValidationError(
                    _("Choose a preset or your own criteria, not both."), code="both"
                )
            return preset(data["preset"])
        return criteria(
            age_years=own["age_years"],
            unused_years=own["unused_years"],
            never_used_years=own["never_used_years"],
            conditions=own["conditions"],
            copies_beyond=own["copies_beyond"],
        )


class ApplyForm(StaffForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        help_text=gettext_lazy(
            "Kept with each withdrawn item's history, such as “outdated” or “worn beyond mending”."
        ),
    )
    include_undecided = forms.BooleanField(
        label=gettext_lazy("Withdraw the undecided entries too"), required=False
    )


# --- helpers ---------------------------------------------------------------------------------


def _build_sites(actor: Actor) -> list[Site]:
    sites = Site.objects.filter(is_active=True).order_by("code")
    if not actor.is_district_admin:
        sites = sites.filter(id__in=actor.site_ids)
    return [s for s in sites if decide(actor, Action.CATALOG_EDIT, site_id=s.id)]


def _require_weeder(actor: Actor) -> None:
    if not may_ever(actor, selectors.MANAGE):
        raise PermissionDenied(f"role {actor.role.value} may not weed")


def criteria_text(data: dict[str, Any]) -> str:
    """The list's criteria in the reader's words."""
    chosen = Criteria.from_dict(data) if data else None
    if chosen is None:
        return ""
    parts = []
    if chosen.by_class:
        parts.append(_("CREW's years since publication and without use for each class"))
    if chosen.age_years is not None and chosen.unused_years is not None:
        parts.append(
            _("published more than %(age)s years ago and not checked out in %(unused)s years")
            % {"age": chosen.age_years, "unused": chosen.unused_years}
        )
    elif chosen.age_years is not None:
        parts.append(_("published more than %(age)s years ago") % {"age": chosen.age_years})
    elif chosen.unused_years is not None:
        parts.append(_("not checked out in %(unused)s years") % {"unused": chosen.unused_years})
    if chosen.never_used_years is not None:
        parts.append(
            _("never checked out, in the collection %(years)s years or more")
            % {"years": chosen.never_used_years}
        )
    if chosen.conditions:
        parts.append(_("condition %(words)s") % {"words": ", ".join(sorted(chosen.conditions))})
    if chosen.copies_beyond is not None:
        parts.append(_("copies beyond the %(count)s most used") % {"count": chosen.copies_beyond})
    text = _("; or ").join(parts)
    location = data.get("location")
    if location:
        text += " " + _("(location %(code)s)") % {"code": location}
    return text


def _row(line: selectors.EntryLine, weeding_list: WeedingList) -> dict[str, Any]:
    zone = site_zone(weeding_list.site)
    return {
        "line": line,
        "reasons": [shown(REASON_LABELS, r) for r in line.reasons],
        "decision": shown(DECISION_LABELS, line.decision),
        "outcome": shown(OUTCOME_LABELS, line.outcome) if line.outcome else "",
        "status": shown(STATUS_LABELS, line.status),
        "last_used": when(line.last_used_at, zone) if line.last_used_at else "",
    }


def _line(weeding_list: WeedingList, entry_id: int) -> selectors.EntryLine:
    for line in selectors.entry_lines(weeding_list, entry_ids=[entry_id]):
        return line
    raise NotFound(f"weeding list {weeding_list.pk} has no entry {entry_id}", field="entry")


def _base(weeding_list: WeedingList) -> dict[str, Any]:
    return {
        "weeding": weeding_list,
        "scope": selectors.scope_text(weeding_list),
        "criteria": criteria_text(weeding_list.criteria),
        "preset": shown(PRESET_LABELS, weeding_list.preset) if weeding_list.preset else "",
        "built": when(weeding_list.built_at, site_zone(weeding_list.site)),
        "applied": when(weeding_list.applied_at, site_zone(weeding_list.site))
        if weeding_list.applied_at
        else "",
        "is_open": weeding_list.status == WeedingList.Status.OPEN,
        "counts": selectors.decision_counts(weeding_list),
        "decisions": [(d, DECISION_LABELS[d]) for d in ("keep", "withdraw", "undecided")],
    }


# --- the lists and building one ----------------------------------------------------------------


@GET_POST
@staff_page
def weeding_list_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_weeder(actor)
    sites = _build_sites(actor)
    form = BuildForm(request.POST or None, sites=sites) if sites else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("no site where this account may weed")
        if form.is_valid():
            try:
                built = weeding.build_list(
                    actor=actor,
                    site_code=form.cleaned_data["site"],
                    call_range=form.cleaned_data["call_range"],
                    location_code=form.cleaned_data["location"],
                    criteria=form.chosen(),
                    preset=form.cleaned_data["preset"],
                    at=now(),
                )
            except forms.ValidationError as problem:
                form.add_error("preset", problem)
            except OctavoError as error:
                apply_error(
                    form,
                    error,
                    aliases={"range": "call_range", "criteria": "preset", "weeding_list": None},
                )
            else:
                count = selectors.decision_counts(built)["undecided"]
                messages.success(
                    request,
                    ngettext(
                        "Weeding list built: %(count)s item to review.",
                        "Weeding list built: %(count)s items to review.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("staff:weeding", list_id=built.pk)
    rows = [
        {
            "weeding": w,
            "scope": selectors.scope_text(w),
            "built": when(w.built_at, site_zone(w.site)),
            "criteria": shown(PRESET_LABELS, w.preset) if w.preset else criteria_text(w.criteria),
        }
        for w in selectors.weeding_lists(actor=actor)
    ]
    context = {
        "form": form,
        "rows": rows,
        "crew": [(shown(CREW_WORDS, row.label), str(row.formula)) for row in CREW_CLASSES],
        "crew_sections": [
            (shown(CREW_WORDS, label), str(formula))
            for label, formula in sorted({(label, str(f)) for label, f in CREW_SECTIONS.values()})
        ],
    }
    return page(request, "staff/weeding_list.html", context, actor=actor)


# --- one list: review --------------------------------------------------------------------------


SHOW = ("all", "undecided", "keep", "withdraw")


@require_safe
@staff_page
def weeding_detail(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    weeding_list = selectors.get_list(actor=actor, list_id=list_id)
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    lines = selectors.entry_lines(
        weeding_list, decisions=() if show == "all" else (show,), limit=SHOWN + 1
    )
    context = {
        **_base(weeding_list),
        "rows": [_row(line, weeding_list) for line in lines[:SHOWN]],
        "more": len(lines) > SHOWN,
        "shown": SHOWN,
        "show": show,
        "shows": [(s, DECISION_LABELS.get(s, gettext_lazy("All"))) for s in SHOW],
    }
    return page(request, "staff/weeding_detail.html", context, actor=actor)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@require_POST
@staff_page
def weeding_decide(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    """One entry's Keep, Withdraw or Undecided button."""
    try:
        entry_id = int(request.POST.get("entry", ""))
    except ValueError:
        raise NotFound("no such entry", field="entry") from None
    decision = request.POST.get("decision", "")
    error = ""
    try:
        weeding.decide_entry(
            actor=actor, list_id=list_id, entry_id=entry_id, decision=decision, at=now()
        )
    except OctavoError as problem:
        if isinstance(problem, PermissionDenied | NotFound):
            raise
        error = error_text(problem)
    weeding_list = selectors.get_list(actor=actor, list_id=list_id)
    if _htmx(request):
        context = {
            **_base(weeding_list),
            "row": _row(_line(weeding_list, entry_id), weeding_list),
            "error": error,
            "oob": True,
        }
        return page(request, "staff/_weeding_row.html", context, actor=actor)
    if error:
        messages.error(request, error)
    url = reverse("staff:weeding", kwargs={"list_id": list_id})
    return redirect(f"{url}#entry-{entry_id}")


@require_POST
@staff_page
def weeding_scan(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    """The scan box: each book pulled from the shelf is scanned and marked withdraw (or keep)."""
    text = request.POST.get("barcode", "")[:200]
    decision = request.POST.get("decision", "withdraw")
    latest: dict[str, Any]
    changed = None
    try:
        done = weeding.decide_by_barcode(
            actor=actor, list_id=list_id, barcode=text, decision=decision, at=now()
        )
    except OctavoError as problem:
        if isinstance(problem, PermissionDenied):
            raise
        latest = {"outcome": "block", "barcode": text.strip()[:40], "words": error_text(problem)}
    else:
        changed = done.entry
        words = (
            _("Already marked: %(decision)s.") if done.repeated else _("Marked: %(decision)s.")
        ) % {"decision": shown(DECISION_LABELS, decision)}
        latest = {"outcome": "ok", "barcode": done.barcode, "words": words}
    weeding_list = selectors.get_list(actor=actor, list_id=list_id)
    if _htmx(request):
        context = {
            **_base(weeding_list),
            "latest": latest,
            "decision": decision,
            "row": _row(_line(weeding_list, changed.pk), weeding_list) if changed else None,
        }
        return page(request, "staff/_weeding_scan.html", context, actor=actor)
    if latest["outcome"] == "ok":
        messages.success(request, f"{latest['barcode']}: {latest['words']}")
    else:
        messages.error(request, latest["words"])
    return redirect("staff:weeding", list_id=list_id)


@require_POST
@staff_page
def weeding_decide_all(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    try:
        count = weeding.decide_undecided(actor=actor, list_id=list_id, decision=decision, at=now())
    except OctavoError as problem:
        if isinstance(problem, PermissionDenied | NotFound):
            raise
        messages.error(request, error_text(problem))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s undecided entry marked: %(decision)s.",
                "%(count)s undecided entries marked: %(decision)s.",
                count,
            )
            % {"count": count, "decision": shown(DECISION_LABELS, decision)},
        )
    return redirect("staff:weeding", list_id=list_id)


# --- printing and applying ----------------------------------------------------------------------


@require_safe
@staff_page
def weeding_print(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    """The list in shelf order, to take to the shelves (or to file, once applied)."""
    weeding_list = selectors.get_list(actor=actor, list_id=list_id)
    only = request.GET.get("only", "")
    decisions = (only,) if only in DECISION_LABELS else ()
    context = {
        **_base(weeding_list),
        "rows": [
            _row(line, weeding_list)
            for line in selectors.entry_lines(weeding_list, decisions=decisions)
        ],
        "only": shown(DECISION_LABELS, only) if decisions else "",
        "printed": when(now(), site_zone(weeding_list.site)),
    }
    return page(request, "staff/weeding_print.html", context, actor=actor)


@GET_POST
@staff_page
def weeding_apply(request: HttpRequest, actor: Actor, list_id: int) -> HttpResponse:
    weeding_list = selectors.get_list(actor=actor, list_id=list_id)
    if weeding_list.status != WeedingList.Status.OPEN:
        return redirect("staff:weeding", list_id=list_id)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applied = weeding.apply_list(
                actor=actor,
                list_id=list_id,
                reason=form.cleaned_data["reason"],
                include_undecided=form.cleaned_data["include_undecided"],
                at=now(),
            )
        except OctavoError as error:
            apply_error(form, error, aliases={"weeding_list": None})
        else:
            words = [
                ngettext(
                    "%(count)s item withdrawn.",
                    "%(count)s items withdrawn.",
                    len(applied.withdrawn),
                )
                % {"count": len(applied.withdrawn)}
            ]
            if applied.skipped:
                words.append(
                    ngettext(
                        "%(count)s could not be withdrawn now: see the list.",
                        "%(count)s could not be withdrawn now: see the list.",
                        len(applied.skipped),
                    )
                    % {"count": len(applied.skipped)}
                )
            messages.success(request, " ".join(words))
            if applied.stranded:
                messages.warning(request, stranded_text(applied.stranded))
            return redirect("staff:weeding", list_id=list_id)
    context = {**_base(weeding_list), "form": form}
    return page(request, "staff/weeding_apply.html", context, actor=actor)
