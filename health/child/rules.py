"""Pure rules of mother and child: ages, vaccine dose windows, LMS percentiles. No database, no clock."""

from __future__ import annotations

import calendar
import datetime
import math
from dataclasses import dataclass
from statistics import NormalDist

PERCENTILES = (3, 10, 25, 50, 75, 90, 97)
# z of each percentile of the standard normal distribution (P3 = -1.8808 ...).
Z = {p: NormalDist().inv_cdf(p / 100) for p in PERCENTILES}
DAYS_PER_MONTH = 365.25 / 12  # WHO's month: 30.4375 days


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day when it has no such day (Jan 31 + 1 → Feb 28).

    This is how Japanese law counts 「生後2月に至った時」: the corresponding day of the month.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_date(birth: datetime.date, months: int, days: int = 0) -> datetime.date:
    """The day a child born on ``birth`` is ``months`` months and ``days`` days old."""
    return add_months(birth, months) + datetime.timedelta(days=days)


def age_in_days(birth: datetime.date, on: datetime.date) -> int:
    return (on - birth).days


class DoseStatus:
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Window:
    start: datetime.date  # first day the dose is due
    end: datetime.date  # first day it is overdue (the window closed the day before)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


def dose_window(birth: datetime.date, start_months: int, start_days: int, end_months: int, end_days: int) -> Window:
    return Window(start=age_date(birth, start_months, start_days), end=age_date(birth, end_months, end_days))


def after_interval(window: Window, earlier_given: datetime.date | None, months: int, days: int) -> Window:
    """The window of a dose that must wait an interval after an earlier dose: it opens no sooner than that."""
    if earlier_given is None:
        return window
    return Window(start=max(window.start, age_date(earlier_given, months, days)), end=window.end)


def dose_status(window: Window, today: datetime.date, given: bool) -> str:
    """done once given; otherwise overdue from the window's end, due inside it, upcoming before it."""
    if given:
        return DoseStatus.DONE
    if today >= window.end:
        return DoseStatus.OVERDUE
    if today >= window.start:
        return DoseStatus.DUE
    return DoseStatus.UPCOMING


def lms_value(l: float, m: float, s: float, z: float) -> float:  # noqa: E741 - the LMS method's own names
    """The measurement at z-score ``z`` of an LMS distribution (Cole 1990, as used by WHO):

    X = M (1 + L S z)^(1/L) for L ≠ 0, and X = M exp(S z) for L = 0.
    """
    if abs(l) < 1e-9:
        return m * math.exp(s * z)
    return m * (1 + l * s * z) ** (1 / l)


def lms_percentiles(l: float, m: float, s: float) -> dict[int, float]:  # noqa: E741
    """The 3rd, 10th, 25th, 50th, 75th, 90th and 97th percentiles of an LMS row."""
    return {p: lms_value(l, m, s, Z[p]) for p in PERCENTILES}


def interpolate(points: list[tuple[float, dict[int, float]]], x: float) -> dict[int, float] | None:
    """Percentiles at ``x`` by straight lines between the two nearest rows (``points`` sorted by x)."""
    if not points or x < points[0][0] or x > points[-1][0]:
        return None
    for (x0, p0), (x1, p1) in zip(points, points[1:], strict=False):
        if x0 <= x <= x1:
            t = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
            return {k: p0[k] + (p1[k] - p0[k]) * t for k in p0}
    return points[-1][1] if x == points[-1][0] else None
