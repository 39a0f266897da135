"""The safety-mail panel on /my/: the latest touch of each child or watched person, and new broadcasts.

"New" broadcasts are those received since the resident last opened /my/safety/broadcasts/, on
any device, or in the last 7 days if they never did (``selectors.unread_by``).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.dashboard import Panel, register
from safety import selectors


def _context(request):
    family = [item for item in selectors.family_overview(request.user) if item.enrolled]
    new = selectors.unread_by(request.user)
    return {"family": family, "new_broadcasts": selectors.shown_in(new[:3], get_language()), "new_count": len(new)}


register(
    Panel(
        key="safety",
        title=_("Safety mail"),
        template="safety/panel.html",
        order=40,
        get_context=_context,
    )
)
