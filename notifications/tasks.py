"""Celery tasks of the outbox. They take IDs and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications import services


@shared_task(name="notifications.deliver_mail", ignore_result=True)
def deliver_mail(mail_id: int) -> str:
    """Send one outbox mail; schedule its retry after a temporary failure."""
    result = services.deliver(mail_id)
    if result.outcome == "retry" and result.retry_in is not None:
        services.enqueue_delivery(mail_id, countdown=result.retry_in)
    return result.outcome


@shared_task(name="notifications.deliver_mails", ignore_result=True)
def deliver_mails(mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox mails, each claimed and marked on its own (see ``deliver``).

    One task per batch saves a broker round trip per mail. When the mail server fails
    temporarily, the rest of the batch waits for the same retry instead of failing one by one.
    """
    outcomes: dict[str, int] = {}
    for position, mail_id in enumerate(mail_ids):
        try:
            result = services.deliver(mail_id)
        except SoftTimeLimitExceeded:
            services.enqueue_delivery(mail_ids[position:])
            break
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        if result.outcome == "retry":
            services.enqueue_delivery(mail_ids[position:], countdown=result.retry_in)
            break
    return outcomes


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Periodic: re-enqueue mails that are overdue or whose worker died."""
    return services.sweep()
