"""The Celery application. Without a broker (the laptop default) tasks run in-process."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _close_old_db_connections(**kwargs) -> None:
    """Like a web request: drop a connection that broke or outlived CONN_MAX_AGE."""
    if not getattr(kwargs.get("task").request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
