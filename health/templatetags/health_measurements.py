"""Template helpers of measurements: a reading with its unit, and the measurements part of a log page."""

from __future__ import annotations

from django import template

from health.measurements import catalogue, views_support

register = template.Library()


@register.simple_tag
def reading(m) -> str:
    """ "36.8 ℃", "128/82 mmHg", "7,532 歩" (``m``: a measurement or a chart point with ``type``)."""
    mtype = catalogue.TYPES[m.type]
    return views_support.format_reading(mtype, m.value, m.value2)


@register.inclusion_tag("health/measurements/record_part.html", takes_context=True)
def measurements_part(context, record):
    """The measurements block of a person's log page: latest reading of each type, links."""
    return {"request": context.get("request"), "record": record, **views_support.record_part(record)}
