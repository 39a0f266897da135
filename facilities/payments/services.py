"""Writes of payments: the pay-by deadline of new bookings, staff recording payments and refunds,
the refund recorded when a paid booking is cancelled.

No online payment: the money is taken at the counter or by コンビニ収納 and staff record it here.
:mod:`facilities.services` calls :func:`set_pay_by` when booking and :func:`record_cancellation`
when cancelling; this module never imports it back (the lapse, which cancels, is in
:mod:`facilities.payments.lapse`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.errors import BookingError
from facilities.models import Reservation
from facilities.payments import rules
from facilities.payments.selectors import refund_quote

METHODS = ("counter", "konbini")


def set_pay_by(reservations: Sequence[Reservation], *, now: datetime) -> None:
    """Give new bookings with a fee their facility's pay-by deadline (none for blocks and free slots)."""
    for r in reservations:
        facility = r.unit.facility
        if r.fee <= 0 or r.status == Reservation.Status.BLOCKED or not facility.pay_by_rule:
            continue
        r.pay_by = rules.pay_by(
            facility.pay_by_rule, facility.pay_by_value, booked_at=now, use_day=r.date, slot_start=r.start
        )
        Reservation.objects.filter(pk=r.pk).update(pay_by=r.pay_by)


def record_cancellation(reservation: Reservation, *, now: datetime) -> None:
    """On cancelling a paid booking, record the refund its facility's tiers give (the counter pays it out)."""
    quote = refund_quote(reservation, now)
    if not quote.paid:
        return
    reservation.refund_percent = quote.percent
    reservation.refund_amount = quote.amount
    reservation.save(update_fields=["refund_percent", "refund_amount"])


def _when(day: date, now: datetime) -> datetime:
    """The moment to record for a payment on ``day``: now if today, else noon that day (Asia/Tokyo)."""
    if day == timezone.localdate(now):
        return now
    return datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())


@transaction.atomic
def record_payment(*, reservation: Reservation, paid_on: date, method: str, now: datetime | None = None) -> Reservation:
    """Staff record the fee paid on ``paid_on`` at the counter or a convenience store: no longer provisional."""
    now = now or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if method not in METHODS:
        raise BookingError(_("Choose how the fee was paid."), code="payment_method")
    if paid_on > timezone.localdate(now):
        raise BookingError(_("The payment date cannot be in the future."), code="payment_date")
    if reservation.paid_at:
        raise BookingError(_("This booking is already paid."), code="already_paid")
    if reservation.status not in (Reservation.Status.CONFIRMED, Reservation.Status.AWAITING):
        raise BookingError(_("This reservation is already cancelled."), code="already_cancelled")
    reservation.paid_at = _when(paid_on, now)
    reservation.payment_method = method
    reservation.save(update_fields=["paid_at", "payment_method"])
    return reservation


@transaction.atomic
def record_refund(*, reservation: Reservation, refunded_on: date, now: datetime | None = None) -> Reservation:
    """Staff record that the refund recorded at cancellation was paid out on ``refunded_on``."""
    now = now or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if refunded_on > timezone.localdate(now):
        raise BookingError(_("The refund date cannot be in the future."), code="refund_date")
    if reservation.refunded_at:
        raise BookingError(_("This refund is already recorded."), code="already_refunded")
    if not reservation.refund_amount:
        raise BookingError(_("Nothing is to be refunded for this booking."), code="no_refund")
    reservation.refunded_at = _when(refunded_on, now)
    reservation.save(update_fields=["refunded_at"])
    return reservation
