"""The 健康 staff's statistics page in Wagtail (URL name ``health_statistics``): counts only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from health.records import statistics
from portal.audit import log_staff_access
from portal.staff import HEALTH


def may_see_statistics(user) -> bool:
    """Members of the 健康 staff group (and superusers) see the aggregate statistics."""
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=HEALTH).exists())


class StatisticsView(WagtailAdminTemplateMixin, TemplateView):
    """Health records by age band and district, counts under 5 hidden; each look is logged."""

    page_title = _("Health log statistics")
    header_icon = "table"
    template_name = "health/admin/statistics.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="statistics", object_type="health.HealthRecord")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = statistics.table(timezone.localdate())
        context["min_cell"] = statistics.MIN_CELL
        return context
