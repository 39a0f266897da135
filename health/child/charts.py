"""The growth chart's geometry: reference bands and the child's points, as SVG path strings (no JS)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 360, 272
LEFT, RIGHT, TOP, BOTTOM = 34, 22, 24, 36


@dataclass
class Chart:
    measure: str
    unit: str
    band_outer: str = ""  # 3rd–97th
    band_inner: str = ""  # 10th–90th
    median: str = ""  # 50th
    line: str = ""  # the child's points joined
    curve_labels: list[tuple[float, str]] = field(default_factory=list)  # (y, "97") at the right end
    points: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, label)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def build(
    measure: str, unit: str, curve: list[tuple[float, dict[int, float]]], data: list[tuple[float, float]], months: float
) -> Chart:
    """A chart of ``data`` (age in months, value) over the reference ``curve`` from birth to ``months``."""
    chart = Chart(measure=measure, unit=unit)
    curve = [(x, p) for x, p in curve if x <= months + 1e-9]
    values = [v for _x, v in data] + [p[3] for _x, p in curve] + [p[97] for _x, p in curve]
    if not values:
        return chart
    lo, hi = min(values), max(values)
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step

    def sx(x: float) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * x / months, 1)

    def sy(y: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (y - lo) / (hi - lo), 1)

    def band(low: int, high: int) -> str:
        top = [f"{sx(x)},{sy(p[high])}" for x, p in curve]
        bottom = [f"{sx(x)},{sy(p[low])}" for x, p in reversed(curve)]
        return "M" + " L".join(top + bottom) + " Z" if top else ""

    chart.band_outer = band(3, 97)
    chart.band_inner = band(10, 90)
    chart.median = "M" + " L".join(f"{sx(x)},{sy(p[50])}" for x, p in curve) if curve else ""
    if curve:
        chart.curve_labels = [(sy(curve[-1][1][p]), str(p)) for p in (3, 50, 97)]
    chart.points = [(sx(x), sy(v), f"{v:g}") for x, v in data if 0 <= x <= months]
    if len(chart.points) > 1:
        chart.line = "M" + " L".join(f"{x},{y}" for x, y, _label in chart.points)
    x_step = 3 if months <= 24 else 6 if months <= 36 else 12
    chart.x_ticks = [(sx(m), str(m)) for m in range(0, int(months) + 1, x_step)]
    ticks, value = [], lo
    while value <= hi + 1e-9:
        ticks.append((sy(value), f"{value:g}"))
        value += step
    chart.y_ticks = ticks
    return chart
