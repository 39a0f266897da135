"""The reservations panel on the resident's page (/my/): the next three bookings, the waitlist count, links."""

from django.utils.translation import gettext_lazy as _

from facilities import selectors
from facilities.penalties import selectors as penalty_selectors
from portal.dashboard import Panel, register

PANEL_RESERVATIONS = 3


def _context(request):
    return {
        "reservations": list(selectors.upcoming_reservations(request.user)[:PANEL_RESERVATIONS]),
        "waiting": selectors.current_waitlist(request.user).count(),
        **penalty_selectors.panel_context(request.user),
    }


register(
    Panel(
        key="facilities",
        title=_("Facility reservations"),
        template="facilities/panel.html",
        order=20,
        get_context=_context,
    )
)
