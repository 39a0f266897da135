"""Celery tasks of sharing (names never change: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task

from health.sharing import services


@shared_task(name="health.purge_share_logs", ignore_result=True)
def purge_share_logs() -> int:
    """Daily: delete share-link views and caregiver accesses older than a year (LOG_RETENTION_DAYS)."""
    return services.purge_old_logs()
