"""Penalty points and suspensions as pure rules: no database, no clock (today is an argument).

A no-show costs ``FACILITIES_NO_SHOW_POINTS`` (1 by default, as in Kanazawa), a late cancellation
``FACILITIES_LATE_CANCEL_POINTS`` (0.5). The suspension rules are a small table, each row
"``points``/``window_days``/``months``": when the holder's points of the last ``window_days`` days
(today included) reach ``points``, they are suspended from today for ``months`` calendar months.
Kanazawa: ``2/365/6`` (2 points in a year → 6 months); Fujimino: ``3/30/2`` (3 points in a month →
2 months). Windows are rolling, so points on 25 January and 3 February count together.
If several rows match, the longest suspension wins.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation


class RuleSyntaxError(ValueError):
    """A points value or suspension table in the settings that cannot be read."""


@dataclass(frozen=True)
class SuspensionRule:
    points: Decimal
    window_days: int
    months: int

    def __str__(self) -> str:
        return f"{self.points.normalize()}/{self.window_days}/{self.months}"


@dataclass(frozen=True)
class Event:
    """A penalty event: the day it counts on and its points."""

    day: date
    points: Decimal


@dataclass(frozen=True)
class Decision:
    rule: SuspensionRule
    points: Decimal
    starts_on: date
    ends_on: date  # the last day of the suspension (inclusive)


def parse_points(text: str) -> Decimal:
    """``"0.5"`` → Decimal("0.5"); negative or unreadable values are refused."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise RuleSyntaxError(f"Not a number of points: {text!r}") from exc
    if not value.is_finite() or value < 0:
        raise RuleSyntaxError(f"Points must be zero or more: {text!r}")
    return value


def parse_rules(text: str) -> tuple[SuspensionRule, ...]:
    """``"2/365/6, 3/30/2"`` → two rules; an empty text means no suspensions."""
    rules = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        pieces = part.split("/")
        if len(pieces) != 3:
            raise RuleSyntaxError(f"A suspension rule is points/window_days/months: {part!r}")
        points = parse_points(pieces[0])
        try:
            window, months = int(pieces[1]), int(pieces[2])
        except ValueError as exc:
            raise RuleSyntaxError(f"Days and months must be whole numbers: {part!r}") from exc
        if points <= 0 or window < 1 or months < 1:
            raise RuleSyntaxError(f"Points, days and months must be positive: {part!r}")
        rules.append(SuspensionRule(points, window, months))
    return tuple(rules)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def points_in_window(events: Iterable[Event], today: date, window_days: int) -> Decimal:
    """The points of events in the ``window_days`` days ending today (today included; later ones ignored)."""
    first = today - timedelta(days=window_days - 1)
    return sum((e.points for e in events if first <= e.day <= today), Decimal(0))


def suspension_for(events: Sequence[Event], rules: Sequence[SuspensionRule], today: date) -> Decision | None:
    """The suspension the events call for today, or None. The longest one if several rules match."""
    best: Decision | None = None
    for rule in rules:
        points = points_in_window(events, today, rule.window_days)
        if points >= rule.points:
            ends_on = add_months(today, rule.months) - timedelta(days=1)
            if best is None or ends_on > best.ends_on:
                best = Decision(rule=rule, points=points, starts_on=today, ends_on=ends_on)
    return best


def is_late_cancellation(day_of_use: date, cancelled_on: date, late_days: int) -> bool:
    """A cancellation fewer than ``late_days`` days before the day of use is late (0 = never late).

    With 7: for use on the 10th, cancelling on the 3rd is in time, on the 4th or later is late.
    This counts the same way as the facility's online cancellation deadline (``cancel_days_before``).
    """
    return late_days > 0 and (day_of_use - cancelled_on).days < late_days


def can_mark(slot_start: datetime, now: datetime) -> bool:
    """Use or no-show is marked at or after the slot's start, never before."""
    return now >= slot_start


def is_active(starts_on: date, ends_on: date, lifted: bool, today: date) -> bool:
    """A suspension applies from its first to its last day, unless staff lifted it."""
    return not lifted and starts_on <= today <= ends_on
