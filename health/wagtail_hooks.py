"""The health admin in Wagtail, for the 健康 group: aggregate statistics and the town's tables
(vaccination schedule, growth references), never a person's record."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from health.records.admin import StatisticsView, may_see_statistics


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_statistics(request.user)


@hooks.register("register_admin_urls")
def register_health_statistics_url():
    return [path("health/statistics/", StatisticsView.as_view(), name="health_statistics")]


@hooks.register("register_admin_menu_item")
def register_health_statistics_menu_item():
    return StatisticsMenuItem(_("Health log statistics"), reverse("health_statistics"), icon_name="table", order=600)


@hooks.register("register_admin_viewset")
def register_mother_child_viewsets():
    """The vaccination schedule and growth reference tables (health.child.staff)."""
    from health.child.staff import MotherChildAdminGroup

    return MotherChildAdminGroup()
