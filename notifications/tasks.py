"""Celery tasks of the outbox. They take IDs and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications import services, terminals


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


@shared_task(name="notifications.purge_seen_signatures", ignore_result=True)
def purge_seen_signatures() -> int:
    """Periodic: forget terminal request signatures older than ten minutes (replay protection)."""
    return terminals.purge_seen_signatures()


# --- Watch-over (notifications.watch_over) ------------------------------------------------
@shared_task(name="notifications.send_watch_digests", ignore_result=True)
def send_watch_digests(day: str | None = None) -> int:
    """Daily at 19:00 JST: one summary mail per "daily summary" subscriber and member; re-runs mail nobody twice."""
    from datetime import date

    from notifications import watch_over

    return watch_over.send_daily_digests(day=date.fromisoformat(day) if day else None).queued


@shared_task(name="notifications.send_no_activity_alerts", ignore_result=True)
def send_no_activity_alerts() -> int:
    """Every 30 minutes: alert families of watched people without a touch for their N daytime hours (once a day)."""
    from notifications import watch_over

    return watch_over.send_no_activity_alerts().queued


@shared_task(name="notifications.purge_old_taps", ignore_result=True)
def purge_old_taps() -> int:
    """Daily: delete taps (location history) older than SAFETY_RETENTION_DAYS."""
    from notifications import watch_over

    return watch_over.purge_old_taps()
