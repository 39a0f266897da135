"""The appeal's staff pages in Wagtail's admin: one form per step, then the service.

Reached from a request's admin page (``disclosure/appeals/admin/_panel.html``); every look is written
to the staff access log, and only staff who may change requests get the forms.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from disclosure.appeals import forms, services
from disclosure.appeals.models import Appeal
from disclosure.models import Request
from disclosure.staff import RequestFormView

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


class AppealStepView(RequestFormView):
    """One step of an appeal: ``file`` takes the request's id, the other steps the appeal's."""

    def load(self, step: str, pk: int) -> None:
        if step not in STEPS:
            raise Http404
        self.step = step
        self.title = STEPS[step][1]
        if step == "file":
            self.appeal = None
            self.req = get_object_or_404(Request, pk=pk)
        else:
            self.appeal = get_object_or_404(Appeal.objects.select_related("request"), pk=pk)
            self.req = self.appeal.request

    def get_form_class(self):
        return STEPS[self.step][0]

    def run(self, data: dict) -> None:
        _run(self.step, self.req, self.appeal, self.request.user, data)
