"""The 情報公開 menu of the Wagtail admin: disclosure requests (list, detail, actions) and closed days.

Only the 情報公開 group (and superusers) see it; the views are in :mod:`disclosure.staff`. Adding,
changing or removing a closed day recomputes the due dates of open requests (``disclosure.signals``).
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from disclosure.archive.admin_views import PublicationView
from disclosure.models import ClosedDay, Request
from disclosure.staff import (
    RequestActionView,
    RequestDetailView,
    RequestIndexView,
    RequestListPolicy,
    dashboard_panels,
    is_overdue,
)


def _overdue_text(request: Request) -> str:
    return str(_("Past the due date")) if is_overdue(request, timezone.localdate()) else ""


class RequestViewSet(ModelViewSet):
    model = Request
    icon = "doc-full"
    menu_label = _("Disclosure requests")
    url_prefix = "disclosure/requests"
    index_view_class = RequestIndexView
    inspect_view_class = RequestDetailView
    inspect_view_enabled = True
    copy_view_enabled = False
    ordering = ["due_date", "-received_on"]
    list_display = [
        TitleColumn(
            "number",
            label=_("receipt number"),
            accessor="number",
            get_url=lambda r: reverse("disclosure_requests:inspect", args=[r.pk]),
        ),
        "received_on",
        "name",
        "status",
        "due_date",
        Column("overdue", label=_("Due date status"), accessor=_overdue_text),
    ]
    list_filter = ["status"]
    search_fields = ["number", "name", "document"]
    form_fields = ["purpose"]  # required by ModelViewSet; the policy never lets anyone use a form

    @property
    def permission_policy(self):
        return RequestListPolicy(self.model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("action/<str:action>/<int:pk>/", RequestActionView.as_view(), name="action"),
            path("publication/<int:pk>/", PublicationView.as_view(), name="publication"),
        ]


class ClosedDayViewSet(ModelViewSet):
    model = ClosedDay
    icon = "date"
    menu_label = _("Office closed days")
    url_prefix = "disclosure/closed-days"
    copy_view_enabled = False
    list_display = ["date", "name"]
    form_fields = ["date", "name"]


class DisclosureViewSetGroup(ViewSetGroup):
    menu_label = _("Information disclosure")
    menu_icon = "doc-full"
    menu_order = 440
    items = (RequestViewSet("disclosure_requests"), ClosedDayViewSet("disclosure_closed_days"))


@hooks.register("register_admin_viewset")
def register_disclosure_viewsets():
    return DisclosureViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_due_soon_panel(request, panels):
    """情報公開 staff see overdue and nearly due requests on the admin's first page."""
    dashboard_panels(request, panels)
