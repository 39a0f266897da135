"""``{% appeal_info req as info %}``: a request's appeals and the period to appeal, for the resident's
and the staff's request pages (``disclosure/appeals/_resident.html``, ``.../admin/_panel.html``)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from disclosure import selectors
from disclosure.appeals import services
from disclosure.appeals.admin_views import STEPS
from disclosure.appeals.rules import appeal_deadline

register = template.Library()


@register.simple_tag
def appeal_info(req) -> dict:
    """The request's appeals (each with the steps staff may take next), whether it can be appealed now,
    the last day of the appeal period (``None`` before a decision) and whether that day is still to come."""
    appeals = list(req.appeals.all())
    decided = req.status in services.APPEALABLE and req.decided_on is not None
    deadline = appeal_deadline(req.decided_on, ordinance=selectors.current_ordinance()) if decided else None
    return {
        "appeals": [
            (
                appeal,
                [
                    (str(STEPS[step][1]), reverse("disclosure_appeal_step", args=[step, appeal.pk]))
                    for step in services.allowed_actions(appeal)
                ],
            )
            for appeal in appeals
        ],
        "can_appeal": decided and not any(appeal.is_open for appeal in appeals),
        "deadline": deadline,
        "period_open": deadline is not None and timezone.localdate() <= deadline,
        "file_url": reverse("disclosure_appeal_step", args=["file", req.pk]),
    }
