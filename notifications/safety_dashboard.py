"""The safety-mail panel on /my/: the latest touch of each child or watched person, and new broadcasts.

"New" broadcasts are those received since the resident last opened /my/safety/broadcasts/ in
this browser session (kept in the session, not the database), or in the last 7 days.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications import broadcasts, safety_selectors
from notifications.safety_views import SEEN_SESSION_KEY
from portal.dashboard import Panel, register

NEW_BROADCAST_DAYS = 7


def _context(request):
    family = [item for item in safety_selectors.family_overview(request.user) if item.enrolled]
    seen = parse_datetime(request.session.get(SEEN_SESSION_KEY, "") or "")
    since = seen or timezone.now() - timedelta(days=NEW_BROADCAST_DAYS)
    new = [b for b in broadcasts.received_by(request.user)[:50] if b.sent_at and b.sent_at > since]
    return {"family": family, "new_broadcasts": broadcasts.shown_in(new[:3], get_language()), "new_count": len(new)}


register(
    Panel(
        key="safety",
        title=_("Safety mail"),
        template="notifications/safety/panel.html",
        order=40,
        get_context=_context,
    )
)
