"""Reads of payments: the refund a cancellation gives now, bookings due to lapse, the accounting rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet

from facilities.models import Reservation
from facilities.payments import rules


@dataclass(frozen=True)
class RefundQuote:
    """What cancelling now gives back: ``amount`` yen (``percent`` of ``paid``), ``days_before`` the day of use."""

    paid: int
    percent: int
    amount: int
    days_before: int
    tiers: list[rules.Tier]


def tiers_of(facility) -> list[rules.Tier]:
    """The facility's refund tiers; settings that cannot be read refund nothing (the admin form refuses them)."""
    try:
        return rules.parse_tiers(facility.refund_tiers or "")
    except rules.TierError:
        return []


def refund_quote(reservation: Reservation, now: datetime) -> RefundQuote:
    """The refund if ``reservation`` were cancelled at ``now``: nothing paid, nothing refunded."""
    tiers = tiers_of(reservation.unit.facility)
    paid = reservation.fee if reservation.paid_at else 0
    percent = rules.refund_percent(tiers, reservation.date, now) if paid else 0
    return RefundQuote(
        paid=paid,
        percent=percent,
        amount=rules.refund_amount(paid, percent),
        days_before=rules.days_before(reservation.date, now),
        tiers=tiers,
    )


def due_to_lapse(now: datetime) -> QuerySet[Reservation]:
    """Booked, unpaid, past the pay-by deadline and not started: the lapse task cancels these."""
    return Reservation.objects.filter(
        status=Reservation.Status.CONFIRMED, paid_at=None, pay_by__lte=now, start__gt=now, fee__gt=0
    ).order_by("pay_by", "pk")


def _local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=rules.TOKYO),
        datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=rules.TOKYO),
    )


def money_movements(first: date, last: date) -> QuerySet[Reservation]:
    """Bookings paid or refunded between ``first`` and ``last`` (Asia/Tokyo dates, inclusive), in one query."""
    start, end = _local_bounds(first, last)
    return (
        Reservation.objects.filter(
            Q(paid_at__gte=start, paid_at__lt=end) | Q(refunded_at__gte=start, refunded_at__lt=end)
        )
        .select_related("unit__facility", "frame", "user", "club")
        .order_by("pk")
    )


def movement_rows(first: date, last: date) -> list[tuple[datetime, str, Reservation, int]]:
    """(when, "payment" or "refund", booking, yen) for each payment and refund in the range, by time."""
    start, end = _local_bounds(first, last)
    rows = []
    for r in money_movements(first, last):
        if r.paid_at and start <= r.paid_at < end:
            rows.append((r.paid_at, "payment", r, r.fee))
        if r.refunded_at and start <= r.refunded_at < end:
            rows.append((r.refunded_at, "refund", r, r.refund_amount or 0))
    rows.sort(key=lambda row: (row[0], row[2].pk, row[1]))
    return rows
