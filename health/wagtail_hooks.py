"""The health admin in Wagtail, for the 健康 group: aggregate statistics only, never a record."""

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
