"""Reports on the staff side (issue #7): the list of reports, and each report for a site (or,
for a district admin, the whole district) and a period, as a chart and a table, with its CSV,
XLSX and JSON files.

octavo.reports computes; these views parse the form, call it and show the result. Numbers are
shown in the reader's language and right-aligned; the chart is the server's SVG with the table
as its text alternative.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from octavo.accounts.rules import Action, may_ever
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.reports import charts
from octavo.reports.definitions import FAMILY_TITLES, Family, Report
from octavo.reports.display import shown
from octavo.reports.export import FORMATS, render
from octavo.reports.registry import BY_NAME, REPORTS, report_named
from octavo.reports.rules import Covers, Every
from octavo.reports.selectors import (
    Result,
    last_deliveries,
    reportable_sites,
    run_report,
    schedules_of,
)
from octavo.reports.services import how_often, schedule_report, stop_schedule
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, OctavoError, PermissionDenied

# A list longer than this is cut on the screen; its files have every row.
SCREEN_ROWS = 500
GET_POST = require_http_methods(["GET", "POST"])
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(StaffForm):
    site = forms.ChoiceField(label=_("Site"), required=False)

    def __init__(self, *args: Any, sites: list[tuple[str, str]], period: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = sites  # type: ignore[attr-defined]
        if period:
            self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=_DATE)
            self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=_DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error(
                "to", _("This date is before the “From” date: the period runs backwards.")
            )
        return data


def _require_reports(actor: Actor) -> None:
    if not may_ever(actor, Action.REPORTS_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not read reports")


@require_safe
@staff_page
def report_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_reports(actor)
    families = [
        (FAMILY_TITLES[family], [r for r in REPORTS if r.family is family]) for family in Family
    ]
    return page(request, "staff/report_index.html", {"families": families}, actor=actor)


def _form(request: HttpRequest, actor: Actor, report: Report) -> ReportForm:
    choices = _site_choices(actor, report)
    asked = any(key in request.GET for key in ("site", "from", "to"))
    return ReportForm(
        request.GET if asked else None,
        sites=choices,
        period=report.period is not None,
        initial={"site": choices[0][0]},
    )


def _run(actor: Actor, report: Report, form: ReportForm, limit: int | None) -> Result | None:
    """The report for the form's site and period (the defaults when it was not sent); None
    when the form has an error, which is then on the form."""
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {}
    site = data.get("site", form.initial["site"])
    try:
        return run_report(
            actor=actor,
            name=report.name,
            at=now(),
            site_code=site or "",
            start=data.get("from"),
            end=data.get("to"),
            limit=limit,
        )
    except InvalidInput as error:
        apply_error(form, error)
        return None


def _shown_as(form: ReportForm, result: Result) -> ReportForm:
    """The form filled in with what the report was run for (its default site and period)."""
    initial: dict[str, Any] = {"site": result.site.code if result.site else ""}
    if result.start and result.end:
        initial |= {"from": result.start, "to": result.end}
    form.initial = initial
    return form


def _query(result: Result) -> str:
    params = {"site": result.site.code if result.site else ""}
    if result.start and result.end:
        params |= {"from": result.start.isoformat(), "to": result.end.isoformat()}
    return urlencode(params)


@require_safe
@staff_page
def report_detail(request: HttpRequest, actor: Actor, name: str) -> HttpResponse:
    _require_reports(actor)
    report = report_named(name)
    form = _form(request, actor, report)
    result = _run(actor, report, form, SCREEN_ROWS)
    if result is not None and not form.is_bound:
        form = _shown_as(form, result)
    context: dict[str, Any] = {"report": report, "form": form, "result": result}
    if result is not None:
        columns = report.columns
        context |= {
            "columns": [(c, c.kind.numeric) for c in columns],
            "rows": [_cells(report, row) for row in result.rows],
            "total": _total_cells(report, result.total) if result.total else None,
            "chart": mark_safe(charts.svg(report, result.rows, result.total)),  # noqa: S308 - escaped by charts
            "query": _query(result),
            "formats": FORMATS,
        }
    return page(request, "staff/report_detail.html", context, actor=actor)


def _cells(report: Report, row: tuple[Any, ...]) -> list[tuple[str, bool]]:
    return [(shown(v, c.kind), c.kind.numeric) for c, v in zip(report.columns, row, strict=True)]


def _total_cells(report: Report, row: tuple[Any, ...]) -> list[tuple[str, bool]]:
    cells = _cells(report, row)
    if not row[0]:
        cells[0] = (gettext("Total"), False)
    return cells


@require_safe
@staff_page
def report_download(request: HttpRequest, actor: Actor, name: str, fmt: str) -> HttpResponse:
    _require_reports(actor)
    if fmt not in FORMATS:
        raise Http404(fmt)
    report = report_named(name)
    form = _form(request, actor, report)
    result = _run(actor, report, form, None)
    if result is None:  # a mistake in the form: the report's page shows it
        return redirect(f"{reverse('staff:report', args=[report.name])}?{request.GET.urlencode()}")
    rendered = render(result, fmt)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


# --- reports mailed on a schedule ---------------------------------------------------------------

EVERY_CHOICES = [
    (Every.WEEK.value, _("Every Monday")),
    (Every.MONTH.value, _("On the first day of every month")),
    (Every.DAY.value, _("Every day")),
]
COVERS_CHOICES = [
    (Covers.LAST.value, _("The day, week or month just ended")),
    (Covers.USUAL.value, _("The report's usual period, as of the day it is sent")),
]


class ScheduleForm(StaffForm):
    site = forms.ChoiceField(label=_("Site"), required=False)
    every = forms.ChoiceField(label=_("Send it"), choices=EVERY_CHOICES)
    fmt = forms.ChoiceField(
        label=_("File"), choices=[("xlsx", _("XLSX (Excel)")), ("csv", _("CSV"))]
    )
    recipients = forms.CharField(
        label=_("To"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "email"}),
        help_text=_("One or more e-mail addresses, separated by commas (at most 10)."),
    )

    def __init__(self, *args: Any, sites: list[tuple[str, str]], period: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = sites  # type: ignore[attr-defined]
        if period:
            self.fields["covers"] = forms.ChoiceField(label=_("Covering"), choices=COVERS_CHOICES)
            self.order_fields(["site", "every", "covers", "fmt", "recipients"])


def _site_choices(actor: Actor, report: Report) -> list[tuple[str, str]]:
    sites = reportable_sites(actor=actor)
    if not sites:
        raise PermissionDenied(f"{actor.username} may read the reports of no site", field="site")
    choices = [(s.code, f"{s.code} {s.name}") for s in sites]
    if actor.is_district_admin and not report.site_required:
        choices.insert(0, ("", gettext("Whole district")))
    return choices


@GET_POST
@staff_page
def report_schedule(request: HttpRequest, actor: Actor, name: str) -> HttpResponse:
    _require_reports(actor)
    report = report_named(name)
    choices = _site_choices(actor, report)
    asked = request.GET.get("site", choices[0][0])
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        sites=choices,
        period=report.period is not None,
        initial={"site": asked if asked in dict(choices) else choices[0][0]},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            schedule_report(
                actor=actor,
                report=report.name,
                site_code=data["site"],
                every=data["every"],
                covers=data.get("covers", Covers.USUAL.value),
                fmt=data["fmt"],
                to=data["recipients"],
                at=now(),
            )
        except OctavoError as error:
            apply_error(form, error, aliases={"to": "recipients", "format": "fmt"})
        else:
            messages.success(
                request,
                gettext("“%(title)s” will be sent %(when)s.")
                % {"title": report.title, "when": how_often(data["every"])},
            )
            return redirect("staff:report_schedules")
    context = {"report": report, "form": form}
    return page(request, "staff/report_schedule.html", context, actor=actor)


def _title(name: str) -> str:
    """A scheduled report's title (its name, should a later version have dropped it)."""
    found = BY_NAME.get(name)
    return str(found.title) if found else name


@require_safe
@staff_page
def report_schedules(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_reports(actor)
    schedules = schedules_of(actor=actor)
    latest = last_deliveries([s.pk for s in schedules])
    rows = [
        {
            "schedule": s,
            "title": _title(s.report),
            "when": how_often(s.every),
            "last": latest.get(s.pk),
        }
        for s in schedules
    ]
    return page(request, "staff/report_schedules.html", {"rows": rows}, actor=actor)


@require_POST
@staff_page
def report_schedule_stop(request: HttpRequest, actor: Actor, schedule_id: int) -> HttpResponse:
    _require_reports(actor)
    stopped = stop_schedule(actor=actor, schedule_id=schedule_id, at=now())
    messages.success(
        request,
        gettext("“%(title)s” will not be sent any more.") % {"title": _title(stopped.report)},
    )
    return redirect("staff:report_schedules")
