"""The 情報公開 staff's fee pages in Wagtail's admin: issue an invoice, record a payment, cancel.

Each is a form on a request's page (``disclosure/admin/detail.html`` links them); the writes go
through :mod:`disclosure.fees.services`. Only staff who may change requests reach them, and each
look is written to the staff access log.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from disclosure.fees import forms, selectors, services
from disclosure.fees.models import Invoice
from disclosure.models import Request
from disclosure.staff import RequestFormView


class FeeFormView(RequestFormView):
    header_icon = "tag"


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
