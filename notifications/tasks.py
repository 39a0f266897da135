"""Celery tasks of the outbox. They take IDs and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(name="notifications.deliver_mail", ignore_result=True)
def deliver_mail(mail_id: int) -> str:
    """Send one outbox mail; schedule its retry after a temporary failure."""
    result = services.deliver(mail_id)
    if result.outcome == "retry" and result.retry_in is not None:
        services.enqueue_delivery(mail_id, countdown=result.retry_in)
    return result.outcome


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Periodic: re-enqueue mails that are overdue or whose worker died."""
    return services.sweep()
