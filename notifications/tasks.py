"""Celery tasks of the outbox. They take IDs and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from notifications import heartbeat, services

#: Retries of a batch whose database went away (about 15 minutes at the longest delay).
DB_RETRIES = 40


def _deliver(task, mail_ids: list[int]) -> dict[int, str]:
    task_id = task.request.id
    try:
        result = services.deliver_many(mail_ids, task_id=task_id)
    except SoftTimeLimitExceeded:
        services.enqueue_delivery(mail_ids)  # what was sent is skipped; the rest goes on
        raise
    except (OperationalError, InterfaceError) as error:
        # The database went away mid-batch. Retrying keeps the task id, so the next run takes
        # back the rows this run claimed at once instead of waiting for their lease.
        if task.request.is_eager:
            raise
        raise task.retry(exc=error, countdown=min(2**task.request.retries, 30), max_retries=DB_RETRIES) from error
    if result.retry_ids:
        services.enqueue_delivery(result.retry_ids, countdown=result.retry_in)
    return result.outcomes


@shared_task(name="notifications.deliver_mail", ignore_result=True, bind=True)
def deliver_mail(self, mail_id: int) -> str:
    """Send one outbox mail; schedule its retry after a temporary failure."""
    return _deliver(self, [mail_id])[mail_id]


@shared_task(name="notifications.deliver_mails", ignore_result=True, bind=True)
def deliver_mails(self, mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox mails: one task, one claim, one mark per mail as it is accepted.

    When the mail server fails temporarily, the rest of the batch waits for the same retry.
    """
    outcomes: dict[str, int] = {}
    for outcome in _deliver(self, mail_ids).values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Periodic: re-enqueue mails that are overdue or whose worker died; forget long-gone workers."""
    heartbeat.purge_old()
    return services.sweep()


@shared_task(name="notifications.purge_old_mail", ignore_result=True)
def purge_old_mail() -> int:
    """Daily: drop the text of old mails (see ``services.purge_old_content``)."""
    return services.purge_old_content()
