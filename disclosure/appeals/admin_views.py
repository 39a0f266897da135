"""The appeal's staff pages in Wagtail's admin: one form per step, then the service.

Reached from a request's admin page (``disclosure/appeals/admin/_panel.html``); every look is written
to the staff access log, and only staff who may change requests get the forms.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from disclosure.appeals import forms, services
from disclosure.appeals.models import Appeal
from disclosure.errors import DisclosureError
from disclosure.models import Request
from disclosure.staff import request_permissions
from portal.audit import log_staff_access
from portal.errors import add_form_error

#: step → (form, title)
STEPS = {
    "file": (forms.FileAppealForm, gettext_lazy("Record an appeal")),
    "refer": (forms.ReferForm, gettext_lazy("Record the referral to the review council")),
    "report": (forms.ReportForm, gettext_lazy("Record the review council's report")),
    "decide": (forms.RulingForm, gettext_lazy("Record the ruling on the appeal")),
}


def _run(step: str, req: Request, appeal: Appeal | None, user, data: dict) -> None:
    if step == "file":
        services.file_appeal(request=req, by=user, **data)
    elif step == "refer":
        services.refer(appeal=appeal, by=user, referred_on=data["referred_on"])
    elif step == "report":
        services.receive_report(appeal=appeal, by=user, report_on=data["report_on"])
    elif step == "decide":
        services.decide(appeal=appeal, by=user, **data)


class AppealStepView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """One step of an appeal: ``file`` takes the request's id, the other steps the appeal's."""

    permission_policy = request_permissions
    permission_required = "change"
    template_name = "disclosure/admin/action.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.step = kwargs["step"]
        if self.step not in STEPS:
            raise Http404
        if self.step == "file":
            self.appeal = None
            self.object = get_object_or_404(Request, pk=kwargs["pk"])
        else:
            self.appeal = get_object_or_404(Appeal.objects.select_related("request"), pk=kwargs["pk"])
            self.object = self.appeal.request
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def get_form_class(self):
        return STEPS[self.step][0]

    def get_page_title(self):
        return str(STEPS[self.step][1])

    def get_page_subtitle(self):
        return f"{self.object.number} {self.object.name}"

    def get_success_url(self):
        return reverse("disclosure_requests:inspect", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(req=self.object, submit_label=self.get_page_title(), cancel_url=self.get_success_url())
        return context

    def form_valid(self, form):
        try:
            _run(self.step, self.object, self.appeal, self.request.user, form.cleaned_data)
        except DisclosureError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(number)s: done.") % {"number": self.object.number})
        return redirect(self.get_success_url())
