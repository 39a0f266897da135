"""The disclosure panel on /my/: the resident's requests and their due dates, and a link to file one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from disclosure import selectors
from portal.dashboard import Panel, register


def _context(request):
    return {"disclosure_requests": selectors.requests_of(request.user)[:5]}


register(
    Panel(
        key="disclosure",
        title=_("Information disclosure requests"),
        template="disclosure/panel.html",
        order=60,
        get_context=_context,
    )
)
