"""Who may take back a claimed mail, and when: the same task at once, others after the lease or
once the claiming worker's heartbeat stopped (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from notifications import heartbeat, services
from notifications.models import OutboundMail, WorkerHeartbeat
from notifications.services import queue_mail
from notifications.tasks import deliver_mails

pytestmark = pytest.mark.django_db

Status = OutboundMail.Status


@pytest.fixture
def batch(django_capture_on_commit_callbacks):
    """Three queued mails that no task was given yet."""
    with mock.patch.object(services, "enqueue_delivery"), django_capture_on_commit_callbacks(execute=True):
        return [
            queue_mail(
                to_email=f"parent{i}@example.jp",
                subject="件名",
                body_text="本文",
                category="test",
                idempotency_key=f"reclaim:{i}",
            ).pk
            for i in range(3)
        ]


def rows(ids):
    return list(OutboundMail.objects.filter(pk__in=ids).order_by("pk"))


def test_the_same_task_redelivered_takes_its_rows_back_at_once(batch):
    first = services.claim(batch, task_id="task-1", worker="w1")
    assert len(first) == 3
    assert {(m.claimed_by, m.claimed_worker) for m in rows(batch)} == {("task-1", "w1")}
    # The worker died; Celery hands the same task (same id) to another worker within the lease.
    again = services.claim(batch, task_id="task-1", worker="w2")
    assert [m.pk for m in again] == batch
    assert {m.claim_token for m in again} != {m.claim_token for m in first}, "the dead run's marks no longer count"
    assert all(m.lease_expires_at > timezone.now() + timedelta(seconds=60) for m in rows(batch))
    assert {m.claimed_worker for m in rows(batch)} == {"w2"}


def test_another_task_cannot_take_a_live_lease(batch):
    assert services.claim(batch, task_id="task-1", worker="w1")
    assert services.claim(batch, task_id="task-2", worker="w2") == []
    assert services.claim(batch) == [], "nor can a claim without a task id"
    assert {m.claimed_by for m in rows(batch)} == {"task-1"}


def test_claims_without_a_task_id_never_match_each_other(batch):
    assert services.claim(batch)
    assert services.claim(batch) == []


def test_redelivered_task_sends_what_its_dead_run_left_and_another_task_sends_nothing(batch):
    services.claim(batch, task_id="task-1", worker="w1")
    OutboundMail.objects.filter(pk=batch[0]).update(status=Status.SENT)  # the dead run got one out
    assert deliver_mails.apply(args=(batch,), task_id="task-other").get() == {"skipped": 3}
    assert django_mail.outbox == []
    assert deliver_mails.apply(args=(batch,), task_id="task-1").get() == {"skipped": 1, "sent": 2}
    assert sorted(m.to[0] for m in django_mail.outbox) == ["parent1@example.jp", "parent2@example.jp"]
    assert [m.status for m in rows(batch)] == [Status.SENT] * 3


def test_a_batch_stops_when_its_claim_was_taken_over(batch):
    """A worker judged dead by mistake: once it finds its claim gone it sends nothing more."""
    mails = services.claim(batch, task_id="slow", worker="w1")
    sent: list[str] = []

    def send(mail):
        sent.append(mail.to_email)
        OutboundMail.objects.filter(pk__in=batch).update(claim_token=None, claimed_by="rescuer")

    with mock.patch.object(services, "claim", return_value=mails), mock.patch.object(services, "_send", send):
        result = services.deliver_many(batch, task_id="slow")
    assert sent == ["parent0@example.jp"]
    assert result.outcomes == {batch[0]: "sent", batch[1]: "skipped", batch[2]: "skipped"}


def beats(worker: str, *, seen_ago: float, steady_for: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker,
        defaults={
            "seen_at": now - timedelta(seconds=seen_ago),
            "since": now - timedelta(seconds=seen_ago + steady_for),
        },
    )


def test_sweeper_frees_at_once_the_rows_of_a_worker_whose_heartbeat_stopped(batch, settings):
    settings.OUTBOX_WORKER_DEAD_SECONDS = 10
    beats("alive", seen_ago=1, steady_for=60)
    beats("dead", seen_ago=11, steady_for=60)
    services.claim(batch[:1], task_id="t-dead", worker="dead")
    services.claim(batch[1:2], task_id="t-alive", worker="alive")
    services.claim(batch[2:], task_id="t-shell", worker="")  # no heartbeat: only its lease counts
    with mock.patch.object(services, "enqueue_delivery") as enqueue:
        assert services.sweep() == 1
    assert enqueue.call_args.args[0] == [batch[0]]
    # The re-enqueued task (a new id) may claim it now; the live worker's rows stay its own.
    assert [m.pk for m in services.claim(batch, task_id="t-new", worker="alive")] == [batch[0]]


def test_after_a_database_restart_nobody_is_judged_dead_until_the_living_beat_again(batch, settings):
    settings.OUTBOX_WORKER_DEAD_SECONDS = 10
    settings.OUTBOX_HEARTBEAT_SECONDS = 2  # a steady run is three beats: 6 s
    beats("a", seen_ago=30, steady_for=60)  # every row is old: the database was away
    beats("b", seen_ago=0, steady_for=2)  # one worker is beating again, but only just
    services.claim(batch, task_id="t", worker="a")
    with mock.patch.object(services, "enqueue_delivery") as enqueue:
        assert services.sweep() == 0
    assert enqueue.call_args.args[0] == []
    beats("b", seen_ago=0, steady_for=6)
    with mock.patch.object(services, "enqueue_delivery"):
        assert services.sweep() == 3


def test_the_sweeper_sends_what_it_takes_back_through_the_recovery_queue(batch, settings):
    services.claim(batch, task_id="t", worker="w")
    OutboundMail.objects.filter(pk__in=batch).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with mock.patch("notifications.tasks.deliver_mails.apply_async") as publish:
        assert services.sweep() == 3
    assert publish.call_args.kwargs["queue"] == settings.OUTBOX_RECOVERY_QUEUE == "outbox-recovery"
    assert settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]["options"]["queue"] == "outbox-recovery"


def test_a_worker_consumes_the_recovery_queue_as_well_as_the_default_one():
    from portal.celery import app

    assert {q.name for q in app.amqp.queues.values()} == {"celery", "outbox-recovery"}
    assert app.amqp.queues["outbox-recovery"].routing_key == "outbox-recovery"


def test_a_heartbeat_after_a_silence_starts_a_new_steady_run(settings):
    settings.OUTBOX_WORKER_DEAD_SECONDS = 10
    heartbeat.beat("w", "host")
    row = WorkerHeartbeat.objects.get()
    assert row.hostname == "host" and row.since == row.seen_at
    WorkerHeartbeat.objects.update(seen_at=row.seen_at - timedelta(seconds=3), since=row.since - timedelta(seconds=60))
    heartbeat.beat("w")
    kept = WorkerHeartbeat.objects.get()
    assert kept.since == row.since - timedelta(seconds=60), "a short gap keeps the run"
    WorkerHeartbeat.objects.update(seen_at=kept.seen_at - timedelta(seconds=30))
    heartbeat.beat("w")
    renewed = WorkerHeartbeat.objects.get()
    assert renewed.since == renewed.seen_at, "a long silence starts a new run"


def test_each_worker_start_is_a_new_identity():
    assert heartbeat.new_worker_id("w1@host") != heartbeat.new_worker_id("w1@host")


def test_a_batch_whose_database_went_away_retries_as_the_same_task(batch):
    """Database restart mid-batch: the task retries under its own id, so its next run takes its rows back."""
    from types import SimpleNamespace

    from celery.exceptions import Retry
    from django.db import OperationalError

    from notifications import tasks

    task = SimpleNamespace(
        request=SimpleNamespace(id="task-1", is_eager=False, retries=2), retry=mock.Mock(side_effect=Retry())
    )
    services.claim(batch, task_id="task-1", worker="w1")
    with (
        mock.patch.object(services, "deliver_many", side_effect=OperationalError("server closed the connection")),
        pytest.raises(Retry),
    ):
        tasks._deliver(task, batch)
    assert task.retry.call_args.kwargs["countdown"] == 4
    assert {m.claimed_by for m in rows(batch)} == {"task-1"}, "the rows wait for the same task id"
    assert len(services.claim(batch, task_id="task-1", worker="w1")) == 3
