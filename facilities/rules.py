"""The booking rules of a facility, as pure functions of dates and settings (no database writes).

All times are in the town's time zone (Asia/Tokyo).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import accumulate

import jpholiday
from django.utils import timezone

from facilities.models import Facility, Fee

#: First-come booking for a month opens at this hour on its opening day (毎月1日 午前9時).
WINDOW_OPENS_AT = time(9, 0)


def local(dt_date: date, at: time = time(0)) -> datetime:
    return datetime.combine(dt_date, at, tzinfo=timezone.get_default_timezone())


def is_holiday(day: date) -> bool:
    """Saturdays, Sundays and Japanese public holidays (including substitute holidays) are holidays."""
    return day.weekday() >= 5 or jpholiday.is_holiday(day)


def day_type(day: date) -> str:
    return Fee.DayType.HOLIDAY if is_holiday(day) else Fee.DayType.WEEKDAY


def first_of_month(day: date, months_before: int = 0) -> date:
    index = day.year * 12 + (day.month - 1) - months_before
    return date(index // 12, index % 12 + 1, 1)


def window_opens(facility: Facility, day: date) -> datetime:
    """First-come booking for ``day`` opens at 9:00 on the 1st of the month N months before it."""
    return local(first_of_month(day, facility.first_come_opens_months_before), WINDOW_OPENS_AT)


def window_closes(facility: Facility, day: date, slot_start: datetime) -> datetime:
    """Online booking closes at midnight N days before the day of use (0 = when the slot starts)."""
    if facility.booking_closes_days_before == 0:
        return slot_start
    return local(day - timedelta(days=facility.booking_closes_days_before - 1))


def cancel_deadline(facility: Facility, day: date, slot_start: datetime) -> datetime:
    """Residents may cancel online until the end of the day N days before the day of use.

    With N = 3, a booking for the 10th can be cancelled until 23:59 on the 7th. With N = 0,
    until the slot starts. After the deadline only staff can cancel.
    """
    if facility.cancel_days_before == 0:
        return slot_start
    return local(day - timedelta(days=facility.cancel_days_before - 1))


def month_days(month: date) -> list[date]:
    first = first_of_month(month)
    following = first_of_month(first + timedelta(days=32))
    return [first + timedelta(days=i) for i in range((following - first).days)]


class BusyTimes:
    """The held intervals of each space, sorted once, so "is this slot taken?" costs O(log n).

    A month calendar asks the question for every frame of every day; scanning every booking of
    the month for each slot made the page slow down as the month filled (slots × bookings). Here
    the intervals of a space are sorted by start with the running maximum of their ends: the slot
    ``[start, end)`` is taken when, among the intervals that start before ``end``, the latest end
    lies after ``start``. Correct even for overlapping intervals (which the database refuses).
    """

    def __init__(self, intervals: Iterable[tuple[Hashable, datetime, datetime]] = ()) -> None:
        by_space: dict[Hashable, list[tuple[datetime, datetime]]] = defaultdict(list)
        for space, start, end in intervals:
            by_space[space].append((start, end))
        self._starts: dict[Hashable, list[datetime]] = {}
        self._reach: dict[Hashable, list[datetime]] = {}
        for space, items in by_space.items():
            items.sort()
            self._starts[space] = [start for start, _ in items]
            self._reach[space] = list(accumulate((end for _, end in items), max))

    def overlaps(self, spaces: Iterable[Hashable], start: datetime, end: datetime) -> bool:
        """Whether any of ``spaces`` is held for part of ``start``–``end``."""
        for space in spaces:
            starts = self._starts.get(space)
            if starts:
                i = bisect_left(starts, end) - 1
                if i >= 0 and self._reach[space][i] > start:
                    return True
        return False

    def __iter__(self) -> Iterator[tuple[Hashable, int]]:
        """(space, number of intervals) pairs, for reports and tests."""
        return ((space, len(starts)) for space, starts in self._starts.items())
