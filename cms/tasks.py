"""Celery tasks of the homepage."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.cache import cache
from django.core.management import call_command

PUBLISH_SCHEDULED_LOCK = "cms:publish_scheduled"
# Longer than any run can take (the task's hard time limit is 90 s), short enough that a
# worker that died holding it delays scheduled pages by a few minutes at most.
PUBLISH_SCHEDULED_LOCK_SECONDS = 300


@shared_task(name="cms.publish_scheduled", ignore_result=True)
def publish_scheduled() -> bool:
    """Periodic: publish pages whose "go live" time has come and unpublish expired ones.

    Wagtail stores the times set in a page's "Publishing schedule"; only this task makes them
    happen. Running it again finds nothing left to do, and a run that starts while another is
    still busy does nothing, so beat may send it as often as it likes. Returns whether it ran.
    """
    if not cache.add(PUBLISH_SCHEDULED_LOCK, 1, PUBLISH_SCHEDULED_LOCK_SECONDS):
        return False
    try:
        call_command("publish_scheduled", stdout=io.StringIO())
    finally:
        cache.delete(PUBLISH_SCHEDULED_LOCK)
    return True
