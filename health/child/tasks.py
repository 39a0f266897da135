"""Celery tasks of mother and child (imported by ``health.tasks`` so workers know their names)."""

from __future__ import annotations

from celery import shared_task

from health.child import reminders


@shared_task(name="health.send_vaccine_reminders", ignore_result=True)
def send_vaccine_reminders() -> int:
    """Daily: reminder mails a week before a child's vaccine dose is due, once per child, dose and guardian."""
    return reminders.send_vaccine_reminders()
