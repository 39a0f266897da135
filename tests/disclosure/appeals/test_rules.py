"""The appeal period (行政不服審査法18条): three months from the day after the decision, counted as a clerk
counts it with a calendar."""

from __future__ import annotations

from datetime import date

import pytest

from disclosure.appeals.rules import add_months, appeal_deadline, is_in_time
from disclosure.ordinance import TOWN_ORDINANCE


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        (date(2026, 7, 1), date(2026, 10, 1)),  # counted from 7/2: the period ends the day before 10/2
        (date(2026, 7, 10), date(2026, 10, 10)),
        (date(2027, 1, 31), date(2027, 4, 30)),  # no 4/31: the month's last day
        (date(2026, 3, 31), date(2026, 6, 30)),
        (date(2026, 5, 31), date(2026, 8, 31)),
        (date(2026, 11, 30), date(2027, 2, 28)),  # no 2/30 in 2027
        (date(2026, 11, 28), date(2027, 2, 28)),
        (date(2027, 11, 29), date(2028, 2, 29)),  # 2028 is a leap year
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2027, 3, 31)),  # across the year
        (date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_the_period_ends_on_the_corresponding_day_three_months_later(decided, last_day):
    assert appeal_deadline(decided) == last_day
    assert is_in_time(decided, last_day) and not is_in_time(decided, date.fromordinal(last_day.toordinal() + 1))


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        (date(2026, 7, 10), date(2026, 10, 13)),  # 10/10 Saturday, 10/11 Sunday, 10/12 スポーツの日
        (date(2026, 10, 1), date(2027, 1, 4)),  # 1/1 falls in the year-end closure (12/29–1/3)
        (date(2026, 7, 1), date(2026, 10, 1)),  # an open Thursday stays
    ],
)
def test_with_the_ordinance_a_last_day_on_a_closed_day_moves_to_the_next_open_day(decided, last_day):
    assert appeal_deadline(decided, ordinance=TOWN_ORDINANCE) == last_day


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 12, 15), 13, date(2028, 1, 15))],
)
def test_add_months_clamps_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected
