"""The staff's audit page of a lottery draw in the Wagtail admin (read-only).

Imported from ``FacilitiesConfig.ready()``. URL name ``facilities_lottery_audit`` (argument: the
round's id), at /admin/facilities/lottery-audit/<id>/; the lottery admin links to it. Viewing
needs the ``view_lotteryround`` permission (the 施設 group has it) and is written to the staff
access log, because the page names the applicants.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from facilities.lottery_selectors import round_audit
from facilities.models import LotteryRound
from portal.audit import log_staff_access


class LotteryAuditView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Seed, order of applicants and each win of one round; ``?replay=1`` re-runs the draw and compares."""

    permission_policy = ModelPermissionPolicy(LotteryRound)
    permission_required = "view"
    header_icon = "list-ol"
    template_name = "facilities/lottery_audit.html"

    def dispatch(self, request, *args, **kwargs):
        self.round = get_object_or_404(LotteryRound.objects.select_related("facility"), pk=kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Lottery draw: %(facility)s %(month)s") % {
            "facility": self.round.facility.name,
            "month": f"{self.round.month:%Y-%m}",
        }

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.round)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_replay = self.request.GET.get("replay") == "1"
        context["audit"] = round_audit(self.round, with_replay=with_replay)
        context["round"] = self.round
        return context


@hooks.register("register_admin_urls")
def register_lottery_audit_url():
    return [
        path("facilities/lottery-audit/<int:round_id>/", LotteryAuditView.as_view(), name="facilities_lottery_audit")
    ]
