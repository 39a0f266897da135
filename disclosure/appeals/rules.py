"""The appeal's rules, pure: no database, no clock (dates are arguments)."""

from __future__ import annotations

import calendar
from datetime import date

from disclosure.deadlines import Ordinance

#: 行政不服審査法18条1項: three months.
APPEAL_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later; the month's last day when it has no such day (1/31 + 3 → 4/30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def appeal_deadline(decided_on: date, *, ordinance: Ordinance | None = None) -> date:
    """The last day an appeal (審査請求) against a decision made on ``decided_on`` may be filed.

    行政不服審査法18条1項 with 民法140条・143条: three months counted from the day after the requester
    learned of the decision (here the decision date, the day the letter and the mail go out). The
    period ends the day before the day corresponding to that first day three months later, which is
    the decision date's corresponding day (7/1 → 10/1); when the last month has no such day, its last
    day (1/31 → 4/30, 11/30 → 2/28 or 2/29). With ``ordinance``, a last day on which the town office
    is closed moves to the next open day (地方自治法4条の2第4項).
    """
    last = add_months(decided_on, APPEAL_MONTHS)
    return ordinance.next_open_day(last) if ordinance is not None else last


def is_in_time(decided_on: date, filed_on: date, *, ordinance: Ordinance | None = None) -> bool:
    """An appeal filed on ``filed_on`` is in time when it is not after :func:`appeal_deadline`."""
    return filed_on <= appeal_deadline(decided_on, ordinance=ordinance)
