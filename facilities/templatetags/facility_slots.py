"""Template filters that show a slot's day and time once, in one format (facilities.display)."""

from __future__ import annotations

from django import template

from facilities import display

register = template.Library()


def _parts(obj):
    """(label, start, end) of a frame, a reservation or a lottery choice."""
    frame = getattr(obj, "frame", None)
    if frame is None and hasattr(obj, "label"):  # a TimeFrame itself
        return obj.label, obj.start, obj.end
    label = frame.label if frame is not None else ""
    start = getattr(obj, "start", None) or frame.start
    end = getattr(obj, "end", None) or frame.end
    return label, start, end


@register.filter
def frame_name(obj) -> str:
    """A frame's name (午前), or "" when its label is only a time."""
    return display.frame_name(_parts(obj)[0])


@register.filter
def time_range(obj) -> str:
    """The slot's start and end: "14:00–15:00"."""
    _label, start, end = _parts(obj)
    return display.time_range(start, end)


@register.filter
def slot_time(obj) -> str:
    """The frame's name, if it has one, and the times: "午前 9:00–12:00"."""
    return display.slot_time(*_parts(obj))


@register.filter
def slot_when(obj) -> str:
    """Day and time of a reservation or lottery choice: "2026年12月7日(月) 14:00–15:00"."""
    return display.slot_when(obj.date, *_parts(obj))


@register.filter
def day_text(day) -> str:
    """A date with its weekday in the reader's language."""
    return display.day_text(day) if day else ""
