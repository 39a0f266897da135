"""Writes of fees: issue an invoice, record its payment, cancel it. Keyword-only, one transaction each.

- An invoice (請求書・納付書) is issued once documents are released (全部・部分開示), for copies or
  electronic data; viewing (閲覧) is free. Its lines are the pages and discs the requester receives
  at the schedule's unit prices, which are copied onto the invoice, and the postage at cost.
- A request has at most one live invoice. An unpaid one may be cancelled with a reason and a new
  one issued; the cancelled one stays in the history. A paid one is never cancelled here.
- Staff record the payment (窓口 or コンビニ収納) with its date and a receipt note; the request's
  ``fee`` becomes the invoice's total, and 実施 (``disclosure.services.implement``) waits for it.

Each write is an :class:`~disclosure.models.Event` on the request and a mail to the requester
through the outbox. A refusal raises :class:`~disclosure.errors.DisclosureError` before anything is written.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from disclosure import services as request_services
from disclosure.errors import DisclosureError
from disclosure.fees import rules, selectors
from disclosure.fees.models import Invoice, InvoiceStatus, PaymentMethod
from disclosure.models import RELEASING, EventKind, PreferredForm, Request
from notifications.services import queue_templated_mail


def invoice_url(request: Request) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:disclosure_invoice", args=[request.pk])


def payment_instructions(site: Site | None = None) -> str:
    """How to pay, as the schedule says it, or the standard sentence."""
    text = selectors.schedule(site).payment_instructions.strip()
    return text or _(
        "Pay at the information disclosure counter of the town office (cash), or at a convenience store "
        "with the payment slip (納付書) we send you. Bring or keep this invoice number."
    )


def invoice_text(invoice: Invoice) -> str:
    """The invoice as plain text (the mail): its number, lines, total and how to pay."""
    rows = [_("Invoice number: %(number)s") % {"number": invoice.number}]
    for label, line in invoice.lines():
        rows.append(
            _("%(label)s: %(quantity)s × %(price)s yen = %(amount)s yen")
            % {
                "label": label,
                "quantity": f"{line.quantity:,}",
                "price": f"{line.unit_price:,}",
                "amount": f"{line.amount:,}",
            }
        )
    rows.append(_("Total: %(total)s yen") % {"total": f"{invoice.total:,}"})
    return "\n".join(rows)


def _count(value, what: str, maximum: int) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or value < 0 or value > maximum:
        raise DisclosureError(
            _("%(what)s must be a whole number from 0 to %(max)s.") % {"what": what, "max": f"{maximum:,}"},
            code="bad_quantity",
        )
    return value


def _mail(request: Request, invoice: Invoice, kind: str, headline, body: str) -> None:
    queue_templated_mail(
        template="disclosure_update",
        context={
            "request": request,
            "headline": headline,
            "body": body,
            "show_deadline": False,
            "url": invoice_url(request),
        },
        to_email=request.email,
        recipient=request.user,
        idempotency_key=f"disclosure-invoice-{invoice.pk}-{kind}",
        category="disclosure",
    )


def issue_refusal(request: Request) -> DisclosureError | None:
    """Why no invoice can be issued on the request now, or ``None`` when one can (the staff page shows
    the button only then): documents not released, viewing (free), or an invoice already live."""
    if request.status not in RELEASING:
        return DisclosureError(
            _("An invoice is issued once documents are released (disclosed in full or in part)."),
            code="invoice_not_released",
        )
    if request.preferred_form == PreferredForm.VIEWING:
        return DisclosureError(_("Viewing is free: no invoice is issued for it."), code="viewing_is_free")
    live = selectors.live_invoice(request)
    if live is not None:
        return DisclosureError(
            _("The request already has the invoice %(number)s. Cancel it first to issue a new one.")
            % {"number": live.number},
            code="invoice_exists",
        )
    return None


@transaction.atomic
def issue_invoice(
    *,
    request: Request,
    by,
    monochrome_pages: int = 0,
    colour_pages: int = 0,
    cd_r: int = 0,
    dvd_r: int = 0,
    postage: int = 0,
    site: Site | None = None,
) -> Invoice:
    """Issue the invoice for copies or data of a released request, at the schedule's prices of today.

    Refused for viewing (free), before documents are released, while another invoice is live, and
    when nothing is to be paid.
    """
    request_services._lock(request)
    refusal = issue_refusal(request)
    if refusal is not None:
        raise refusal
    quantities = rules.Quantities(
        monochrome_pages=_count(monochrome_pages, _("Monochrome pages"), rules.MAX_QUANTITY),
        colour_pages=_count(colour_pages, _("Colour pages"), rules.MAX_QUANTITY),
        cd_r=_count(cd_r, _("CD-R"), rules.MAX_QUANTITY),
        dvd_r=_count(dvd_r, _("DVD-R"), rules.MAX_QUANTITY),
        postage=_count(postage, _("Postage"), rules.MAX_POSTAGE),
    )
    prices = selectors.schedule(site).prices()
    total = rules.total(rules.lines(quantities, prices))
    if total == 0:
        raise DisclosureError(
            _("The invoice has nothing to pay: enter the pages, discs or postage."), code="empty_invoice"
        )
    sequence = Invoice.objects.filter(request=request).count() + 1
    invoice = Invoice.objects.create(
        request=request,
        number=f"F{request.year}-{request.seq:04d}-{sequence}",
        monochrome_pages=quantities.monochrome_pages,
        monochrome_unit=prices.monochrome_page,
        colour_pages=quantities.colour_pages,
        colour_unit=prices.colour_page,
        cd_r=quantities.cd_r,
        cd_r_unit=prices.cd_r,
        dvd_r=quantities.dvd_r,
        dvd_r_unit=prices.dvd_r,
        postage=quantities.postage,
        total=total,
        issued_by=by,
    )
    request_services._event(request, EventKind.INVOICE_ISSUED, by=by, note=f"{invoice.number}: {total:,}円")
    _mail(
        request,
        invoice,
        "issued",
        gettext_lazy("The invoice for your copies has been issued."),
        f"{invoice_text(invoice)}\n\n{payment_instructions(site)}",
    )
    return invoice


def _locked(invoice: Invoice) -> Invoice:
    request_services._lock(invoice.request)
    fresh = Invoice.objects.select_for_update().get(pk=invoice.pk)
    invoice.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return invoice


def _must_be_unpaid(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.PAID:
        raise DisclosureError(
            _("The invoice %(number)s has already been paid.") % {"number": invoice.number}, code="invoice_paid"
        )
    if invoice.status == InvoiceStatus.CANCELLED:
        raise DisclosureError(
            _("The invoice %(number)s has been cancelled.") % {"number": invoice.number}, code="invoice_cancelled"
        )


@transaction.atomic
def record_payment(
    *, invoice: Invoice, by, paid_on: date, method: str, receipt_note: str = "", today: date | None = None
) -> Invoice:
    """Record that the requester paid the invoice (at the counter or a convenience store) on ``paid_on``.

    The date is neither in the future nor before the invoice was issued. The request's fee becomes
    the invoice's total; the requester is mailed a receipt.
    """
    _locked(invoice)
    _must_be_unpaid(invoice)
    today = today or timezone.localdate()
    if method not in PaymentMethod.values:
        raise DisclosureError(_("Choose how the invoice was paid."), code="bad_payment_method")
    issued_on = timezone.localtime(invoice.issued_at).date()
    if paid_on is None or paid_on > today or paid_on < issued_on:
        raise DisclosureError(
            _("The payment date must be between the day the invoice was issued (%(issued)s) and today.")
            % {"issued": date_format(issued_on, "DATE_FORMAT")},
            code="bad_paid_on",
        )
    invoice.receipt_note = request_services._text(receipt_note, _("receipt note"), required=False, max_length=200)
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = paid_on
    invoice.payment_method = method
    invoice.payment_recorded_by = by
    invoice.save(update_fields=["status", "paid_on", "payment_method", "receipt_note", "payment_recorded_by"])
    request = invoice.request
    request.fee = invoice.total
    request.save(update_fields=["fee"])
    note = f"{invoice.number}: {invoice.total:,}円 {invoice.get_payment_method_display()} {paid_on.isoformat()}"
    if invoice.receipt_note:
        note += f" ({invoice.receipt_note})"
    request_services._event(request, EventKind.INVOICE_PAID, by=by, note=note)
    _mail(
        request,
        invoice,
        "paid",
        gettext_lazy("We have received your payment."),
        _("Invoice %(number)s: %(total)s yen, paid on %(date)s.")
        % {"number": invoice.number, "total": f"{invoice.total:,}", "date": date_format(paid_on, "DATE_FORMAT")},
    )
    return invoice


@transaction.atomic
def cancel_invoice(*, invoice: Invoice, by, reason: str) -> Invoice:
    """Cancel an unpaid invoice (wrong page count, the requester changed what they want), with the reason.

    It stays in the history; a new invoice may then be issued.
    """
    _locked(invoice)
    _must_be_unpaid(invoice)
    reason = request_services._text(reason, _("reason"))
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancelled_by = by
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    request = invoice.request
    request_services._event(request, EventKind.INVOICE_CANCELLED, by=by, note=f"{invoice.number}: {reason}")
    _mail(
        request,
        invoice,
        "cancelled",
        gettext_lazy("An invoice for your copies has been cancelled."),
        _("Invoice %(number)s is cancelled: %(reason)s") % {"number": invoice.number, "reason": reason},
    )
    return invoice
