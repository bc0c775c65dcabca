"""Running a report: who may, for which site and period, and the result every interface shows
or writes (the staff screens, `octavo report`, and a nightly job that mails one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from octavo.accounts.rules import Action, decide, may_ever
from octavo.district.models import Site
from octavo.district.selectors import site_by_code
from octavo.reports.definitions import Report, Row, Scope
from octavo.reports.models import ReportDelivery, ScheduledReport
from octavo.reports.pending import catch_up_statistics
from octavo.reports.registry import report_named
from octavo.reports.rules import check_period
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class Result:
    report: Report
    site: Site | None  # None: the whole district
    start: date | None  # None for a picture of now (the report has no period)
    end: date | None
    at: datetime
    zone: ZoneInfo
    rows: list[Row]
    total: Row | None
    truncated: bool = False  # rows were cut at the limit asked for


def reportable_sites(*, actor: Actor) -> list[Site]:
    """The sites whose reports the actor may read (every site for a district admin)."""
    if not may_ever(actor, Action.REPORTS_VIEW):
        return []
    sites = Site.objects.order_by("code")
    return list(sites if actor.is_district_admin else sites.filter(id__in=actor.site_ids))


def readable_site(*, actor: Actor, report: Report, site_code: str) -> Site | None:
    """The site whose `report` the actor asks for (None: the whole district), once it is
    certain the actor may read it; PermissionDenied or InvalidInput naming the site field."""
    if not may_ever(actor, Action.REPORTS_VIEW):
        raise PermissionDenied(f"role {actor.role.value} may not read reports")
    if site_code.strip():
        return site_by_code(actor=actor, code=site_code, action=Action.REPORTS_VIEW)
    if report.site_required:
        raise InvalidInput(f"the {report.name} report is one site's: choose a site", field="site")
    if not decide(actor, Action.REPORTS_VIEW, site_id=None):
        raise PermissionDenied(
            "the whole district's reports are a district admin's: choose one of your sites",
            field="site",
        )
    return None


def run_report(
    *,
    actor: Actor,
    name: str,
    at: datetime,
    site_code: str = "",
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
) -> Result:
    """Compute report `name` for the site with `site_code` (blank: the whole district, a
    district admin's) over `start`..`end` (each defaults to the report's own period: mostly the
    school year to date). `limit` cuts a list (the screen); files have every row."""
    report = report_named(name)
    site = readable_site(actor=actor, report=report, site_code=site_code)
    if start is not None and end is not None:
        check_period(start, end)
    zone = ZoneInfo(site.time_zone if site else settings.TIME_ZONE)
    today = at.astimezone(zone).date()
    if report.period is not None:
        first, last = report.period(today)
        start = start or first
        end = end or last
        check_period(start, end)
    else:
        start = end = None
    # The statistics the desks wrote since the last report are counted too (SQLite: moved in
    # from where the trigger left them, reports/pending.py).
    catch_up_statistics()
    sites = {s.id: s for s in Site.objects.all()}
    scope = Scope(
        site=site,
        sites=sites,
        start=start or today,
        end=end or today,
        at=at,
        zone=zone,
        limit=limit,
    )
    table = report.compute(scope)
    return Result(
        report=report,
        site=site,
        start=start,
        end=end,
        at=at,
        zone=zone,
        rows=table.rows,
        total=table.total,
        truncated=table.truncated,
    )


def schedules_of(*, actor: Actor) -> list[ScheduledReport]:
    """The running scheduled reports the actor sees: a district admin every one, anyone else
    their own."""
    found = ScheduledReport.objects.filter(stopped_at=None).select_related("site", "owner")
    if not actor.is_district_admin:
        found = found.filter(owner_id=actor.user_id)
    return list(found.order_by("report", "id"))


def last_deliveries(schedule_ids: list[int]) -> dict[int, ReportDelivery]:
    """Each schedule's latest sending (or try), by schedule id."""
    latest: dict[int, ReportDelivery] = {}
    for delivery in ReportDelivery.objects.filter(schedule_id__in=schedule_ids).order_by(
        "schedule_id", "-due_on", "-id"
    ):
        latest.setdefault(delivery.schedule_id, delivery)
    return latest
