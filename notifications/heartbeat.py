"""Worker heartbeats: how the sweeper knows, within seconds, that a worker holding mails is gone.

Each Celery worker process gets an identity when it starts (:data:`WORKER_ID`: host, pid and a
random part, so a worker restarted on the same host, even with the same pid in a container, is
a new worker). Its pool processes are forked after that and inherit it; a claim records it in
``OutboundMail.claimed_worker``. A thread of the worker's main process writes a
:class:`~notifications.models.WorkerHeartbeat` row every ``OUTBOX_HEARTBEAT_SECONDS`` with the
database's clock. The sweeper treats the claims of a worker whose row is older than
``OUTBOX_WORKER_DEAD_SECONDS`` as abandoned (:func:`dead_workers`).

A stale row only counts when some worker has been beating without a break for three heartbeats
(:func:`steady_seconds`): after a database restart every worker's row is old for a moment, and
nobody may be declared dead until the live ones had the time to beat again.

Claims made outside a worker (in-process tasks, a shell) have no identity and no heartbeat;
they are only ever taken back after their lease.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from celery.signals import worker_init, worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Case, F, When
from django.db.models.functions import Now

from notifications.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: This worker's identity; "" outside a Celery worker.
WORKER_ID = ""

_stop = threading.Event()
_thread: threading.Thread | None = None


def new_worker_id(hostname: str = "") -> str:
    return f"{hostname or socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(worker: str, hostname: str = "") -> None:
    """Record that ``worker`` is alive now (by the database's clock)."""
    gap = Now() - timedelta(seconds=settings.OUTBOX_WORKER_DEAD_SECONDS)
    updated = WorkerHeartbeat.objects.filter(worker=worker).update(
        # A beat after a long silence starts a new unbroken run.
        since=Case(When(seen_at__lt=gap, then=Now()), default=F("since")),
        seen_at=Now(),
    )
    if not updated:
        WorkerHeartbeat.objects.create(worker=worker, hostname=hostname[:255], seen_at=Now(), since=Now())


def forget(worker: str) -> None:
    WorkerHeartbeat.objects.filter(worker=worker).delete()


def steady_seconds() -> int:
    """How long a worker must have beaten without a break before its word counts (see :func:`dead_workers`)."""
    return min(settings.OUTBOX_WORKER_DEAD_SECONDS, 3 * settings.OUTBOX_HEARTBEAT_SECONDS)


def dead_workers():
    """A query of the workers whose heartbeat stopped (a subquery for the sweeper), or None.

    None when no worker has been beating without a break for :func:`steady_seconds` (three
    heartbeats): then stale rows may only mean that the database was away, and the live workers
    have not yet had the time to beat again, so nothing is judged.
    """
    window = timedelta(seconds=settings.OUTBOX_WORKER_DEAD_SECONDS)
    steady = WorkerHeartbeat.objects.filter(
        seen_at__gte=Now() - window, since__lte=Now() - timedelta(seconds=steady_seconds())
    )
    if not steady.exists():
        return None
    return WorkerHeartbeat.objects.filter(seen_at__lt=Now() - window).values("worker")


def purge_old(days: int = 1) -> int:
    """Drop rows of workers gone for more than ``days`` (their claims were swept long ago)."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=Now() - timedelta(days=days)).delete()
    return deleted


# --- In the worker process ------------------------------------------------------------------


def _run(worker: str, hostname: str) -> None:
    interval = settings.OUTBOX_HEARTBEAT_SECONDS
    while not _stop.is_set():
        try:
            close_old_connections()
            beat(worker, hostname)
        except Exception:  # noqa: BLE001 - the database may be restarting; beat again next time
            logger.warning("Worker heartbeat could not be written", exc_info=True)
            connection.close()
        _stop.wait(interval)
    connection.close()


@worker_init.connect
def _on_worker_init(sender=None, **kwargs) -> None:
    """In the worker's main process, before its pool is forked: choose the identity the pool inherits."""
    global WORKER_ID
    WORKER_ID = new_worker_id(getattr(sender, "hostname", "") or "")


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    global _thread
    if not WORKER_ID or _thread is not None:
        return
    hostname = getattr(sender, "hostname", "") or socket.gethostname()
    _stop.clear()
    _thread = threading.Thread(target=_run, args=(WORKER_ID, hostname), name="outbox-heartbeat", daemon=True)
    _thread.start()


@worker_shutdown.connect
def _on_worker_shutdown(**kwargs) -> None:
    """A clean stop finished its tasks first: the worker holds nothing and leaves no stale row."""
    global _thread
    if _thread is None:
        return
    _stop.set()
    _thread.join(5)
    _thread = None
    try:
        forget(WORKER_ID)
    except Exception:  # noqa: BLE001 - best effort; the row would be ignored and purged later
        logger.warning("Could not remove the worker heartbeat", exc_info=True)
