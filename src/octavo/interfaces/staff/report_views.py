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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from octavo.accounts.rules import Action, may_ever
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm, apply_error
from octavo.reports import charts
from octavo.reports.definitions import FAMILY_TITLES, Family, Report
from octavo.reports.display import shown
from octavo.reports.export import FORMATS, render
from octavo.reports.registry import REPORTS, report_named
from octavo.reports.selectors import Result, reportable_sites, run_report
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, PermissionDenied

# A list longer than this is cut on the screen; its files have every row.
SCREEN_ROWS = 500
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
    sites = reportable_sites(actor=actor)
    if not sites:
        raise PermissionDenied(f"{actor.username} may read the reports of no site", field="site")
    choices = [(s.code, f"{s.code} {s.name}") for s in sites]
    if actor.is_district_admin and not report.site_required:
        choices.insert(0, ("", _gettext("Whole district")))
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
        cells[0] = (_gettext("Total"), False)
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
