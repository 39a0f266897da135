"""Celery tasks of information disclosure (names are explicit and never change)."""

from __future__ import annotations

from celery import shared_task

from disclosure import services


@shared_task(name="disclosure.warn_due_soon")
def warn_due_soon() -> int:
    """Mail 情報公開 staff about requests due within a few open days, once per request and due date."""
    return services.warn_due_soon()
