"""The fee pages of the 情報公開 admin (imported from DisclosureConfig.ready()); the fee schedule itself
is a Wagtail setting (設定 → 写しの交付の費用), registered with its model."""

from django.urls import path
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_fee_urls():
    from disclosure.fees.admin_views import CancelInvoiceView, IssueInvoiceView, RecordPaymentView

    return [
        path("disclosure/fees/<int:pk>/issue/", IssueInvoiceView.as_view(), name="disclosure_invoice_issue"),
        path("disclosure/fees/invoice/<int:pk>/pay/", RecordPaymentView.as_view(), name="disclosure_invoice_pay"),
        path("disclosure/fees/invoice/<int:pk>/cancel/", CancelInvoiceView.as_view(), name="disclosure_invoice_cancel"),
    ]
