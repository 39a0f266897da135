"""The occupancy report's bar chart as SVG geometry: one bar per day, 0–100 % of bookable slots booked.

The template draws what :func:`occupancy_chart` returns; the same numbers are in the tables next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from facilities.staff.reports import OccupancyReport


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in the SVG's own units."""

    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    percent: int | None


CHART_HEIGHT = 120
CHART_TOP = 10


def day_bars(report: OccupancyReport) -> list[Bar]:
    """Vertical bars, one per day of the month, 0–100 % of bookable slots booked."""
    bars = []
    for i, row in enumerate(report.days):
        percent = row.share.percent
        height = CHART_HEIGHT * (percent or 0) / 100
        title = f"{row.day:%m/%d}: " + (f"{percent}%" if percent is not None else _("Closed"))
        bars.append(
            Bar(
                x=40 + i * 20 + 3,
                y=CHART_TOP + CHART_HEIGHT - height,
                width=14,
                height=height,
                label=str(row.day.day),
                title=title,
                percent=percent,
            )
        )
    return bars


def occupancy_chart(report: OccupancyReport) -> dict:
    """What the template needs to draw the chart: the bars, the SVG's size and the gridlines at 0–100 %."""
    days = day_bars(report)
    return {
        "day_bars": days,
        "chart_width": 40 + 20 * len(days) + 10,
        "chart_bottom": CHART_TOP + CHART_HEIGHT,
        "chart_height": CHART_TOP + CHART_HEIGHT + 40,
        "gridlines": [
            {"y": CHART_TOP + CHART_HEIGHT * (100 - p) / 100, "label": f"{p}%"} for p in (0, 25, 50, 75, 100)
        ],
    }
