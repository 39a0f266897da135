"""The 情報公開 staff pages in the Wagtail admin: the requests list, one request with its actions.

The list shows each open request's due date and flags the overdue ones. A request's page shows the
requester, the due date with how it was counted, the history, all messages (internal notes
included) and the actions its status allows; every action goes through :mod:`disclosure.services`,
so staff keep to the same state machine as the tests. Every look at a request is written to the
staff access log (``portal.audit.log_staff_access``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from disclosure import deadlines, forms, selectors, services
from disclosure.errors import DisclosureError
from disclosure.fees import selectors as fee_selectors
from disclosure.fees import services as fee_services
from disclosure.models import OPEN_STATUSES, Request
from portal.admin_views import ReadOnlyPolicy
from portal.audit import log_staff_access
from portal.errors import add_form_error

request_permissions = ModelPermissionPolicy(Request)


class RequestListPolicy(ReadOnlyPolicy):
    """Wagtail's generic views only show requests; changes go through the actions below."""


def is_overdue(request: Request, today=None) -> bool:
    today = today or timezone.localdate()
    return request.status in OPEN_STATUSES and request.due_date is not None and request.due_date < today


class RequestIndexView(IndexView):
    """All requests, open ones first by due date; each look is logged."""

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="list", object_type=Request._meta.label)
        return super().get(request, *args, **kwargs)


#: action → (form, title, the service call)
ACTIONS = {
    "message": (forms.StaffMessageForm, gettext_lazy("Write a message or an internal note")),
    "department": (forms.DepartmentForm, gettext_lazy("Set the department in charge")),
    "ask_correction": (forms.CorrectionForm, gettext_lazy("Ask for a correction")),
    "answer_correction": (forms.AnswerForm, gettext_lazy("Record the answer to the correction")),
    "extend": (forms.ExtendForm, gettext_lazy("Extend the deadline")),
    "special_extend": (forms.SpecialExtendForm, gettext_lazy("Special extension")),
    "decide": (forms.DecideForm, gettext_lazy("Make the decision")),
    "withdraw": (forms.OptionalReasonForm, gettext_lazy("Record the withdrawal")),
    "reject": (forms.ReasonForm, gettext_lazy("Dismiss the request")),
    "transfer": (forms.TransferForm, gettext_lazy("Transfer the request")),
    "implement": (forms.ImplementForm, gettext_lazy("Record the disclosure and its fee")),
}


def _run(action: str, req: Request, user, data: dict) -> None:
    if action == "message":
        services.post_message(request=req, by=user, body=data["body"], from_staff=True, internal=data["internal"])
    elif action == "department":
        services.set_department(request=req, by=user, department=data["department"])
    elif action == "ask_correction":
        services.ask_correction(request=req, by=user, body=data["body"])
    elif action == "answer_correction":
        services.answer_correction(request=req, by=user, body=data["body"], from_staff=True)
    elif action == "extend":
        services.extend(request=req, by=user, days=data["days"], reason=data["reason"])
    elif action == "special_extend":
        services.special_extend(request=req, by=user, reason=data["reason"], remainder_due=data["remainder_due"])
    elif action == "decide":
        services.decide(request=req, by=user, outcome=data["outcome"], reason=data["reason"])
    elif action == "withdraw":
        services.withdraw(request=req, by=user, reason=data["reason"])
    elif action == "reject":
        services.reject(request=req, by=user, reason=data["reason"])
    elif action == "transfer":
        services.transfer(request=req, by=user, to=data["to"], reason=data["reason"])
    elif action == "implement":
        services.implement(request=req, by=user, fee=data["fee"], note=data["note"])


def _action_links(req: Request) -> list[tuple[str, str]]:
    names = ["message", "department", *services.allowed_actions(req)]
    return [(str(ACTIONS[name][1]), reverse("disclosure_requests:action", args=[name, req.pk])) for name in names]


class RequestDetailView(InspectView):
    """One request: requester, due date and how it was counted, history, messages, actions."""

    template_name = "disclosure/admin/detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Request.objects.select_related("user"), pk=self.pk)

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        can_change = request_permissions.user_has_permission(self.request.user, "change")
        context.update(
            req=req,
            deadline=selectors.deadline_for(req, today=timezone.localdate()),
            overdue=is_overdue(req),
            events=req.events.select_related("actor"),
            all_messages=req.messages.select_related("author"),
            actions=_action_links(req) if can_change else [],
            invoices=fee_selectors.invoices_of(req),
            can_change=can_change,
            can_issue_invoice=can_change and fee_services.issue_refusal(req) is None,
            released_files=req.released_files.all(),
            redaction_drafts=req.redaction_drafts.annotate(box_count=Count("boxes")),
            can_release=can_change,
        )
        return context


class RequestFormView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A staff form about one request, then a service: the base of the action, appeal and fee pages.

    Only staff who may change requests get in (others: 403); each look is written to the staff
    access log. A subclass sets ``self.req`` in :meth:`load` (from the URL's arguments) and calls
    its service in :meth:`run`; a refusal of the service shows on the form, nothing written, and
    success goes back to the request's page.
    """

    permission_policy = request_permissions
    permission_required = "change"
    template_name = "disclosure/admin/action.html"
    header_icon = "doc-full"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Find what the URL names and set ``self.req`` (404 if there is no such thing)."""
        raise NotImplementedError

    def run(self, data: dict) -> None:
        """Call the service with the form's cleaned data."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.req)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.title)

    def get_page_subtitle(self):
        return f"{self.req.number} {self.req.name}"

    def get_success_url(self):
        return reverse("disclosure_requests:inspect", args=[self.req.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(req=self.req, submit_label=self.get_page_title(), cancel_url=self.get_success_url())
        return context

    def form_valid(self, form):
        try:
            self.run(form.cleaned_data)
        except DisclosureError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(number)s: done.") % {"number": self.req.number})
        return redirect(self.get_success_url())


class RequestActionView(RequestFormView):
    """One action on a request (補正依頼, decide, extend, withdraw …): a form, then the service."""

    def load(self, action: str, pk: int) -> None:
        if action not in ACTIONS:
            raise Http404
        self.action = action
        self.title = ACTIONS[action][1]
        self.req = get_object_or_404(Request, pk=pk)

    def get_form_class(self):
        return ACTIONS[self.action][0]

    def get_initial(self):
        initial = super().get_initial()
        if self.action == "department":
            initial["department"] = self.req.department
        if self.action == "implement" and (invoice := fee_selectors.live_invoice(self.req)) is not None:
            initial["fee"] = invoice.total  # 実施 takes the invoice's total
        return initial

    def run(self, data: dict) -> None:
        _run(self.action, self.req, self.request.user, data)


class DueSoonPanel(Component):
    """On the admin dashboard of 情報公開 staff: open requests past or near their due date, soonest first."""

    name = "disclosure_due_soon"
    template_name = "disclosure/admin/due_soon_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        from disclosure.ordinance import WARN_BUSINESS_DAYS

        today = timezone.localdate()
        ordinance = selectors.current_ordinance()
        rows = []
        for req in selectors.open_requests().filter(due_date__isnull=False).order_by("due_date")[:50]:
            if deadlines.business_days_before(req.due_date, WARN_BUSINESS_DAYS, ordinance) > today:
                break
            rows.append((req, is_overdue(req, today)))
        return {"rows": rows}


def dashboard_panels(request, panels) -> None:
    """Add :class:`DueSoonPanel` for staff who may see requests."""
    if request_permissions.user_has_permission(request.user, "view"):
        panels.append(DueSoonPanel())
