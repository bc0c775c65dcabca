"""Every report, by name: what `octavo report NAME` and /staff/reports/ offer (issue #7)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from octavo.reports import circulation, collection, loans, money, patrons, titles
from octavo.reports.definitions import Chart, ChartKind, Column, Family, Kind, Report, Scope, Table
from octavo.reports.rules import next_days, this_school_year
from octavo.shared.errors import NotFound

_COUNTS_NOTE = _(
    "Counted from the statistics kept for every check-out, check-in and renewal at the site "
    "where it happened; they name no patron."
)
_BY_ITEM_NOTE = _(
    "Counted from the statistics kept for every check-out, check-in and renewal, by the copy's "
    "material type and Dewey class when it circulated."
)
_COLLECTION_NOTE = _(
    "Copies in the collection: withdrawn and lost copies are left out. Years are the "
    "publication years of the catalog records."
)


def _circulation(
    name: str,
    title: Promise,
    description: Promise,
    by: Column,
    compute: Callable[[Scope], Table],
    chart: Chart,
    note: Promise = _COUNTS_NOTE,
) -> Report:
    return Report(
        name=name,
        title=title,
        description=description,
        family=Family.CIRCULATION,
        columns=(by, *circulation.COUNT_COLUMNS),
        compute=compute,
        chart=chart,
        period=this_school_year,
        note=note,
    )


def _bars(category: str, *, horizontal: bool = False, limit: int | None = None) -> Chart:
    return Chart(
        ChartKind.BARS,
        category=category,
        series=circulation.SERIES,
        horizontal=horizontal,
        stacked=True,
        limit=limit,
    )


REPORTS: tuple[Report, ...] = (
    # --- circulation ---
    _circulation(
        "circulation-by-day",
        _("Circulation by day"),
        _("Check-outs, check-ins and renewals on each day of the period."),
        Column("day", _("Day"), Kind.DATE),
        circulation.by_day,
        Chart(ChartKind.LINE, category="day", series=circulation.SERIES),
    ),
    _circulation(
        "circulation-by-hour",
        _("Circulation by hour of day"),
        _("Check-outs, check-ins and renewals in each hour of the day, at each site's time."),
        Column("hour", _("Hour")),
        circulation.by_hour,
        _bars("hour"),
    ),
    _circulation(
        "circulation-by-site",
        _("Circulation by site"),
        _("Check-outs, check-ins and renewals at each site."),
        Column("site", _("Site")),
        circulation.by_site,
        _bars("site", horizontal=True),
    ),
    _circulation(
        "circulation-by-patron-type",
        _("Circulation by patron type"),
        _("Check-outs, check-ins and renewals by the borrower's patron type."),
        Column("patron_type", _("Patron type")),
        circulation.by_patron_type,
        _bars("patron_type", horizontal=True),
    ),
    _circulation(
        "circulation-by-grade",
        _("Circulation by grade"),
        _("Check-outs, check-ins and renewals by the borrower's grade."),
        Column("grade", _("Grade")),
        circulation.by_grade,
        _bars("grade"),
    ),
    _circulation(
        "circulation-by-material-type",
        _("Circulation by material type"),
        _("Check-outs, check-ins and renewals by the copy's material type."),
        Column("material_type", _("Material type")),
        circulation.by_material_type,
        _bars("material_type", horizontal=True),
        _BY_ITEM_NOTE,
    ),
    _circulation(
        "circulation-by-dewey",
        _("Circulation by Dewey class"),
        _("Check-outs, check-ins and renewals by the copy's Dewey class (hundreds)."),
        Column("dewey", _("Dewey class")),
        circulation.by_dewey,
        _bars("dewey", horizontal=True),
        _BY_ITEM_NOTE,
    ),
    # --- collection ---
    Report(
        name="collection-by-dewey",
        title=_("Collection by Dewey class"),
        description=_(
            "Copies and titles in each Dewey class, with their average and median publication year."
        ),
        family=Family.COLLECTION,
        columns=collection.BY_DEWEY_COLUMNS,
        compute=collection.by_dewey,
        chart=Chart(ChartKind.BARS, category="dewey", series=("copies",), horizontal=True),
        note=_COLLECTION_NOTE,
    ),
    Report(
        name="collection-age",
        title=_("Age of the collection"),
        description=_("Copies in each Dewey class by the age of their publication year."),
        family=Family.COLLECTION,
        columns=collection.AGE_COLUMNS,
        compute=collection.age_profile,
        chart=Chart(
            ChartKind.BARS,
            category="dewey",
            series=collection.AGE_SERIES,
            horizontal=True,
            stacked=True,
        ),
        note=_COLLECTION_NOTE,
    ),
    Report(
        name="collection-summary",
        title=_("Library evaluation figures"),
        description=_(
            "For each site: students, copies, titles, copies per student, average and median "
            "publication year, copies added and withdrawn in the period: the figures a state's "
            "annual school library evaluation asks for."
        ),
        family=Family.COLLECTION,
        columns=collection.SUMMARY_COLUMNS,
        compute=collection.summary,
        chart=Chart(
            ChartKind.BARS, category="site", series=("copies_per_student",), horizontal=True
        ),
        period=this_school_year,
        note=_(
            "Students are active patrons of type student at their home site. A copy was added "
            "on its acquisition date (else the day it was entered) and withdrawn on the day its "
            "status became withdrawn. Withdrawn and lost copies are not in the collection."
        ),
    ),
    # --- overdues and money ---
    Report(
        name="overdues-by-homeroom",
        title=_("Overdues by homeroom"),
        description=_("Items overdue now, by the borrower's homeroom teacher and grade."),
        family=Family.OVERDUES_AND_MONEY,
        columns=loans.BY_HOMEROOM_COLUMNS,
        compute=loans.by_homeroom,
        chart=Chart(
            ChartKind.BARS, category="homeroom", series=("overdue",), horizontal=True, limit=30
        ),
        note=_("Each borrower counts at their home site, whichever site lent the item."),
    ),
    Report(
        name="overdues-by-grade",
        title=_("Overdues by grade"),
        description=_("Items overdue now, by the borrower's grade."),
        family=Family.OVERDUES_AND_MONEY,
        columns=loans.BY_GRADE_COLUMNS,
        compute=loans.by_grade,
        chart=Chart(ChartKind.BARS, category="grade", series=("overdue",)),
        note=_("Each borrower counts at their home site, whichever site lent the item."),
    ),
    Report(
        name="fines",
        title=_("Fines and fees"),
        description=_(
            "Charged, collected, waived and refunded in the period at each site, and what is "
            "still owed now."
        ),
        family=Family.OVERDUES_AND_MONEY,
        columns=money.FINES_COLUMNS,
        compute=money.fines,
        chart=Chart(
            ChartKind.TOTALS, series=("charged", "collected", "waived", "refunded", "outstanding")
        ),
        period=this_school_year,
        note=_(
            "Money counts at the site where it was taken; what is owed counts at the site that "
            "made the charge."
        ),
    ),
    Report(
        name="lost-and-paid",
        title=_("Lost items billed and paid"),
        description=_("Lost items billed in the period, and what has been paid on each."),
        family=Family.OVERDUES_AND_MONEY,
        columns=money.LOST_COLUMNS,
        compute=money.lost_and_paid,
        chart=Chart(ChartKind.TOTALS, series=("charged", "paid", "waived", "refunded", "owed")),
        period=this_school_year,
    ),
    # --- patrons ---
    Report(
        name="patrons-active",
        title=_("Active patrons"),
        description=_("Active patrons by patron type and grade, at their home site."),
        family=Family.PATRONS,
        columns=patrons.ACTIVE_COLUMNS,
        compute=patrons.active,
        chart=Chart(ChartKind.BARS, category="patron_type+grade", series=("patrons",)),
    ),
    Report(
        name="patrons-inactive",
        title=_("Patrons with no activity"),
        description=_(
            "Active patrons with no loan, hold, fine or payment in the period and nothing "
            "checked out now."
        ),
        family=Family.PATRONS,
        columns=patrons.INACTIVE_COLUMNS,
        compute=patrons.inactive,
        chart=Chart(ChartKind.COUNT, category="grade"),
        period=this_school_year,
        note=_(
            "For privacy, a returned loan is not kept with a patron who keeps no reading "
            "history: a patron whose only activity was a loan already returned is listed too."
        ),
    ),
    Report(
        name="cards-expiring",
        title=_("Cards expiring"),
        description=_("Patrons whose card expires in the period (by default the next 30 days)."),
        family=Family.PATRONS,
        columns=patrons.EXPIRING_COLUMNS,
        compute=patrons.expiring,
        chart=Chart(ChartKind.COUNT, category="patron_type"),
        period=next_days(30),
    ),
    # --- titles, holds, shelves ---
    Report(
        name="top-titles",
        title=_("Top titles"),
        description=_("The titles checked out most often in the period (the first 100)."),
        family=Family.TITLES,
        columns=titles.TOP_COLUMNS,
        compute=titles.top_titles,
        chart=Chart(
            ChartKind.BARS, category="title", series=("check_outs",), horizontal=True, limit=15
        ),
        period=this_school_year,
    ),
    Report(
        name="never-circulated",
        title=_("Never-circulated titles"),
        description=_(
            "Titles none of whose copies has ever been checked out, in call-number order."
        ),
        family=Family.TITLES,
        columns=titles.NEVER_COLUMNS,
        compute=titles.never_circulated,
        chart=Chart(ChartKind.COUNT, category="dewey", horizontal=True),
        note=_COLLECTION_NOTE,
    ),
    Report(
        name="hold-fill-time",
        title=_("Hold fill time"),
        description=_(
            "How long holds waited, from being placed to a copy on the hold shelf, for holds "
            "filled in the period."
        ),
        family=Family.TITLES,
        columns=titles.FILL_COLUMNS,
        compute=titles.hold_fill_time,
        chart=Chart(
            ChartKind.BARS,
            category="site",
            series=("average_days", "median_days"),
            horizontal=True,
        ),
        period=this_school_year,
        note=_("Median and 90 % are in whole days; the average and the longest are exact."),
    ),
    Report(
        name="shelf-list",
        title=_("Shelf list"),
        description=_("A site's copies in call-number order, as they stand on the shelves."),
        family=Family.TITLES,
        columns=titles.SHELF_COLUMNS,
        compute=titles.shelf_list,
        chart=Chart(ChartKind.COUNT, category="status", horizontal=True),
        site_required=True,
        note=_("Withdrawn copies are left out."),
    ),
)

BY_NAME = {report.name: report for report in REPORTS}


def report_named(name: str) -> Report:
    """The report called `name`; NotFound lists the names there are."""
    found = BY_NAME.get(name.strip().lower())
    if found is None:
        raise NotFound(f"no report {name!r}; the reports are: {', '.join(BY_NAME)}", field="report")
    return found
