"""The portal's own dashboard panels and unsubscribe topics."""

from django.utils.translation import gettext_lazy as _

from notifications.unsubscribe import Topic, register_topic
from portal import selectors, services
from portal.dashboard import Panel, register


def _household_context(request):
    return {"members": list(selectors.members_visible_to(request.user)[:10])}


register(Panel(key="profile", title=_("Your account"), template="portal/panels/profile.html", order=10))
register(
    Panel(
        key="household",
        title=_("Your household"),
        template="portal/panels/household.html",
        order=20,
        get_context=_household_context,
    )
)
register_topic(Topic(key="town_news", label=_("Town news"), unsubscribe=services.unsubscribe_town_news))
