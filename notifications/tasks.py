"""Celery tasks of the outbox. They take IDs and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications import services


def _deliver(mail_ids: list[int]) -> dict[int, str]:
    try:
        result = services.deliver_many(mail_ids)
    except SoftTimeLimitExceeded:
        services.enqueue_delivery(mail_ids)  # what was sent is skipped; the rest goes on
        raise
    if result.retry_ids:
        services.enqueue_delivery(result.retry_ids, countdown=result.retry_in)
    return result.outcomes


@shared_task(name="notifications.deliver_mail", ignore_result=True)
def deliver_mail(mail_id: int) -> str:
    """Send one outbox mail; schedule its retry after a temporary failure."""
    return _deliver([mail_id])[mail_id]


@shared_task(name="notifications.deliver_mails", ignore_result=True)
def deliver_mails(mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox mails: one task, one claim, one mark per mail as it is accepted.

    When the mail server fails temporarily, the rest of the batch waits for the same retry.
    """
    outcomes: dict[str, int] = {}
    for outcome in _deliver(mail_ids).values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Periodic: re-enqueue mails that are overdue or whose worker died."""
    return services.sweep()


@shared_task(name="notifications.purge_old_mail", ignore_result=True)
def purge_old_mail() -> int:
    """Daily: drop the text of old mails (see ``services.purge_old_content``)."""
    return services.purge_old_content()
