"""Celery tasks of safety mail. They take IDs and are safe to run twice.

The task names keep the ``notifications.`` prefix they had before safety mail became its own
app: the beat schedule (``CELERY_BEAT_SCHEDULE``) and messages already waiting in the broker
name the tasks by these strings.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from safety import broadcasts, selectors, terminals, watch_over


# --- Broadcasts (safety.broadcasts) ---------------------------------------------------------
@shared_task(name="notifications.send_broadcast", ignore_result=True)
def send_broadcast(broadcast_id: str) -> int:
    """Write the outbox mails of a due broadcast; returns how many were new (see ``broadcasts.send``)."""
    return broadcasts.send(broadcast_id)


@shared_task(name="notifications.send_due_broadcasts", ignore_result=True)
def send_due_broadcasts() -> int:
    """Beat, every minute: send scheduled broadcasts whose time has come, and finish any left half-sent."""
    count = 0
    for pk in selectors.due_broadcast_ids():
        send_broadcast.delay(str(pk))
        count += 1
    return count


# --- Watch-over (safety.watch_over) ---------------------------------------------------------
@shared_task(name="notifications.send_watch_digests", ignore_result=True)
def send_watch_digests(day: str | None = None) -> int:
    """Daily at 19:00 JST: one summary mail per "daily summary" subscriber and member; re-runs mail nobody twice."""
    return watch_over.send_daily_digests(day=date.fromisoformat(day) if day else None).queued


@shared_task(name="notifications.send_no_activity_alerts", ignore_result=True)
def send_no_activity_alerts() -> int:
    """Every 30 minutes: alert families of watched people without a touch for their N daytime hours (once a day)."""
    return watch_over.send_no_activity_alerts().queued


@shared_task(name="notifications.purge_old_taps", ignore_result=True)
def purge_old_taps() -> int:
    """Daily: delete taps (location history) older than SAFETY_RETENTION_DAYS."""
    return watch_over.purge_old_taps()


# --- Terminal API (safety.terminals) --------------------------------------------------------
@shared_task(name="notifications.purge_seen_signatures", ignore_result=True)
def purge_seen_signatures() -> int:
    """Periodic: forget terminal request signatures older than ten minutes (replay protection)."""
    return terminals.purge_seen_signatures()
