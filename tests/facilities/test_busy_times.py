"""The month calendar's "is this slot taken?" (``rules.BusyTimes``): sorted once, same answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from facilities import rules

_T0 = datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
_interval = st.tuples(st.integers(0, 3), st.integers(0, 200), st.integers(1, 40)).map(
    lambda t: (t[0], _T0 + timedelta(minutes=15 * t[1]), _T0 + timedelta(minutes=15 * (t[1] + t[2])))
)


@given(
    intervals=st.lists(_interval, max_size=40),
    spaces=st.sets(st.integers(0, 4), min_size=1, max_size=3),
    probe=_interval,
)
def test_busy_times_answers_as_checking_every_booking_would(intervals, spaces, probe):
    """Sorting once must not change a single answer, overlapping intervals included."""
    _, start, end = probe
    expected = any(space in spaces and s < end and start < e for space, s, e in intervals)
    assert rules.BusyTimes(intervals).overlaps(spaces, start, end) is expected


def test_busy_times_edges_touching_is_not_taken():
    nine, ten, eleven = (_T0.replace(hour=h) for h in (9, 10, 11))
    busy = rules.BusyTimes([("room", nine, ten)])
    assert not busy.overlaps(["room"], ten, eleven)  # the next hour is free
    assert busy.overlaps(["room"], nine, ten)
    assert busy.overlaps(["room"], _T0, eleven)  # a longer slot over the booking is taken
    assert not busy.overlaps(["hall"], nine, ten)
