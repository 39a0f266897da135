"""Copy fees (手数料): the town's fee schedule and the invoices (請求書・納付書) issued on requests.

:class:`FeeSchedule` is a Wagtail site setting the 情報公開 staff edit in the admin (設定 → 写しの
交付の費用): ¥10 a monochrome page, ¥20 a colour page, ¥100 a CD-R or DVD-R by default; postage is
entered on each invoice at cost; viewing (閲覧) is free. An :class:`Invoice` copies the unit prices
when it is issued, so a later change of the schedule never changes an issued invoice. At most one
invoice per request is live (issued or paid); a cancelled one stays as history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from disclosure.fees import rules

__all__ = ["FeeSchedule", "Invoice", "InvoiceStatus", "PaymentMethod"]

DEFAULT_PRICES = rules.Prices(monochrome_page=10, colour_page=20, cd_r=100, dvd_r=100)


@register_setting(icon="tag")
class FeeSchedule(BaseSiteSetting):
    """The unit prices of copies and media (写しの交付の費用); issued invoices keep their own copy."""

    monochrome_page = models.PositiveIntegerField(
        _("monochrome page (yen)"), default=DEFAULT_PRICES.monochrome_page, help_text=_("One side of A3 or smaller.")
    )
    colour_page = models.PositiveIntegerField(_("colour page (yen)"), default=DEFAULT_PRICES.colour_page)
    cd_r = models.PositiveIntegerField(_("CD-R, per disc (yen)"), default=DEFAULT_PRICES.cd_r)
    dvd_r = models.PositiveIntegerField(_("DVD-R, per disc (yen)"), default=DEFAULT_PRICES.dvd_r)
    payment_instructions = models.TextField(
        _("how to pay"),
        blank=True,
        help_text=_("Shown on every invoice. Leave empty for the standard text (counter or convenience store)."),
    )

    class Meta:
        verbose_name = _("copy fees")
        verbose_name_plural = _("copy fees")

    def prices(self) -> rules.Prices:
        return rules.Prices(
            monochrome_page=self.monochrome_page, colour_page=self.colour_page, cd_r=self.cd_r, dvd_r=self.dvd_r
        )


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("invoice", "Issued, not paid yet")
    PAID = "paid", pgettext_lazy("invoice", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("invoice", "Cancelled")


#: The statuses of the one invoice that counts (the others are cancelled history).
LIVE = (InvoiceStatus.ISSUED, InvoiceStatus.PAID)


class PaymentMethod(models.TextChoices):
    COUNTER = "counter", _("At the counter (窓口)")
    CONVENIENCE = "convenience", _("Convenience store (コンビニ収納)")


class Invoice(models.Model):
    request = models.ForeignKey(
        "disclosure.Request", on_delete=models.CASCADE, related_name="invoices", verbose_name=_("request")
    )
    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    monochrome_pages = models.PositiveIntegerField(_("monochrome pages"), default=0)
    monochrome_unit = models.PositiveIntegerField(default=0)
    colour_pages = models.PositiveIntegerField(_("colour pages"), default=0)
    colour_unit = models.PositiveIntegerField(default=0)
    cd_r = models.PositiveIntegerField(_("CD-R"), default=0)
    cd_r_unit = models.PositiveIntegerField(default=0)
    dvd_r = models.PositiveIntegerField(_("DVD-R"), default=0)
    dvd_r_unit = models.PositiveIntegerField(default=0)
    postage = models.PositiveIntegerField(_("postage (yen)"), default=0)
    total = models.PositiveIntegerField(_("total (yen)"))
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_method = models.CharField(_("paid by"), max_length=20, choices=PaymentMethod.choices, blank=True)
    receipt_note = models.CharField(_("receipt note"), max_length=200, blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status__in=["issued", "paid"]),
                name="disclosure_one_live_invoice",
            ),
            models.CheckConstraint(
                condition=models.Q(status="paid", paid_on__isnull=False) | ~models.Q(status="paid"),
                name="disclosure_paid_invoice_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.status == InvoiceStatus.PAID

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def prices(self) -> rules.Prices:
        """The unit prices copied onto the invoice when it was issued."""
        return rules.Prices(
            monochrome_page=self.monochrome_unit,
            colour_page=self.colour_unit,
            cd_r=self.cd_r_unit,
            dvd_r=self.dvd_r_unit,
        )

    def quantities(self) -> rules.Quantities:
        return rules.Quantities(
            monochrome_pages=self.monochrome_pages,
            colour_pages=self.colour_pages,
            cd_r=self.cd_r,
            dvd_r=self.dvd_r,
            postage=self.postage,
        )

    def lines(self) -> list[tuple[str, rules.Line]]:
        """The lines with their labels, for the invoice page and the mail."""
        return [(str(LINE_LABELS[line.code]), line) for line in rules.lines(self.quantities(), self.prices())]


LINE_LABELS = {
    "monochrome": _("Copies, monochrome (pages)"),
    "colour": _("Copies, colour (pages)"),
    "cd_r": _("CD-R (discs)"),
    "dvd_r": _("DVD-R (discs)"),
    "postage": _("Postage (at cost)"),
}
