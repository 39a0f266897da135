"""The 情報公開 staff's fee forms: issue an invoice, record a payment, cancel an invoice."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.fees import rules
from disclosure.fees.models import PaymentMethod
from disclosure.services import MAX_TEXT


def _count(label, maximum: int, help_text="") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=maximum, initial=0, help_text=help_text)


class IssueInvoiceForm(forms.Form):
    monochrome_pages = _count(_("Monochrome pages"), rules.MAX_QUANTITY)
    colour_pages = _count(_("Colour pages"), rules.MAX_QUANTITY)
    cd_r = _count(_("CD-R (discs)"), rules.MAX_QUANTITY)
    dvd_r = _count(_("DVD-R (discs)"), rules.MAX_QUANTITY)
    postage = _count(_("Postage (yen, at cost; 0 when collected at the counter)"), rules.MAX_POSTAGE)

    def __init__(self, *args, prices: rules.Prices | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if prices is not None:
            for name, price in (
                ("monochrome_pages", prices.monochrome_page),
                ("colour_pages", prices.colour_page),
                ("cd_r", prices.cd_r),
                ("dvd_r", prices.dvd_r),
            ):
                self.fields[name].help_text = _("%(price)s yen each (the current fee schedule)") % {"price": price}


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices, widget=forms.RadioSelect)
    receipt_note = forms.CharField(
        label=_("Receipt note (optional)"),
        max_length=200,
        required=False,
        help_text=_("e.g. the receipt number of the counter or the convenience store's notice."),
    )


class CancelInvoiceForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
