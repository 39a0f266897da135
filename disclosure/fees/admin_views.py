"""The 情報公開 staff's fee pages in Wagtail's admin: issue an invoice, record a payment, cancel.

Each is a form on a request's page (``disclosure/admin/detail.html`` links them); the writes go
through :mod:`disclosure.fees.services`. Only staff who may change requests reach them, and each
look is written to the staff access log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.models import Site

from disclosure.errors import DisclosureError
from disclosure.fees import forms, selectors, services
from disclosure.fees.models import Invoice
from disclosure.models import Request
from disclosure.staff import request_permissions
from portal.audit import log_staff_access
from portal.errors import add_form_error


class FeeFormView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    permission_policy = request_permissions
    permission_required = "change"
    template_name = "disclosure/admin/action.html"
    header_icon = "tag"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.load(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def load(self, pk: int) -> None:
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


class IssueInvoiceView(FeeFormView):
    """Issue the invoice: pages and discs at the current schedule's prices, postage at cost."""

    form_class = forms.IssueInvoiceForm
    title = gettext_lazy("Issue the invoice")

    def load(self, pk: int) -> None:
        self.req = get_object_or_404(Request, pk=pk)
        self.site = Site.find_for_request(self.request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "prices": selectors.schedule(self.site).prices()}

    def run(self, data: dict) -> None:
        services.issue_invoice(request=self.req, by=self.request.user, site=self.site, **data)


class _InvoiceView(FeeFormView):
    def load(self, pk: int) -> None:
        self.invoice = get_object_or_404(Invoice.objects.select_related("request"), pk=pk)
        self.req = self.invoice.request

    def get_page_subtitle(self):
        return f"{self.invoice.number} ({self.invoice.total:,}円) — {self.req.number} {self.req.name}"


class RecordPaymentView(_InvoiceView):
    """Record the payment made at the counter or at a convenience store."""

    form_class = forms.PaymentForm
    title = gettext_lazy("Record the payment")

    def run(self, data: dict) -> None:
        services.record_payment(
            invoice=self.invoice,
            by=self.request.user,
            paid_on=data["paid_on"],
            method=data["method"],
            receipt_note=data["receipt_note"],
        )


class CancelInvoiceView(_InvoiceView):
    """Cancel an unpaid invoice, with the reason; a new one can then be issued."""

    form_class = forms.CancelInvoiceForm
    title = gettext_lazy("Cancel the invoice")

    def run(self, data: dict) -> None:
        services.cancel_invoice(invoice=self.invoice, by=self.request.user, reason=data["reason"])
