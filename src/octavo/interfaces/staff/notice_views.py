"""Notices on the staff side (issue #7): the notice log (what went to whom, when, and what
failed), each site's templates in English and Spanish with a preview (a mistake refused at save
with its line), and the printable stacks by homeroom.

The notices services and selectors decide who may do what; these views parse, call and say
what happened.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from octavo.accounts.rules import Action, decide
from octavo.district.models import Site
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm
from octavo.notices import selectors
from octavo.notices.printing import StackWords
from octavo.notices.rendering import Rendered, Source, TemplateRefused
from octavo.notices.rules import LANGUAGES, NoticeKind, NoticeStatus
from octavo.notices.services import preview_template, print_stack, save_template, site_by_code
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

PAGE_SIZE = 100

KIND_LABELS = {
    NoticeKind.COURTESY: gettext_lazy("Courtesy: due soon"),
    NoticeKind.OVERDUE_1: gettext_lazy("Overdue: first notice"),
    NoticeKind.OVERDUE_2: gettext_lazy("Overdue: second notice"),
    NoticeKind.OVERDUE_FINAL: gettext_lazy("Overdue: final notice"),
    NoticeKind.BILLED: gettext_lazy("Billed as lost"),
    NoticeKind.HOLD_READY: gettext_lazy("Hold ready for pickup"),
    NoticeKind.HOLD_EXPIRING: gettext_lazy("Hold about to expire"),
    NoticeKind.FINES: gettext_lazy("Fines outstanding"),
    NoticeKind.CARD_EXPIRING: gettext_lazy("Card expiring"),
}
STATUS_LABELS = {
    NoticeStatus.QUEUED: gettext_lazy("Waiting"),
    NoticeStatus.SENT: gettext_lazy("Sent"),
    NoticeStatus.FAILED: gettext_lazy("Failed"),
    NoticeStatus.PRINTED: gettext_lazy("Printed"),
}
CHANNEL_LABELS = {"email": gettext_lazy("E-mail"), "print": gettext_lazy("Print")}
LANGUAGE_LABELS = {"en": gettext_lazy("English"), "es": gettext_lazy("Spanish")}


def _sites_where(actor: Actor, action: Action) -> list[Site]:
    return [s for s in Site.objects.order_by("code") if decide(actor, action, site_id=s.id)]


# --- the log ---------------------------------------------------------------------------------


class NoticeFilterForm(StaffForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of notice"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    site = forms.TypedChoiceField(
        label=gettext_lazy("Home site"), required=False, coerce=int, empty_value=None
    )
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        help_text=gettext_lazy("Inclusive."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        choices: dict[str, list[tuple[Any, str]]] = {
            "kind": [(k.value, str(label)) for k, label in KIND_LABELS.items()],
            "status": [(s.value, str(label)) for s, label in STATUS_LABELS.items()],
            "site": [(s.id, f"{s.code} {s.name}") for s in sites],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = [anything, *options]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error(
                "until",
                _("The last day (%(until)s) is before the first (%(since)s): swap them.")
                % {"until": until.isoformat(), "since": since.isoformat()},
            )
        return data


@require_safe
@staff_page
def notice_log(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not selectors.may_read_log(actor):
        raise PermissionDenied("may not read the notice log")
    form = NoticeFilterForm(request.GET, sites=_sites_where(actor, Action.PATRON_EDIT))
    data = form.cleaned_data if form.is_valid() else {}
    notices = selectors.notice_log(
        actor=actor,
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        site_id=data.get("site"),
        since=data.get("since"),
        until=data.get("until"),
    )
    if form.errors:
        notices = notices.none()
    shown = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    about = selectors.what_about(list(shown))
    rows = [
        {
            "notice": n,
            "kind": KIND_LABELS.get(NoticeKind(n.kind), n.kind),
            "status": STATUS_LABELS.get(NoticeStatus(n.status), n.status),
            "channel": CHANNEL_LABELS.get(n.channel, n.channel),
            "about": about.get(n.pk, ""),
        }
        for n in shown
    ]
    return page(
        request,
        "staff/notice_log.html",
        {
            "form": form,
            "page_obj": shown,
            "rows": rows,
            "may_edit": bool(_sites_where(actor, Action.POLICY_EDIT)),
            "may_print": bool(_sites_where(actor, Action.CIRCULATE)),
        },
        actor=actor,
    )


# --- templates -------------------------------------------------------------------------------


def _chosen_site(request: HttpRequest, sites: list[Site]) -> Site:
    if not sites:
        raise PermissionDenied("works at no site")
    code = request.GET.get("site", "").strip().upper()
    for site in sites:
        if site.code == code:
            return site
    return sites[0]


@require_safe
@staff_page
def notice_templates(request: HttpRequest, actor: Actor) -> HttpResponse:
    sites = _sites_where(actor, Action.POLICY_EDIT)
    site = _chosen_site(request, sites)
    states = selectors.template_states(actor=actor, site=site)
    rows = [
        {
            "kind": state.kind.value,
            "label": KIND_LABELS[state.kind],
            "languages": [
                {"state": s, "label": LANGUAGE_LABELS[s.language]}
                for s in states
                if s.kind is state.kind
            ],
        }
        for state in states
        if state.language == LANGUAGES[0]
    ]
    return page(
        request,
        "staff/notice_templates.html",
        {"site": site, "sites": sites, "rows": rows},
        actor=actor,
    )


# Wide enough to read a template's lines as written.
_EDITOR = {"rows": 14, "spellcheck": "true", "style": "width: 100%; font-family: monospace"}


class TemplateForm(StaffForm):
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=300,
        widget=forms.TextInput(attrs={"style": "width: 100%"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Plain text (e-mail and print)"),
        widget=forms.Textarea(attrs=_EDITOR),
        strip=False,
    )
    html = forms.CharField(
        label=gettext_lazy("HTML (e-mail)"),
        required=False,
        widget=forms.Textarea(attrs=_EDITOR),
        strip=False,
    )

    def source(self) -> Source:
        data = self.cleaned_data
        return Source(data["subject"], data["text"], data.get("html", ""))


def _kind_and_language(kind: str, language: str) -> tuple[NoticeKind, str]:
    try:
        notice_kind = NoticeKind(kind)
    except ValueError:
        raise NotFound(f"no kind of notice {kind!r}") from None
    if language not in LANGUAGES:
        raise NotFound(f"no language {language!r}")
    return notice_kind, language


@staff_page
def notice_template(
    request: HttpRequest, actor: Actor, code: str, kind: str, language: str
) -> HttpResponse:
    """Edit one of a site's templates: preview it with invented values, or save it as a new
    version (refused, with the line, unless it compiles and renders)."""
    site = site_by_code(code)
    notice_kind, lang = _kind_and_language(kind, language)
    current, version = selectors.template_for_editing(
        actor=actor, site=site, kind=notice_kind, language=lang
    )
    preview: Rendered | None = None
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                if request.POST.get("action") == "save":
                    saved = save_template(
                        actor=actor,
                        site_code=site.code,
                        kind=notice_kind.value,
                        language=lang,
                        source=form.source(),
                        at=now(),
                    )
                    messages.success(
                        request, _("Saved as version %(version)s.") % {"version": saved.version}
                    )
                    return redirect(
                        "staff:notice_template", code=site.code, kind=kind, language=lang
                    )
                preview = preview_template(source=form.source(), language=lang)
            except TemplateRefused as error:
                problem = error.problem
                if error.line:
                    problem = _("Line %(line)s: %(problem)s") % {
                        "line": error.line,
                        "problem": problem,
                    }
                form.add_error(error.part, problem)
    else:
        form = TemplateForm(
            initial={"subject": current.subject, "text": current.text, "html": current.html}
        )
        preview = preview_template(source=current, language=lang)
    context = {
        "site": site,
        "kind": notice_kind.value,
        "kind_label": KIND_LABELS[notice_kind],
        "language": lang,
        "language_label": LANGUAGE_LABELS[lang],
        "version": version,
        "form": form,
        "preview": preview,
    }
    return page(request, "staff/notice_template.html", context, actor=actor)


# --- the printable stacks --------------------------------------------------------------------


@require_safe
@staff_page
def notice_stacks(request: HttpRequest, actor: Actor) -> HttpResponse:
    sites = _sites_where(actor, Action.CIRCULATE)
    site = _chosen_site(request, sites)
    lines = selectors.stacks(actor=actor, site=site)
    return page(
        request,
        "staff/notice_stacks.html",
        {"site": site, "sites": sites, "lines": lines},
        actor=actor,
    )


@require_POST
@staff_page
def notice_stack_pdf(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A stack as a PDF (one homeroom, or the whole site); its notices are marked printed."""
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        raise NotFound("no such day") from None
    homeroom = request.POST.get("homeroom")
    code = request.POST.get("site", "")
    words = StackWords(
        no_homeroom=_("No homeroom"),
        notices=_("notices"),
        homeroom=_("Homeroom"),
        grade=_("Grade"),
    )
    try:
        pdf = print_stack(
            actor=actor,
            site_code=code,
            day=day,
            homeroom=homeroom if homeroom is not None and homeroom != "*" else None,
            at=now(),
            currency=settings.OCTAVO_CURRENCY,
            words=words,
        )
    except InvalidInput as error:
        messages.error(request, str(error))
        return redirect("staff:notice_stacks")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"notices-{code.upper()}-{day.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
