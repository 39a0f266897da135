from django.utils.translation import gettext_lazy as _

from notifications import selectors
from portal.dashboard import Panel, register


def _context(request):
    return {
        "mails": selectors.recent_mails_for(request.user),
        "failing": selectors.failing_addresses_for(request.user),
    }


register(
    Panel(
        key="mail", title=_("Mail from the town"), template="notifications/panel.html", order=90, get_context=_context
    )
)
