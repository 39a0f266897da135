"""Server-rendered SVG charts of one measurement type (no JavaScript, no external files).

``chart_svg`` turns the points of ``selectors.series`` into an inline ``<svg>``: the goal band
shaded, the fever line (temperature), each reading as a dot (a year: the weekly mean with its
lowest and highest value), and fever or out-of-goal points drawn larger as red diamonds, so the
mark does not rely on colour alone. The data table beside the chart carries the same numbers.
"""

from __future__ import annotations

import datetime
import math

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from health.measurements import catalogue, rules
from health.measurements.catalogue import MeasurementType
from health.measurements.selectors import TOKYO, Point

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
GOAL_FILL = "#d8f0dc"
GOAL_FILL2 = "#c4e6cb"  # the diastolic band, a shade darker where the two overlap
LINE = "#1f5fa8"
LINE2 = "#6b4aa0"
FLAG = "#c0262d"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2 or 5 × a power of ten apart)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    v = first
    while v <= high + step * 0.5:
        ticks.append(round(v, 6))
        v += step
    return ticks


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def chart_svg(
    *,
    mtype: MeasurementType,
    points: list[Point],
    period: str,
    start: datetime.date,
    end: datetime.date,
    goal: rules.Goal | None,
    title: str,
) -> SafeString:
    t0 = datetime.datetime.combine(start, datetime.time.min, tzinfo=TOKYO)
    t1 = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TOKYO)
    span = (t1 - t0).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    values: list[float] = []
    for p in points:
        values += [float(v) for v in (p.value, p.value2, p.low, p.high) if v is not None]
    if goal is not None:
        values += [float(v) for v in (goal.low, goal.high, goal.low2, goal.high2) if v is not None]
    if mtype.key == catalogue.TEMPERATURE:
        values += [float(catalogue.FEVER_FROM), 36.0]
    if not values:
        values = [float(mtype.low), float(mtype.high)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.1 or max(abs(hi) * 0.05, 1)
    ticks = nice_ticks(lo - pad, hi + pad)
    y_lo, y_hi = ticks[0], ticks[-1]

    def x(at: datetime.datetime) -> float:
        return LEFT + plot_w * max(0.0, min(1.0, (at - t0).total_seconds() / span))

    def y(v) -> float:
        return TOP + plot_h * (1 - (float(v) - y_lo) / (y_hi - y_lo))

    out: list[str] = []
    add = out.append
    add(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'
    )
    add(f'<title id="chart-title">{escape(title)}</title>')
    add(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#888"/>')
    # goal bands (systolic, then diastolic), clipped to the plot
    if goal is not None:
        for g_lo, g_hi, fill in ((goal.low, goal.high, GOAL_FILL), (goal.low2, goal.high2, GOAL_FILL2)):
            if g_lo is None and g_hi is None:
                continue
            top = y(g_hi) if g_hi is not None else TOP
            bottom = y(g_lo) if g_lo is not None else TOP + plot_h
            top, bottom = max(TOP, top), min(TOP + plot_h, bottom)
            add(
                f'<rect class="goal-band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
                f'height="{max(0.0, bottom - top):.1f}" fill="{fill}" fill-opacity="0.8"/>'
            )
    # y grid and labels
    for tv in ticks:
        yy = y(tv)
        add(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
        add(f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" font-size="12" text-anchor="end">{_fmt(tv)}</text>')
    if mtype.key == catalogue.TEMPERATURE:
        fy = y(catalogue.FEVER_FROM)
        add(
            f'<line class="fever-line" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{fy:.1f}" y2="{fy:.1f}" '
            f'stroke="{FLAG}" stroke-dasharray="6 4"/>'
        )
        add(
            f'<text x="{LEFT + plot_w - 4}" y="{fy - 4:.1f}" font-size="12" text-anchor="end" fill="{FLAG}">'
            f"{escape(_('Fever (37.5 ℃ or more)'))}</text>"
        )
    # x labels: days for a week, every 5th day for a month, months for a year
    day = start
    while day <= end:
        label = None
        if period == "week" or (period == "month" and (day - start).days % 5 == 0):
            label = f"{day.month}/{day.day}"
        elif period == "year" and day.day == 1:
            label = f"{day.year}/{day.month}" if day.month == 1 else date_format(day, "M")
        if label:
            xx = x(datetime.datetime.combine(day, datetime.time.min, tzinfo=TOKYO))
            add(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#888"/>')
            add(
                f'<text x="{xx:.1f}" y="{TOP + plot_h + 18}" font-size="12" text-anchor="middle">{escape(label)}</text>'
            )
        day += datetime.timedelta(days=1)
    # axis titles
    add(
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" font-size="13" text-anchor="middle">'
        f"{escape(_('Date'))}</text>"
    )
    add(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" font-size="13" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})">{escape(mtype.label)} ({escape(mtype.unit)})</text>'
    )
    # series
    for attr, colour in (("value", LINE), ("value2", LINE2)):
        coords = [(x(p.at), y(getattr(p, attr))) for p in points if getattr(p, attr) is not None]
        if len(coords) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
            add(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for p in points:
        xx = x(p.at)
        if p.low is not None and p.high is not None and p.count > 1:
            add(
                f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{y(p.high):.1f}" y2="{y(p.low):.1f}" '
                f'stroke="{LINE}" stroke-opacity="0.4" stroke-width="3"/>'
            )
        for v, colour in ((p.value, LINE), (p.value2, LINE2)):
            if v is None:
                continue
            yy = y(v)
            if p.fever or p.off_goal:
                add(
                    f'<path class="flagged" d="M{xx:.1f} {yy - 7:.1f} L{xx + 7:.1f} {yy:.1f} L{xx:.1f} {yy + 7:.1f} '
                    f'L{xx - 7:.1f} {yy:.1f} Z" fill="{FLAG}"/>'
                )
            else:
                add(f'<circle cx="{xx:.1f}" cy="{yy:.1f}" r="3.5" fill="{colour}"/>')
    if not points:
        add(
            f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h / 2:.0f}" font-size="14" text-anchor="middle">'
            f"{escape(_('No measurements in this period.'))}</text>"
        )
    add("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped; numbers are formatted
