"""Celery tasks of facility reservation. Celery's autodiscovery imports this module in every worker.

The day-before reminders are here; the lottery's tasks live in :mod:`facilities.lottery.tasks`
and are imported below so that workers register them under their names
(``facilities.draw_lottery``, ``facilities.mail_lottery_results``, ``facilities.draw_due_lotteries``,
``facilities.expire_unconfirmed_wins``), which the beat schedule in ``portal/settings.py`` uses.
"""

from __future__ import annotations

from celery import shared_task

from facilities import reminders, services
from facilities.lottery.tasks import (
    draw_due_lotteries,
    draw_lottery,
    expire_unconfirmed_wins,
    mail_lottery_results,
)
from facilities.payments.tasks import lapse_unpaid_bookings

__all__ = [
    "draw_due_lotteries",
    "draw_lottery",
    "expire_unconfirmed_wins",
    "expire_waitlist_offers",
    "lapse_unpaid_bookings",
    "mail_lottery_results",
    "send_reminders",
]


@shared_task(name="facilities.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Periodic: the day-before reminder of each confirmed booking, once."""
    return reminders.send_reminders()


@shared_task(name="facilities.expire_waitlist_offers", ignore_result=True)
def expire_waitlist_offers() -> int:
    """Periodic: waitlist offers not confirmed in time pass to the next in line (idempotent)."""
    return services.expire_waitlist_offers()
