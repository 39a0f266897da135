"""The pure penalty rules: points in a rolling window, the rule table, suspension lengths, late cancellations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from facilities.penalties import rules
from facilities.penalties.rules import Event, SuspensionRule

KANAZAWA = rules.parse_rules("2/365/6")
FUJIMINO = rules.parse_rules("3/30/2")
BOTH = rules.parse_rules("2/365/6, 3/30/2")


def ev(*items: tuple[str, str]) -> list[Event]:
    return [Event(date.fromisoformat(day), D(points)) for day, points in items]


@pytest.mark.parametrize(
    "table, events, today, expected",
    [
        # Kanazawa: 1 no-show + 0.5 late cancellation is not enough; a second no-show is.
        (KANAZAWA, [("2026-03-01", "1"), ("2026-05-01", "0.5")], "2026-05-01", None),
        (
            KANAZAWA,
            [("2026-03-01", "1"), ("2026-05-01", "0.5"), ("2026-06-01", "0.5")],
            "2026-06-01",
            ("2026-06-01", "2026-11-30"),
        ),
        # Points older than the window (365 days including today) drop out.
        (KANAZAWA, [("2025-06-01", "1"), ("2026-06-01", "1")], "2026-06-01", None),
        (KANAZAWA, [("2025-06-02", "1"), ("2026-06-01", "1")], "2026-06-01", ("2026-06-01", "2026-11-30")),
        # Fujimino across a month boundary: 25 Jan, 3 Feb, 10 Feb are in one 30-day window.
        (
            FUJIMINO,
            [("2027-01-25", "1"), ("2027-02-03", "1"), ("2027-02-10", "1")],
            "2027-02-10",
            ("2027-02-10", "2027-04-09"),
        ),
        # ... but 5 Jan is 37 days before 10 Feb: out of the window.
        (FUJIMINO, [("2027-01-05", "1"), ("2027-02-03", "1"), ("2027-02-10", "1")], "2027-02-10", None),
        # The window is rolling, not the calendar month: 31 Jan + 1 Feb + 2 Feb count together.
        (
            FUJIMINO,
            [("2027-01-31", "1"), ("2027-02-01", "1"), ("2027-02-02", "1")],
            "2027-02-02",
            ("2027-02-02", "2027-04-01"),
        ),
        # A suspension starting on 31 Dec ends on the last day before 28 Feb (months are calendar months).
        (FUJIMINO, [("2026-12-30", "1"), ("2026-12-31", "2")], "2026-12-31", ("2026-12-31", "2027-02-27")),
        # Both rules match: the longer suspension wins.
        (
            BOTH,
            [("2027-01-25", "1"), ("2027-02-03", "1"), ("2027-02-10", "1")],
            "2027-02-10",
            ("2027-02-10", "2027-08-09"),
        ),
        # Events after today are not counted yet.
        (KANAZAWA, [("2026-06-01", "1"), ("2026-06-02", "1")], "2026-06-01", None),
        # No rules: never suspended.
        ((), [("2026-06-01", "9")], "2026-06-01", None),
    ],
)
def test_suspension_table(table, events, today, expected):
    decision = rules.suspension_for(ev(*events), table, date.fromisoformat(today))
    if expected is None:
        assert decision is None
    else:
        assert (decision.starts_on.isoformat(), decision.ends_on.isoformat()) == expected


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("2/365/6", (SuspensionRule(D(2), 365, 6),)),
        (" 2/365/6 , 3/30/2 ", (SuspensionRule(D(2), 365, 6), SuspensionRule(D(3), 30, 2))),
        ("1.5/90/1", (SuspensionRule(D("1.5"), 90, 1),)),
        ("", ()),
    ],
)
def test_parse_rules(text, parsed):
    assert rules.parse_rules(text) == parsed


@pytest.mark.parametrize("text", ["2/365", "x/1/1", "2/0/6", "0/30/1", "2/30/1.5", "-1/30/1"])
def test_parse_rules_refuses_what_it_cannot_read(text):
    with pytest.raises(rules.RuleSyntaxError):
        rules.parse_rules(text)


@pytest.mark.parametrize(
    "use, cancelled, days, late",
    [
        ("2026-12-10", "2026-12-03", 7, False),  # 7 days before: in time
        ("2026-12-10", "2026-12-04", 7, True),  # 6 days before: late
        ("2026-12-10", "2026-12-10", 7, True),  # on the day
        ("2027-01-02", "2026-12-27", 7, True),  # across the year's end
        ("2026-12-10", "2026-12-10", 0, False),  # 0: never late
    ],
)
def test_late_cancellation(use, cancelled, days, late):
    assert rules.is_late_cancellation(date.fromisoformat(use), date.fromisoformat(cancelled), days) is late


def test_marking_is_allowed_from_the_start_of_the_slot():
    start = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert not rules.can_mark(start, start - timedelta(seconds=1))
    assert rules.can_mark(start, start)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
