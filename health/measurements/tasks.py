"""Celery tasks of measurements (imported by ``HealthConfig.ready`` so the names are known)."""

from celery import shared_task

from health.measurements import reminders


@shared_task(name="health.send_measure_reminders", ignore_result=True)
def send_measure_reminders() -> int:
    """Periodic (every 5 minutes): today's reminder mail of each reminder whose time has come, once."""
    return reminders.send_due()
