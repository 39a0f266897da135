"""The payment tasks (registered by :mod:`facilities.tasks`, which workers import)."""

from __future__ import annotations

from celery import shared_task

from facilities.payments.lapse import lapse_unpaid


@shared_task(name="facilities.lapse_unpaid_bookings", ignore_result=True)
def lapse_unpaid_bookings() -> int:
    """Periodic: cancel unpaid provisional bookings past their pay-by deadline, mail their holders."""
    return lapse_unpaid()
