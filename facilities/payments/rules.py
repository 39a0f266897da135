"""The payment rules as pure functions of dates and settings: no database, no clock.

All dates are the town's (Asia/Tokyo): callers pass local dates or aware datetimes.

* **Pay-by deadline** of a provisional (unpaid) booking, one of two rule types per facility:
  ``days`` — within N days of the day of booking (booked on the 1st, N = 7: pay by the end of
  the 8th); ``day_of_month`` — by day N of the month (Daito's "by the 14th"): of the month of
  booking, or of the next month when booked on or after that day. Never later than the end of
  the day before the day of use; if that is already past when booking, the fee is paid at the
  counter on the day and the booking does not lapse (the deadline is the slot's start).
* **Refund tiers**: "7:100, 2:50" means 100 % when cancelled 7 or more days before the day of
  use, 50 % when 2 to 6 days before, otherwise 0 %. Days count calendar days in Asia/Tokyo:
  cancelling on the 3rd for the 10th is 7 days before. The refund is rounded down to the yen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

NO_DEADLINE = ""
DAYS_AFTER_BOOKING = "days"
DAY_OF_MONTH = "day_of_month"
PAY_BY_RULES = (NO_DEADLINE, DAYS_AFTER_BOOKING, DAY_OF_MONTH)

#: Chofu's tiers: 100 % from 7 days before, 50 % from 2 days before, nothing after.
DEFAULT_TIERS = "7:100, 2:50"

UNPAID = "unpaid"
PAID = "paid"
REFUND_DUE = "refund_due"
REFUNDED = "refunded"
FREE = "free"


class TierError(ValueError):
    """Refund tiers that cannot be read; the message says why (English, translated by the caller)."""


@dataclass(frozen=True)
class Tier:
    days: int  # at least this many days before the day of use
    percent: int


def parse_tiers(text: str) -> list[Tier]:
    """``"7:100, 2:50"`` → tiers, most days first. Raises :class:`TierError` for bad input.

    Empty text means no refund at all. Days are 0 or more, percentages 0–100, each number of
    days once, and cancelling later never refunds more than cancelling earlier.
    """
    tiers: list[Tier] = []
    for item in text.replace("、", ",").replace("：", ":").split(","):
        item = item.strip()
        if not item:
            continue
        days, sep, percent = item.partition(":")
        if not sep or not days.strip().isdigit() or not percent.strip().rstrip("%").strip().isdigit():
            raise TierError("bad_format")
        tier = Tier(int(days), int(percent.strip().rstrip("%")))
        if tier.percent > 100:
            raise TierError("over_100")
        tiers.append(tier)
    tiers.sort(key=lambda t: t.days, reverse=True)
    if len({t.days for t in tiers}) != len(tiers):
        raise TierError("duplicate_days")
    if any(later.percent > earlier.percent for earlier, later in zip(tiers, tiers[1:], strict=False)):
        raise TierError("not_decreasing")
    return tiers


def days_before(use_day: date, when: datetime) -> int:
    """Calendar days from ``when`` (in Asia/Tokyo) to the day of use: 0 on the day itself."""
    return (use_day - when.astimezone(TOKYO).date()).days


def refund_percent(tiers: list[Tier], use_day: date, when: datetime) -> int:
    """The percentage refunded when cancelling at ``when`` a booking for ``use_day``."""
    before = days_before(use_day, when)
    for tier in tiers:  # most days first
        if before >= tier.days:
            return tier.percent
    return 0


def refund_amount(paid: int, percent: int) -> int:
    """The refund in yen, rounded down."""
    return paid * percent // 100


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=TOKYO)


def pay_by(rule: str, value: int, *, booked_at: datetime, use_day: date, slot_start: datetime) -> datetime | None:
    """When a booking made at ``booked_at`` must be paid (exclusive), or None for no deadline."""
    if rule == NO_DEADLINE:
        return None
    booked_on = booked_at.astimezone(TOKYO).date()
    if rule == DAYS_AFTER_BOOKING:
        last_day = booked_on + timedelta(days=value)
    elif rule == DAY_OF_MONTH:
        last_day = date(booked_on.year, booked_on.month, value)
        if booked_on >= last_day:
            following = date(booked_on.year, booked_on.month, 28) + timedelta(days=4)
            last_day = date(following.year, following.month, value)
    else:
        raise ValueError(f"Unknown pay-by rule {rule!r}")
    deadline = min(_end_of(last_day), _end_of(use_day - timedelta(days=1)))
    return deadline if deadline > booked_at else slot_start


def payment_state(*, fee: int, paid_at, refund_amount: int | None, refunded_at) -> str:
    """unpaid (provisional) → paid → refund due → refunded; a booking without a fee is free."""
    if refunded_at:
        return REFUNDED
    if paid_at and refund_amount:
        return REFUND_DUE
    if paid_at:
        return PAID
    return UNPAID if fee else FREE
