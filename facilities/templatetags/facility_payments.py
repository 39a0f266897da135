"""Template filters of the payment pages (facilities.payments)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def last_minute(value):
    """An exclusive deadline as the last minute before it, in the town's time (00:00 on the 15th → 23:59 the 14th)."""
    if not value:
        return value
    return timezone.localtime(value - timedelta(minutes=1))
