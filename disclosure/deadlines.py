"""The deadline engine of disclosure requests: pure rules, no database, no clock.

Everything it needs is an argument: the ordinance's rules (:class:`Ordinance`), the date the request
was received, the pauses for a correction (補正), the extensions, and — when a page wants "days
left" — today's date. It answers the due date *and* how it was computed, step by step
(:attr:`Deadline.steps`), so staff and the requester see the same explanation.

The rules, as most Japanese disclosure ordinances word them (情報公開条例):

- The town decides within ``days_to_decide`` days (15 by default) of receiving the request.
  Day 1 is the day after receipt (初日不算入, the default) or the day of receipt.
- Days are calendar days (the default) or the town's open days (``business_days``).
- Closed days: Saturdays and Sundays, national holidays (``jpholiday``, substitute holidays
  included), the year-end closure 12/29–1/3, and any day the town closes (``extra_closed_days``).
- When the last day is a closed day, the deadline moves to the next open day (``roll_forward``).
- A correction (補正) stops the clock: the days from the day after the town asked until the day
  the answer arrived are not counted. A correction still unanswered leaves no due date: the
  clock is stopped.
- 延長: the period is extended by up to ``max_extension_days`` (30) days, once or in parts.
- 特例延長: a substantial part is decided within ``days_to_decide + max_extension_days`` (45)
  days; the rest by a date the town sets and states.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import jpholiday
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext as _

DAY = timedelta(days=1)


class DayOne(StrEnum):
    NEXT_DAY = "next_day"  # 初日不算入: the day after receipt is day 1
    RECEIPT = "receipt"  # the day of receipt is day 1


@dataclass(frozen=True)
class Ordinance:
    """How one town's ordinance counts the deadline. The defaults are the common ones."""

    days_to_decide: int = 15
    day_one: DayOne = DayOne.NEXT_DAY
    business_days: bool = False
    national_holidays: bool = True
    year_end_closure: bool = True
    closed_weekdays: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday
    extra_closed_days: frozenset[date] = frozenset()
    roll_forward: bool = True
    max_extension_days: int = 30
    closed_day_names: tuple[tuple[date, str], ...] = ()  # what the town calls its extra closed days

    def with_closed_days(self, days: Iterable[date] | Mapping[date, str]) -> Ordinance:
        """The same rules with the town's extra closed days (e.g. from the database) added, named or not."""
        names = tuple(days.items()) if isinstance(days, Mapping) else ()
        return Ordinance(
            **{
                **self.__dict__,
                "extra_closed_days": frozenset(self.extra_closed_days) | set(days),
                "closed_day_names": self.closed_day_names + names,
            }
        )

    # --- The calendar -------------------------------------------------------------------
    def closed_reason(self, day: date) -> str | None:
        """Why the town is closed on ``day`` (a sentence for the explanation), or ``None`` when open."""
        if day in self.extra_closed_days:
            return dict(self.closed_day_names).get(day) or _("a day the town office is closed")
        if self.year_end_closure and ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)):
            return _("the year-end closure (29 December to 3 January)")
        if self.national_holidays:
            name = jpholiday.is_holiday_name(day)
            if name:
                return name
        if day.weekday() in self.closed_weekdays:
            return _("Saturday") if day.weekday() == 5 else _("Sunday") if day.weekday() == 6 else _("a closed weekday")
        return None

    def is_open(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def next_open_day(self, day: date) -> date:
        """``day`` itself when open, else the first open day after it."""
        for _i in range(60):  # the longest closure (year end + weekends + extra days) is far shorter
            if self.is_open(day):
                return day
            day += DAY
        raise ValueError("no open day within 60 days")


@dataclass(frozen=True)
class Pause:
    """A correction (補正): asked on ``start``, answered on ``end`` (``None`` while unanswered)."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Extension:
    """An extension of ``days`` days (延長), or a special extension (特例延長) with the date for the rest."""

    days: int = 0
    special: bool = False
    remainder_due: date | None = None
    reason: str = ""


class StepKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    PAUSE_OPEN = "pause_open"
    EXTENSION = "extension"
    SPECIAL = "special"
    ROLL = "roll"


@dataclass(frozen=True)
class Step:
    """One line of the explanation. ``date`` is the last day after this step (``None`` while stopped)."""

    kind: StepKind
    date: date | None
    days: int = 0
    start: date | None = None
    end: date | None = None
    reason: str = ""

    @property
    def text(self) -> str:
        """The step as a sentence in the active language (Japanese on the site)."""
        fmt = _date_text
        if self.kind == StepKind.START:
            return _("Received; day 1 is %(start)s. %(days)s days to decide → the last day is %(date)s.") % {
                "start": fmt(self.start),
                "days": self.days,
                "date": fmt(self.date),
            }
        if self.kind == StepKind.PAUSE:
            return _(
                "Correction asked on %(start)s, answered on %(end)s: the clock stopped, %(days)s days added → %(date)s."
            ) % {"start": fmt(self.start), "end": fmt(self.end), "days": self.days, "date": fmt(self.date)}
        if self.kind == StepKind.PAUSE_OPEN:
            return _(
                "Correction asked on %(start)s and not answered yet: the clock is stopped; %(days)s days remain."
            ) % {"start": fmt(self.start), "days": self.days}
        if self.kind == StepKind.EXTENSION:
            return _("Extended by %(days)s days (%(reason)s) → %(date)s.") % {
                "days": self.days,
                "reason": self.reason or "-",
                "date": fmt(self.date),
            }
        if self.kind == StepKind.SPECIAL:
            return _("Special extension (%(reason)s): a substantial part by %(date)s, the rest by %(end)s.") % {
                "reason": self.reason or "-",
                "date": fmt(self.date),
                "end": fmt(self.end),
            }
        return _("%(start)s is a closed day (%(reason)s): the deadline moves to the next open day, %(date)s.") % {
            "start": fmt(self.start),
            "reason": self.reason,
            "date": fmt(self.date),
        }


def _date_text(day: date | None) -> str:
    if day is None:
        return "-"
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    # English reads "Tue 8 Dec. 2026"; Japanese「2026年12月8日（火）」(Django's month names are 1月 … 12月).
    return _("%(weekday)s %(day)s %(month_name)s %(year)s") % {
        "year": day.year,
        "month_name": MONTHS_AP[day.month],
        "day": day.day,
        "weekday": weekdays[day.weekday()],
    }


@dataclass(frozen=True)
class Deadline:
    """The answer: the due date (``None`` while the clock is stopped) and the steps that led to it."""

    due: date | None
    steps: list[Step] = field(default_factory=list)
    stopped: bool = False
    day_one: date | None = None
    remainder_due: date | None = None  # 特例延長: the date for the rest
    days_left: int | None = None  # with ``today``: counted days from today to the due date
    overdue: bool = False

    @property
    def explanation(self) -> list[str]:
        return [step.text for step in self.steps]


# --- The computation ---------------------------------------------------------------------
def _day_one(received: date, ordinance: Ordinance) -> date:
    first = received if ordinance.day_one == DayOne.RECEIPT else received + DAY
    return ordinance.next_open_day(first) if ordinance.business_days else first


def _counts(day: date, ordinance: Ordinance) -> bool:
    return not ordinance.business_days or ordinance.is_open(day)


def _walk(first: date, period: int, pauses: Sequence[Pause], ordinance: Ordinance) -> tuple[date, list[int]]:
    """The ``period``-th counted day from ``first``, skipping paused days; and the days each pause added.

    A pause asked on ``start`` and answered on ``end`` stops the days ``start + 1`` … ``end``.
    Pauses must be closed (``end`` set).
    """
    added = [0] * len(pauses)
    day = first - DAY
    counted = 0
    while counted < period:
        day += DAY
        if not _counts(day, ordinance):
            continue
        paused = next((i for i, p in enumerate(pauses) if p.start < day <= p.end), None)  # type: ignore[operator]
        if paused is not None:
            added[paused] += 1
            continue
        counted += 1
    return day, added


def _used_before(first: date, stop: date, ordinance: Ordinance, pauses: Sequence[Pause]) -> int:
    """How many counted days were used from ``first`` to ``stop`` (inclusive), outside earlier pauses."""
    used = 0
    day = first
    while day <= stop:
        if _counts(day, ordinance) and not any(p.start < day <= p.end for p in pauses):  # type: ignore[operator]
            used += 1
        day += DAY
    return used


def compute(
    received: date,
    *,
    ordinance: Ordinance = Ordinance(),
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Extension] = (),
    today: date | None = None,
) -> Deadline:
    """The due date of a request received on ``received`` and how it was reached (see the module's rules)."""
    for ext in extensions:
        if ext.days < 0 or ext.days > ordinance.max_extension_days:
            raise ValueError(f"extension of {ext.days} days is outside 0..{ordinance.max_extension_days}")
    if sum(e.days for e in extensions if not e.special) > ordinance.max_extension_days:
        raise ValueError("extensions add up to more than the ordinance allows")
    pauses = sorted(pauses, key=lambda p: p.start)
    first = _day_one(received, ordinance)
    period = ordinance.days_to_decide
    base, _added = _walk(first, period, [], ordinance)
    steps = [Step(StepKind.START, base, days=period, start=first)]

    closed: list[Pause] = []
    for pause in pauses:
        if pause.end is None:
            used = _used_before(first, pause.start, ordinance, closed)
            left = max(period + sum(e.days for e in extensions if not e.special) - used, 0)
            steps.append(Step(StepKind.PAUSE_OPEN, None, days=left, start=pause.start))
            return Deadline(due=None, steps=steps, stopped=True, day_one=first)
        closed.append(pause)
        end, added = _walk(first, period, closed, ordinance)
        if added[-1] == 0 and pause.start >= end:
            continue  # a pause after the last day changes nothing; it is not listed
        steps.append(Step(StepKind.PAUSE, end, days=added[-1], start=pause.start, end=pause.end))

    remainder_due = None
    for ext in extensions:
        if ext.special:
            period = ordinance.days_to_decide + ordinance.max_extension_days
            end, _added = _walk(first, period, closed, ordinance)
            remainder_due = ext.remainder_due
            steps.append(Step(StepKind.SPECIAL, end, days=period, end=ext.remainder_due, reason=ext.reason))
        else:
            period += ext.days
            end, _added = _walk(first, period, closed, ordinance)
            steps.append(Step(StepKind.EXTENSION, end, days=ext.days, reason=ext.reason))

    due, _added = _walk(first, period, closed, ordinance)
    if ordinance.roll_forward and not ordinance.is_open(due):
        moved = ordinance.next_open_day(due)
        reasons: list[str] = []
        day = due
        while day < moved:  # every closed day skipped, named once (土曜日、日曜日、海の日)
            reason = ordinance.closed_reason(day) or ""
            if reason not in reasons:
                reasons.append(reason)
            day += DAY
        steps.append(Step(StepKind.ROLL, moved, start=due, reason=_(", ").join(reasons)))
        due = moved

    days_left = None
    overdue = False
    if today is not None:
        days_left = (due - today).days
        overdue = today > due
    return Deadline(
        due=due,
        steps=steps,
        day_one=first,
        remainder_due=remainder_due,
        days_left=days_left,
        overdue=overdue,
    )


def business_days_before(due: date, n: int, ordinance: Ordinance) -> date:
    """The open day ``n`` open days before ``due`` (when staff are warned)."""
    day = due
    left = n
    while left > 0:
        day -= DAY
        if ordinance.is_open(day):
            left -= 1
    return day
