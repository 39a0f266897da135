"""``<time datetime>`` values that HTML accepts.

Django's ``date:'c'`` is ``isoformat()``, which writes microseconds (``…:07.714336+09:00``) when
a timestamp has them; HTML allows at most three digits of a second's fraction, so the checker
rejects it. Whole seconds are plenty for a page.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    """A valid HTML date or global date and time string: ``2026-12-07T14:00:00+09:00`` or ``2026-12-07``.

    Aware times are shown in the current time zone (``{% timezone %}`` applies); anything else is "".
    """
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""
