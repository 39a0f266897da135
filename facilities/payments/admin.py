"""Staff pages of payments in the Wagtail admin: record a payment, record a refund paid out, the
accounting CSV. Registered by :mod:`facilities.wagtail_hooks` (which imports this module).
Permissions as for reservations: recording needs ``change_reservation``, the CSV ``view_reservation``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from facilities.errors import BookingError
from facilities.models import Reservation
from facilities.payments import services
from facilities.payments.exports import payments_csv
from facilities.staff.permissions import reservation_permissions
from facilities.staff.views import ReservationActionView
from portal.audit import log_staff_access
from portal.errors import add_form_error

INDEX = "facilities_reservations:index"


class RecordPaymentForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(
        label=gettext_lazy("Paid via"), choices=Reservation._meta.get_field("payment_method").choices
    )


class RecordRefundForm(forms.Form):
    refunded_on = forms.DateField(label=gettext_lazy("Refunded on"), widget=forms.DateInput(attrs={"type": "date"}))


class PaymentsExportForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            raise forms.ValidationError(_("The last day cannot be before the first day."))
        if first and last and (last - first).days > 366:
            raise forms.ValidationError(_("Choose at most one year."))
        return data


class RecordPaymentView(ReservationActionView):
    """Record that the fee was paid (date and method): the booking stops being provisional."""

    form_class = RecordPaymentForm
    index_url_name = INDEX
    page_title = gettext_lazy("Record the payment")
    submit_label = gettext_lazy("Record the payment")

    def get_initial(self):
        return {"paid_on": timezone.localdate(), "method": "counter"}

    def form_valid(self, form):
        try:
            services.record_payment(
                reservation=self.object, paid_on=form.cleaned_data["paid_on"], method=form.cleaned_data["method"]
            )
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded the payment of %(fee)s yen for %(reservation)s.")
            % {"fee": f"{self.object.fee:,}", "reservation": str(self.object)},
        )
        return redirect(self.get_success_url())


class RecordRefundView(ReservationActionView):
    """Record that the refund recorded at cancellation was paid out at the counter."""

    form_class = RecordRefundForm
    index_url_name = INDEX
    page_title = gettext_lazy("Record the refund")
    submit_label = gettext_lazy("Record the refund")

    def get_initial(self):
        return {"refunded_on": timezone.localdate()}

    def form_valid(self, form):
        try:
            services.record_refund(reservation=self.object, refunded_on=form.cleaned_data["refunded_on"])
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded the refund of %(amount)s yen for %(reservation)s.")
            % {"amount": f"{self.object.refund_amount or 0:,}", "reservation": str(self.object)},
        )
        return redirect(self.get_success_url())


class PaymentsExportView(WagtailAdminTemplateMixin, FormView):
    """The accounting CSV for a date range: asked with GET, so the form is bookmarkable."""

    form_class = PaymentsExportForm
    template_name = "facilities/admin/payments_export.html"
    page_title = gettext_lazy("Payments and refunds (CSV)")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not reservation_permissions.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(INDEX), "label": Reservation._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "first" in self.request.GET or "last" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get_initial(self):
        today = timezone.localdate()
        return {"first": today.replace(day=1), "last": today}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_bound or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
        log_staff_access(request=request, action="export", object_type="facilities.payments")
        response = HttpResponse(payments_csv(first, last), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payments-{first:%Y%m%d}-{last:%Y%m%d}.csv"'
        return response


@hooks.register("register_admin_urls")
def register_payment_urls():
    return [
        path(
            "facilities/reservations/payment/<int:pk>/",
            RecordPaymentView.as_view(),
            name="facilities_record_payment",
        ),
        path("facilities/reservations/refund/<int:pk>/", RecordRefundView.as_view(), name="facilities_record_refund"),
        path("facilities/payments/export/", PaymentsExportView.as_view(), name="facilities_payments_export"),
    ]
