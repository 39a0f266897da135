"""The deadline engine (disclosure.deadlines): a table of requests and the due dates a clerk would count
by hand with a calendar — holidays, Golden Week, the year-end closure, corrections and extensions."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from disclosure.deadlines import DayOne, Extension, Ordinance, Pause, StepKind, business_days_before, compute

D = date
CAL = Ordinance()
BIZ = Ordinance(business_days=True)

CASES = [
    # id, received, ordinance, pauses, extensions, due, step kinds
    ("plain weekday", D(2026, 7, 1), CAL, [], [], D(2026, 7, 16), ["start"]),
    ("last day Saturday, then 海の日", D(2026, 7, 3), CAL, [], [], D(2026, 7, 21), ["start", "roll"]),
    (
        "day 1 is the day of receipt",
        D(2026, 7, 1),
        Ordinance(day_one=DayOne.RECEIPT),
        [],
        [],
        D(2026, 7, 15),
        ["start"],
    ),
    ("ends on 5/1 before Golden Week", D(2026, 4, 16), CAL, [], [], D(2026, 5, 1), ["start"]),
    ("ends in Golden Week", D(2026, 4, 19), CAL, [], [], D(2026, 5, 7), ["start", "roll"]),
    ("ends in the year-end closure", D(2026, 12, 14), CAL, [], [], D(2027, 1, 4), ["start", "roll"]),
    ("ends on 1/2", D(2026, 12, 18), CAL, [], [], D(2027, 1, 4), ["start", "roll"]),
    ("counts through the closure", D(2026, 12, 20), CAL, [], [], D(2027, 1, 4), ["start"]),
    ("new year, ends after 成人の日", D(2026, 12, 28), CAL, [], [], D(2027, 1, 12), ["start"]),
    ("business days across the year end", D(2026, 12, 25), BIZ, [], [], D(2027, 1, 22), ["start"]),
    ("business days across Golden Week", D(2026, 4, 24), BIZ, [], [], D(2026, 5, 21), ["start"]),
    ("received on a holiday", D(2026, 5, 3), CAL, [], [], D(2026, 5, 18), ["start"]),
    ("received on a holiday, business days", D(2026, 5, 3), BIZ, [], [], D(2026, 5, 27), ["start"]),
    (
        "a correction adds 4 days",
        D(2026, 7, 1),
        CAL,
        [Pause(D(2026, 7, 6), D(2026, 7, 10))],
        [],
        D(2026, 7, 21),
        ["start", "pause", "roll"],
    ),
    (
        "a correction across Silver Week",
        D(2026, 9, 1),
        CAL,
        [Pause(D(2026, 9, 10), D(2026, 9, 24))],
        [],
        D(2026, 9, 30),
        ["start", "pause"],
    ),
    (
        "a correction across Silver Week, business days",
        D(2026, 9, 1),
        BIZ,
        [Pause(D(2026, 9, 10), D(2026, 9, 24))],
        [],
        D(2026, 10, 6),
        ["start", "pause"],
    ),
    (
        "a correction asked on the day of receipt",
        D(2026, 7, 1),
        CAL,
        [Pause(D(2026, 7, 1), D(2026, 7, 3))],
        [],
        D(2026, 7, 21),
        ["start", "pause", "roll"],
    ),
    (
        "two corrections",
        D(2026, 7, 1),
        CAL,
        [Pause(D(2026, 7, 8), D(2026, 7, 9)), Pause(D(2026, 7, 3), D(2026, 7, 5))],
        [],
        D(2026, 7, 21),
        ["start", "pause", "pause", "roll"],
    ),
    (
        "extended by 30 days",
        D(2026, 7, 1),
        CAL,
        [],
        [Extension(30, reason="大量")],
        D(2026, 8, 17),
        ["start", "extension", "roll"],
    ),
    (
        "a correction, then extended",
        D(2026, 7, 1),
        CAL,
        [Pause(D(2026, 7, 6), D(2026, 7, 10))],
        [Extension(30)],
        D(2026, 8, 19),
        ["start", "pause", "extension"],
    ),
    (
        "extended in two parts",
        D(2026, 7, 1),
        CAL,
        [],
        [Extension(10), Extension(20)],
        D(2026, 8, 17),
        ["start", "extension", "extension", "roll"],
    ),
    (
        "special extension",
        D(2026, 7, 1),
        CAL,
        [],
        [Extension(special=True, remainder_due=D(2026, 10, 30))],
        D(2026, 8, 17),
        ["start", "special", "roll"],
    ),
    (
        "a day the town closes",
        D(2026, 7, 1),
        Ordinance(extra_closed_days=frozenset({D(2026, 7, 16)})),
        [],
        [],
        D(2026, 7, 17),
        ["start", "roll"],
    ),
    ("business days", D(2026, 7, 1), BIZ, [], [], D(2026, 7, 23), ["start"]),
    (
        "business days and a day the town closes",
        D(2026, 7, 1),
        BIZ.with_closed_days([D(2026, 7, 14)]),
        [],
        [],
        D(2026, 7, 24),
        ["start"],
    ),
    (
        "no moving when the ordinance says so",
        D(2026, 7, 3),
        Ordinance(roll_forward=False),
        [],
        [],
        D(2026, 7, 18),
        ["start"],
    ),
    ("30 days to decide", D(2026, 7, 1), Ordinance(days_to_decide=30), [], [], D(2026, 7, 31), ["start"]),
]


@pytest.mark.parametrize(
    ("received", "ordinance", "pauses", "extensions", "due", "kinds"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_due_date(received, ordinance, pauses, extensions, due, kinds):
    deadline = compute(received, ordinance=ordinance, pauses=pauses, extensions=extensions)
    assert deadline.due == due
    assert [step.kind.value for step in deadline.steps] == kinds
    assert deadline.steps[-1].date == due
    assert len(deadline.explanation) == len(kinds)


def test_each_step_says_what_it_added():
    deadline = compute(D(2026, 7, 1), pauses=[Pause(D(2026, 7, 6), D(2026, 7, 10))])
    start, pause, roll = deadline.steps
    assert (start.start, start.date, start.days) == (D(2026, 7, 2), D(2026, 7, 16), 15)
    assert (pause.days, pause.date) == (4, D(2026, 7, 20))
    assert (roll.start, roll.reason, roll.date) == (D(2026, 7, 20), "海の日", D(2026, 7, 21))
    year_end = compute(D(2026, 12, 14)).steps[-1]
    assert year_end.start == D(2026, 12, 29) and year_end.date == D(2027, 1, 4)


def test_an_unanswered_correction_stops_the_clock():
    deadline = compute(D(2026, 7, 1), pauses=[Pause(D(2026, 7, 6))], today=D(2026, 8, 30))
    assert deadline.due is None and deadline.stopped and not deadline.overdue
    assert deadline.steps[-1].kind == StepKind.PAUSE_OPEN
    assert deadline.steps[-1].days == 10  # 7/2–7/6 used, 10 of 15 left


def test_special_extension_keeps_the_date_for_the_rest():
    deadline = compute(D(2026, 7, 1), extensions=[Extension(special=True, remainder_due=D(2026, 10, 30))])
    assert deadline.remainder_due == D(2026, 10, 30)


@pytest.mark.parametrize("extensions", [[Extension(31)], [Extension(20), Extension(11)], [Extension(-1)]])
def test_extensions_beyond_the_ordinance_are_refused(extensions):
    with pytest.raises(ValueError):
        compute(D(2026, 7, 1), extensions=extensions)


def test_days_left_and_overdue_depend_on_today_only():
    assert compute(D(2026, 7, 1), today=D(2026, 7, 14)).days_left == 2
    late = compute(D(2026, 7, 1), today=D(2026, 7, 17))
    assert late.overdue and late.days_left == -1


def test_closed_day_reasons_and_warning_day():
    assert CAL.closed_reason(D(2026, 5, 6)) == "憲法記念日 振替休日"
    assert CAL.closed_reason(D(2026, 7, 15)) is None
    assert CAL.with_closed_days({D(2026, 7, 15): "庁舎停電"}).closed_reason(D(2026, 7, 15)) == "庁舎停電"
    with translation.override("ja"):
        assert CAL.closed_reason(D(2027, 1, 2)) == "年末年始の閉庁期間（12月29日〜1月3日）"
        assert compute(D(2026, 7, 3)).explanation[-1] == (
            "2026年7月18日（土）は閉庁日（土曜日、日曜日、海の日）のため、期限は翌開庁日の2026年7月21日（火）になります。"
        )
    assert business_days_before(D(2026, 5, 7), 2, CAL) == D(2026, 4, 30)
