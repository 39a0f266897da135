"""The outbox against a real SMTP server, real Celery worker processes and Redis."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from notifications.models import OutboundMail
from notifications.services import queue_mail
from tests.workers import CeleryWorker, wait_until

# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made, and keeps Django from re-making part of it after the flush (post_migrate),
# which would clash with the next restore.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def queue_batch(count: int, prefix: str, to: str = "guardian{i}@example.jp") -> list[int]:
    with transaction.atomic():
        return [
            queue_mail(
                to_email=to.format(i=i),
                subject=f"テスト {i}",
                body_text=f"本文 {i}",
                category="test",
                idempotency_key=f"{prefix}:{i}",
            ).pk
            for i in range(count)
        ]


def sent_count(ids) -> int:
    return OutboundMail.objects.filter(pk__in=ids, status=OutboundMail.Status.SENT).count()


def test_100_mails_arrive_each_exactly_once(broker, smtp_sink):
    worker = CeleryWorker(smtp_port=smtp_sink.port, concurrency=2).start()
    try:
        ids = queue_batch(100, "batch")
        smtp_sink.wait_for(100, timeout=60)
        wait_until(lambda: sent_count(ids) == 100, 30, message="all rows marked sent")
    finally:
        worker.stop()
    counts = smtp_sink.message_ids()
    assert len(counts) == 100
    assert set(counts.values()) == {1}
    assert set(counts) == set(OutboundMail.objects.filter(pk__in=ids).values_list("message_id", flat=True))


def test_worker_killed_mid_batch_then_restarted_delivers_all_once(broker, smtp_sink):
    """SIGKILL the worker while it talks to the SMTP server about mail 30; a new worker finishes."""
    first = CeleryWorker(smtp_port=smtp_sink.port, concurrency=1, name="victim")
    killed = threading.Event()

    def kill_on_30th(received):
        # Runs in the SMTP server after 29 mails were accepted: the worker is mid-conversation.
        if len(smtp_sink.handler.messages) == 29 and not killed.is_set():
            first.kill()
            killed.set()
            raise ConnectionAbortedError  # the dead client's DATA never completes

    smtp_sink.handler.on_mail = kill_on_30th
    first.start()
    second = None
    try:
        ids = queue_batch(100, "kill")
        assert killed.wait(60), first.output()
        smtp_sink.handler.on_mail = None
        stuck = OutboundMail.objects.filter(pk__in=ids, status=OutboundMail.Status.SENDING)
        assert stuck.exists()
        assert stuck.values("claim_token").distinct().count() == 1, "only the dead worker's batch is held"
        assert not set(stuck.values_list("message_id", flat=True)) & set(smtp_sink.message_ids()), "none of it arrived"
        second = CeleryWorker(smtp_port=smtp_sink.port, concurrency=2, beat=True, name="rescuer").start()
        wait_until(lambda: sent_count(ids) == 100, 90, interval=0.25, message="all 100 sent after restart")
    finally:
        first.kill()
        if second:
            second.stop()
    counts = smtp_sink.message_ids()
    assert len(counts) == 100
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}


def test_smtp_server_down_then_back_delivers(broker, smtp_sink):
    smtp_sink.stop()
    worker = CeleryWorker(smtp_port=smtp_sink.port, concurrency=2).start()
    try:
        ids = queue_batch(5, "down")
        wait_until(
            lambda: OutboundMail.objects.filter(
                pk__in=ids, attempts__gte=1, status=OutboundMail.Status.QUEUED
            ).exists(),
            30,
            message="a first attempt failed and was scheduled again",
        )
        # The mails scheduled again; the rest of the batch may still be on its way back to the queue.
        failed = OutboundMail.objects.filter(
            pk__in=ids, attempts__gte=1, status=OutboundMail.Status.QUEUED
        ).values_list("last_error", flat=True)
        assert all("refused" in error.lower() for error in failed), list(failed)
        assert OutboundMail.objects.filter(pk__in=ids, status=OutboundMail.Status.SENT).count() == 0
        smtp_sink.start()
        wait_until(lambda: sent_count(ids) == 5, 60, message="delivery after the server came back")
    finally:
        worker.stop()
    assert set(smtp_sink.message_ids().values()) == {1}
    assert len(smtp_sink.messages) == 5
    assert max(OutboundMail.objects.filter(pk__in=ids).values_list("attempts", flat=True)) >= 2


def test_permanent_5xx_is_failed_and_not_retried(broker, smtp_sink):
    smtp_sink.handler.refuse["nobody@example.jp"] = "550 5.1.1 No such user here"
    worker = CeleryWorker(smtp_port=smtp_sink.port, concurrency=1, beat=True).start()
    try:
        [bad] = queue_batch(1, "bounce", to="nobody@example.jp")
        [good] = queue_batch(1, "fine", to="somebody@example.jp")
        wait_until(
            lambda: OutboundMail.objects.get(pk=bad).status == OutboundMail.Status.FAILED,
            30,
            message="mail marked failed",
        )
        wait_until(lambda: sent_count([good]) == 1, 30, message="the other mail is still delivered")
        time.sleep(4)  # several sweeps and retry delays: nothing may try the failed mail again
    finally:
        worker.stop()
    mail = OutboundMail.objects.get(pk=bad)
    assert mail.attempts == 1
    assert "550" in mail.last_error
    assert smtp_sink.to("nobody@example.jp") == []
