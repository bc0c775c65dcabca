"""Charts drawn on the server as SVG: no JavaScript, no build step, printable, and readable by a
screen reader as a titled image whose figures are in the table beside it.

Colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008), told apart by
people with any common colour-vision deficiency; lines also differ by dash, and every bar has a
tooltip (<title>) with its label and value. Numbers are written in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils import formats
from django.utils.translation import gettext as _

from octavo.reports.definitions import Chart, ChartKind, Kind, Report, Row, Value
from octavo.reports.display import shown
from octavo.reports.rules import grade_key

# Okabe-Ito, in the order series take them (yellow last: weakest against white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#d5dae0"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
WIDTH = 840
CHAR = 6.6  # the width of an average character at 12 px, to size the label column
MAX_LABEL = 34  # characters; longer labels are cut (the tooltip and the table have them whole)


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]
    kind: Kind = Kind.COUNT  # how its values are written in tooltips and labels


@dataclass(frozen=True)
class Data:
    """What a chart draws: one label per category (bar or point), one or more series."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    days: tuple[date, ...] = ()  # a line chart's x positions


def _number(value: float) -> str:
    places = 0 if float(value).is_integer() else 1
    return formats.number_format(round(value, places), places, use_l10n=True, force_grouping=True)


def _text(value: Value) -> str:
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return "" if value is None else str(value)


def _float(value: Value) -> float:
    if value is None or value == "" or isinstance(value, date):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def data_for(report: Report, rows: Sequence[Row], total: Row | None) -> Data | None:
    """The chart's data from a report's rows (or total row); None when there is nothing to draw."""
    chart = report.chart
    if chart is None:
        return None
    if chart.kind is ChartKind.TOTALS:
        if total is None:
            return None
        labels = tuple(str(report.column(key).label) for key in chart.series)
        values = tuple(_float(total[report.index(key)]) for key in chart.series)
        kind = report.column(chart.series[0]).kind
        return Data(labels, (Series(str(report.title), values, kind),))
    if chart.kind is ChartKind.COUNT:
        at = report.index(chart.category)
        counts: dict[str, int] = {}
        for row in rows:
            label = _text(row[at])
            counts[label] = counts.get(label, 0) + 1
        if not counts:
            return None
        ordered = sorted(counts, key=grade_key)
        return Data(tuple(ordered), (Series(_("Rows"), tuple(float(counts[k]) for k in ordered)),))
    rows_shown = list(rows[: chart.limit] if chart.limit else rows)
    if not rows_shown:
        return None
    keys = chart.category.split("+")
    categories = tuple(" · ".join(_text(r[report.index(k)]) for k in keys) for r in rows_shown)
    series = tuple(
        Series(
            str(report.column(key).label),
            tuple(_float(r[report.index(key)]) for r in rows_shown),
            report.column(key).kind,
        )
        for key in chart.series
    )
    if chart.kind is ChartKind.LINE:
        at = report.index(keys[0])
        days = tuple(day for r in rows_shown if isinstance(day := r[at], date))
        return _every_day(days, series)
    return Data(categories, series)


def _every_day(days: tuple[date, ...], series: tuple[Series, ...]) -> Data:
    """A line over every day from the first to the last, 0 on the days the table leaves out
    (nothing happened): a line drawn straight across a weekend would invent figures."""
    at = {day: n for n, day in enumerate(days)}
    first, last = min(days), max(days)
    every = tuple(date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
    filled = tuple(
        Series(s.label, tuple(s.values[at[d]] if d in at else 0.0 for d in every), s.kind)
        for s in series
    )
    return Data(tuple(_text(d) for d in every), filled, every)


def _value(series: Series, value: float) -> str:
    if series.kind in (Kind.MONEY, Kind.NUMBER, Kind.PERCENT, Kind.YEAR):
        return shown(Decimal(str(value)), series.kind)
    return shown(round(value), Kind.COUNT)


def _tip(data: Data, label: str, series: Series, value: float) -> str:
    """A bar's or point's tooltip: its label, its series (when there are several), its value."""
    if len(data.series) == 1:
        return f"{label}: {_value(series, value)}"
    return f"{label}: {series.label} {_value(series, value)}"


def _nice_step(top: float, ticks: int = 5) -> float:
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def _scale_top(data: Data, stacked: bool) -> tuple[float, float]:
    whole = all(s.kind is Kind.COUNT for s in data.series)
    top, step = _top(data, stacked)
    if whole:
        step = max(1.0, math.ceil(step))
        top = max(step, math.ceil(top / step) * step)
    return top, step


def _top(data: Data, stacked: bool) -> tuple[float, float]:
    if stacked:
        top = max(
            (sum(s.values[n] for s in data.series) for n in range(len(data.categories))), default=0
        )
    else:
        top = max((max(s.values, default=0) for s in data.series), default=0)
    step = _nice_step(top)
    return max(step, math.ceil(top / step) * step), step


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _legend_rows(data: Data, dashed: bool = False) -> int:
    """How many lines the legend takes (0 for one series)."""
    if len(data.series) < 2:
        return 0
    rows, x = 1, 8.0
    for series in data.series:
        width = (24 if dashed else 17) + CHAR * len(series.label) + 18
        if x + width > WIDTH - 8:
            rows, x = rows + 1, 8.0
        x += width
    return rows


def _legend(data: Data, y: float, x0: float, dashed: bool = False) -> list[str]:
    if len(data.series) < 2:
        return []
    parts, x = [], 8.0
    for n, series in enumerate(data.series):
        width = (24 if dashed else 17) + CHAR * len(series.label) + 18
        if x + width > WIDTH - 8:
            x, y = 8.0, y + 20
        colour = PALETTE[n % len(PALETTE)]
        if dashed:
            dash = DASHES[n % len(DASHES)]
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 18:.1f}" y2="{y - 4:.1f}" '
                f'stroke="{colour}" stroke-width="3"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
            x += 24
        else:
            parts.append(
                f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>'
            )
            x += 17
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{escape(series.label)}</text>')
        x += CHAR * len(series.label) + 18
    return parts


def _frame(
    chart_id: str, title: str, desc: str, width: float, height: float, body: list[str]
) -> str:
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family={quoteattr(FONT)} '
            f'font-size="12" fill="{INK}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
            f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
            *body,
            "</svg>",
        ]
    )


def _description(kind: str, data: Data) -> str:
    names = ", ".join(s.label for s in data.series)
    return _("%(kind)s of %(series)s for %(count)s categories. The table gives every figure.") % {
        "kind": kind,
        "series": names,
        "count": len(data.categories),
    }


def _vertical_bars(chart_id: str, title: str, data: Data, stacked: bool) -> str:
    top, step = _scale_top(data, stacked)
    left, right = 64.0, 16.0
    head = 20.0 + 20 * _legend_rows(data)
    rotate = len(data.categories) > 10 or max(len(c) for c in data.categories) * CHAR > (
        (WIDTH - left - right) / len(data.categories)
    )
    longest = min(max(len(c) for c in data.categories), MAX_LABEL)
    foot = 28.0 + (longest * CHAR * 0.72 if rotate else 0)
    height = 300.0 + foot
    plot_h = height - head - foot
    plot_w = WIDTH - left - right
    body = _legend(data, 20, left)
    body += _y_axis(left, head, plot_w, plot_h, top, step)
    slot = plot_w / len(data.categories)
    groups = 1 if stacked else len(data.series)
    bar_w = min(48.0, slot * 0.8 / groups)
    for n, label in enumerate(data.categories):
        x0 = left + slot * n + (slot - bar_w * groups) / 2
        base = head + plot_h
        for s, series in enumerate(data.series):
            value = series.values[n]
            h = plot_h * value / top if top else 0
            x = x0 if stacked else x0 + s * bar_w
            y = base - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{escape(_tip(data, label, series, value))}</title></rect>"
            )
            if stacked:
                base = y
        cx = left + slot * n + slot / 2
        ty = head + plot_h + 16
        if rotate:
            body.append(
                f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="end" '
                f'transform="rotate(-45 {cx:.1f} {ty:.1f})">{escape(_short(label))}</text>'
            )
        else:
            body.append(
                f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle">{escape(label)}</text>'
            )
    kind = _("Stacked bar chart") if stacked and len(data.series) > 1 else _("Bar chart")
    return _frame(chart_id, title, _description(kind, data), WIDTH, height, body)


def _y_axis(
    left: float, head: float, plot_w: float, plot_h: float, top: float, step: float
) -> list[str]:
    parts = []
    ticks = round(top / step)
    for t in range(ticks + 1):
        value = step * t
        y = head + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID if t else MUTED}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_number(value)}</text>"
        )
    return parts


def _horizontal_bars(chart_id: str, title: str, data: Data, stacked: bool) -> str:
    top, step = _scale_top(data, stacked)
    longest = min(max(len(c) for c in data.categories), MAX_LABEL)
    left = min(20 + longest * CHAR, 280.0)
    right, foot = 56.0, 28.0
    head = 16.0 + 20 * _legend_rows(data)
    groups = 1 if stacked else len(data.series)
    bar_h = 18.0 if groups == 1 else 11.0
    slot = bar_h * groups + 10
    plot_h = slot * len(data.categories)
    height = head + plot_h + foot
    plot_w = WIDTH - left - right
    body = _legend(data, 20, left)
    ticks = round(top / step)
    for t in range(ticks + 1):
        value = step * t
        x = left + plot_w * value / top
        body.append(
            f'<line x1="{x:.1f}" y1="{head:.1f}" x2="{x:.1f}" y2="{head + plot_h:.1f}" '
            f'stroke="{GRID if t else MUTED}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{x:.1f}" y="{head + plot_h + 16:.1f}" text-anchor="middle" '
            f'fill="{MUTED}">{_number(value)}</text>'
        )
    for n, label in enumerate(data.categories):
        y0 = head + slot * n + 5
        start = left
        for s, series in enumerate(data.series):
            value = series.values[n]
            w = plot_w * value / top if top else 0
            y = y0 if stacked else y0 + s * bar_h
            x = start if stacked else left
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{escape(_tip(data, label, series, value))}</title></rect>"
            )
            if stacked:
                start += w
            elif groups == 1:
                body.append(
                    f'<text x="{x + w + 4:.1f}" y="{y + bar_h - 5:.1f}" fill="{MUTED}">'
                    f"{escape(_value(series, value))}</text>"
                )
        body.append(
            f'<text x="{left - 8:.1f}" y="{y0 + bar_h * groups / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
        )
    kind = _("Stacked bar chart") if stacked and len(data.series) > 1 else _("Bar chart")
    return _frame(chart_id, title, _description(kind, data), WIDTH, height, body)


def _line(chart_id: str, title: str, data: Data) -> str:
    top, step = _scale_top(data, stacked=False)
    left, right, foot = 64.0, 48.0, 36.0
    head = 20.0 + 20 * _legend_rows(data, dashed=True)
    height = 320.0
    plot_h, plot_w = height - head - foot, WIDTH - left - right
    first, last = min(data.days), max(data.days)
    span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return left + plot_w * (day - first).days / span

    body = _legend(data, 20, left, dashed=True)
    body += _y_axis(left, head, plot_w, plot_h, top, step)
    marks = 6 if span >= 6 else span + 1
    for m in range(marks):
        day = date.fromordinal(first.toordinal() + round(span * m / max(marks - 1, 1)))
        body.append(
            f'<text x="{x_of(day):.1f}" y="{head + plot_h + 18:.1f}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(_text(day))}</text>'
        )
    for s, series in enumerate(data.series):
        colour, dash = PALETTE[s % len(PALETTE)], DASHES[s % len(DASHES)]
        points = " ".join(
            f"{x_of(day):.1f},{head + plot_h - plot_h * v / top:.1f}"
            for day, v in zip(data.days, series.values, strict=True)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + ' stroke-linejoin="round"/>'
        )
        if len(data.days) <= 62:
            for day, v, label in zip(data.days, series.values, data.categories, strict=True):
                body.append(
                    f'<circle cx="{x_of(day):.1f}" cy="{head + plot_h - plot_h * v / top:.1f}" '
                    f'r="3" fill="{colour}"><title>{escape(_tip(data, label, series, v))}</title>'
                    "</circle>"
                )
    return _frame(chart_id, title, _description(_("Line chart"), data), WIDTH, height, body)


def svg(report: Report, rows: Sequence[Row], total: Row | None, *, chart_id: str = "chart") -> str:
    """The report's chart as an SVG element (text), or "" when it has no chart or no data."""
    chart: Chart | None = report.chart
    data = data_for(report, rows, total)
    if chart is None or data is None or not data.categories:
        return ""
    title = str(report.title)
    if chart.kind is ChartKind.LINE and data.days:
        return _line(chart_id, title, data)
    if chart.horizontal or chart.kind is ChartKind.TOTALS:
        return _horizontal_bars(chart_id, title, data, chart.stacked)
    return _vertical_bars(chart_id, title, data, chart.stacked)
