"""How a slot's day and time read on every page and in every mail: once, in the reader's format.

A frame's label is a name (午前, 夜間) or, for hourly units, its own time ("9:00–10:00"). The time
is always shown from the frame's start and end in the language's TIME_FORMAT, so a label that is
itself a time is left out: "9:00–10:00", never "9:00–10:00 09:00–10:00".
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format, get_format, time_format

_TIME_IN_LABEL = re.compile(r"\d{1,2}\s*[:：時]\s*\d{0,2}")


def frame_name(label: str | None) -> str:
    """The frame's name, or "" when the label only repeats a time."""
    label = (label or "").strip()
    return "" if _TIME_IN_LABEL.search(label) else label


def _local_time(value: time | datetime) -> time:
    if isinstance(value, datetime):
        return timezone.localtime(value).time() if timezone.is_aware(value) else value.time()
    return value


def time_range(start: time | datetime, end: time | datetime) -> str:
    """ "14:00–15:00" in the active language's TIME_FORMAT."""
    return f"{time_format(_local_time(start))}–{time_format(_local_time(end))}"


def slot_time(label: str | None, start: time | datetime, end: time | datetime) -> str:
    """ "午前 9:00–12:00", or "9:00–10:00" when the label is a time itself."""
    name = frame_name(label)
    times = time_range(start, end)
    return f"{name} {times}" if name else times


def day_text(day: date) -> str:
    """The date in the language's DATE_FORMAT, with the weekday if that format has none."""
    text = date_format(day, "DATE_FORMAT")
    if "D" not in get_format("DATE_FORMAT") and "l" not in get_format("DATE_FORMAT"):
        text = f"{date_format(day, 'D')} {text}"
    return text


def slot_when(day: date, label: str | None, start: time | datetime, end: time | datetime) -> str:
    """ "2026年12月7日(月) 14:00–15:00" / "Mon 7 Dec 2026 14:00–15:00"."""
    return f"{day_text(day)} {slot_time(label, start, end)}"
