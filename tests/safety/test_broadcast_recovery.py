"""A broadcast survives a worker crash within seconds, and its progress page tells the truth (issue 15).

The worker tests run real Celery workers with the production timings of the outbox (a 120 s
lease, heartbeats every 2 s, a worker dead after 10 s of silence, a sweep every 5 s): recovery
must not come from a short lease.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction

from notifications.models import OutboundMail
from notifications.services import MailSpec, queue_mails_bulk
from portal.staff import SAFETY
from safety.mails import mail_category
from safety.models import Broadcast
from tests.portal.test_staff_groups import mfa_staff
from tests.workers import CeleryWorker, wait_until

Status = OutboundMail.Status

#: The outbox's production timings (portal/settings.py defaults), instead of tests/workers.py's short ones.
PRODUCTION_TIMINGS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "60",
    "CELERY_TASK_TIME_LIMIT": "90",
    "OUTBOX_LEASE_SECONDS": "120",
    "OUTBOX_SWEEP_SECONDS": "5",
    "OUTBOX_SWEEP_GRACE_SECONDS": "30",
    "OUTBOX_HEARTBEAT_SECONDS": "2",
    "OUTBOX_WORKER_DEAD_SECONDS": "10",
}


def make_broadcast(count: int) -> tuple[Broadcast, list[int]]:
    broadcast = Broadcast.objects.create(
        category="suspicious",
        title="不審者情報",
        body="本日15時ごろ、みどり小学校付近で不審な人物が目撃されました。",
        target_all=True,
        status=Broadcast.Status.SENT,
        recipient_count=count,
    )
    with transaction.atomic():
        queue_mails_bulk(
            MailSpec(
                to_email=f"guardian{i}@example.jp",
                subject="【みどり町】不審者情報",
                body_text=f"本日15時ごろ、みどり小学校付近で不審な人物が目撃されました。({i})",
                category=mail_category(broadcast.pk),
                idempotency_key=f"broadcast:{broadcast.pk}:{i}",
            )
            for i in range(count)
        )
    ids = list(OutboundMail.objects.filter(category=mail_category(broadcast.pk)).values_list("pk", flat=True))
    return broadcast, ids


def page_counts(client, broadcast) -> dict[str, int]:
    page = client.get(f"/admin/safety/broadcasts/{broadcast.pk}/progress/").content.decode()
    return {name: int(n) for name, n in re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', page)}


def db_counts(broadcast) -> dict[str, int]:
    counts = Counter(OutboundMail.objects.filter(category=mail_category(broadcast.pk)).values_list("status", flat=True))
    return {status: counts.get(status, 0) for status in Status.values}


@pytest.mark.django_db
def test_progress_page_shows_each_state_as_the_outbox_has_it(client):
    mfa_staff(client, SAFETY)
    broadcast, ids = make_broadcast(10)
    OutboundMail.objects.filter(pk__in=ids[:4]).update(status=Status.SENT)
    OutboundMail.objects.filter(pk=ids[4]).update(status=Status.FAILED, last_error="550 No such user")
    # Claimed by a worker that died: neither queued nor sent, and the page says so.
    OutboundMail.objects.filter(pk__in=ids[5:8]).update(status=Status.SENDING, claimed_worker="dead:1:x")
    assert (
        page_counts(client, broadcast)
        == db_counts(broadcast)
        == {
            "queued": 2,
            "sending": 3,
            "sent": 4,
            "failed": 1,
        }
    )


def pool_processes(worker: CeleryWorker) -> list[int]:
    """The pids of the worker's pool processes (children of its main process)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker.process.pid:
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_200_mails_worker_sigkilled_mid_batch_and_restarted(broker, smtp_sink, client):
    """Kill the whole worker after 60 of 200 mails; a worker started again delivers the rest within 30 s."""
    mfa_staff(client, SAFETY)
    victim = CeleryWorker(smtp_port=smtp_sink.port, concurrency=2, name="victim", extra_env=PRODUCTION_TIMINGS)
    killed = threading.Event()

    def kill_on_61st(received):
        # In the SMTP server, before mail 61 is accepted: the worker is in the middle of a batch.
        if len(smtp_sink.handler.messages) >= 60 and not killed.is_set():
            victim.kill()
            killed.set()
            raise ConnectionAbortedError  # the dead client's DATA never completes
        if killed.is_set() and not rescuing.is_set():
            raise ConnectionAbortedError  # the other pool process's mail in flight dies with it

    rescuing = threading.Event()
    smtp_sink.handler.on_mail = kill_on_61st
    victim.start()
    rescuer = None
    try:
        broadcast, ids = make_broadcast(200)
        assert killed.wait(90), victim.output()
        rescuing.set()
        smtp_sink.handler.on_mail = None

        # The dead worker's batches are still claimed; the page shows exactly what the outbox holds.
        at_kill = db_counts(broadcast)
        assert at_kill[Status.SENDING] > 0, at_kill
        assert page_counts(client, broadcast) == at_kill
        received_at_kill = set(smtp_sink.message_ids())
        sent_at_kill = set(
            OutboundMail.objects.filter(pk__in=ids, status=Status.SENT).values_list("message_id", flat=True)
        )
        # The RFC 1047 window: accepted by the server, not yet marked sent when the worker died.
        in_window = received_at_kill - sent_at_kill

        restarted = time.monotonic()
        rescuer = CeleryWorker(
            smtp_port=smtp_sink.port, concurrency=2, beat=True, name="victim", extra_env=PRODUCTION_TIMINGS
        ).start()
        sent = lambda: OutboundMail.objects.filter(pk__in=ids, status=Status.SENT).count()  # noqa: E731
        wait_until(lambda: sent() == 200, 30, interval=0.2, message="all 200 sent within 30 s of the restart")
        seconds = time.monotonic() - restarted
        assert (
            page_counts(client, broadcast)
            == db_counts(broadcast)
            == {
                "queued": 0,
                "sending": 0,
                "sent": 200,
                "failed": 0,
            }
        )
    finally:
        victim.kill()
        if rescuer:
            rescuer.stop()
    counts = smtp_sink.message_ids()
    duplicates = {message_id for message_id, n in counts.items() if n > 1}
    print(
        f"\n200 mails, worker SIGKILLed after {len(received_at_kill)} accepted "
        f"({at_kill[Status.SENDING]} claimed by it, {at_kill[Status.QUEUED]} queued): "
        f"all delivered {seconds:.1f} s after the restart; duplicates {len(duplicates)} "
        f"(window allowed {len(in_window)})"
    )
    expected = set(OutboundMail.objects.filter(pk__in=ids).values_list("message_id", flat=True))
    assert set(counts) == expected, "no address without its mail, and nobody else mailed"
    assert {r.recipients[0] for r in smtp_sink.messages} == {f"guardian{i}@example.jp" for i in range(200)}
    assert duplicates <= in_window, "a second copy only of a mail accepted just before the kill"
    assert all(counts[m] == 2 for m in duplicates)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dead_pool_process_task_is_redelivered_and_takes_its_mails_back_at_once(broker, smtp_sink):
    """Only the pool process dies: Celery redelivers the same task, which reclaims its rows without
    waiting for the 120 s lease (no beat, so no sweeper could have helped)."""
    worker = CeleryWorker(smtp_port=smtp_sink.port, concurrency=1, name="pool", extra_env=PRODUCTION_TIMINGS)
    killed = threading.Event()

    def kill_pool_on_11th(received):
        if len(smtp_sink.handler.messages) >= 10 and not killed.is_set():
            import os
            import signal

            for pid in pool_processes(worker):
                os.kill(pid, signal.SIGKILL)
            killed.set()
            raise ConnectionAbortedError

    smtp_sink.handler.on_mail = kill_pool_on_11th
    worker.start()
    try:
        _broadcast, ids = make_broadcast(30)
        assert killed.wait(60), worker.output()
        smtp_sink.handler.on_mail = None
        killed_at = time.monotonic()
        wait_until(
            lambda: OutboundMail.objects.filter(pk__in=ids, status=Status.SENT).count() == 30,
            30,
            interval=0.2,
            message="the redelivered task sends the rest",
        )
        seconds = time.monotonic() - killed_at
    finally:
        worker.stop()
    print(f"\npool process killed after 10 mails: the other 20 delivered {seconds:.1f} s later (lease 120 s)")
    counts = smtp_sink.message_ids()
    assert len(counts) == 30
    assert sum(counts.values()) - 30 <= 1, "at most the one mail in the window is sent twice"
