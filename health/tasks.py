"""Celery tasks of the health log. Celery's autodiscovery imports this module in every worker."""

from health.child.tasks import send_vaccine_reminders

__all__ = ["send_vaccine_reminders"]
