"""A gate tap through the whole system: signed request, real Celery worker, real SMTP server (aiosmtpd)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from notifications.models import OutboundMail
from safety.models import Tap
from tests.safety.factories import SCHOOL, add_guardian, enrol_child, event, make_gate, post
from tests.workers import CeleryWorker, wait_until

# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made, and keeps Django from re-making part of it after the flush (post_migrate),
# which would clash with the next restore.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_tap_mails_both_guardians_exactly_once(broker, smtp_sink):
    child = enrol_child(owner_language="en")
    second = add_guardian(child, language="ja")
    owner = child.household.owner
    _terminal, key = make_gate()
    worker = CeleryWorker(smtp_port=smtp_sink.port, concurrency=2).start()
    client = Client()
    try:
        tap = event(occurred_at=timezone.now())
        response = post(client, key, {"events": [tap]})
        assert response.json()["accepted"] == 1, response.content
        smtp_sink.wait_for(2, timeout=60)

        # The terminal did not get the answer and uploads the same tap again: nothing more is sent.
        again = post(client, key, {"events": [tap]}, timestamp=int(time.time()) + 1)  # a new signature, not a replay
        assert again.json()["duplicate"] == 1, again.content
        wait_until(
            lambda: OutboundMail.objects.filter(category="safety_tap", status=OutboundMail.Status.SENT).count() == 2,
            30,
            message="both mails marked sent",
        )
        time.sleep(2)  # room for a wrong second delivery to show up
    finally:
        worker.stop()

    received = smtp_sink.messages
    assert sorted(r.recipients[0] for r in received) == sorted([owner.email, second.email])
    assert set(smtp_sink.message_ids().values()) == {1}, "each mail accepted once"
    for mail in received:
        assert "太郎" in mail.message["Subject"] and SCHOOL in mail.message["Subject"]
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/mail/unsubscribe/" in str(mail.message["List-Unsubscribe"])
    [to_owner] = smtp_sink.to(owner.email)
    assert str(to_owner.message["Subject"]).strip() == f"太郎 arrived at {SCHOOL}"
    assert Tap.objects.get().mail_state == Tap.MailState.QUEUED


def test_two_uploads_of_the_same_buffer_at_once_store_and_mail_each_tap_once():
    """A terminal on a flaky line sends its buffer again while the first upload is still running.

    PostgreSQL only: the in-memory SQLite test database refuses a second writer instead of waiting.
    """
    child = enrol_child()
    add_guardian(child)
    _terminal, key = make_gate()
    taps = [event(occurred_at=timezone.now() - timedelta(seconds=n)) for n in range(20)]
    start = threading.Barrier(2)
    answers = []

    def upload(timestamp: int) -> None:
        try:
            start.wait(timeout=10)
            answers.append(post(Client(), key, {"events": taps}, timestamp=timestamp).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(int(time.time()) - n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(answers) == 2
    assert sum(a["accepted"] for a in answers) == 20 and sum(a["duplicate"] for a in answers) == 20
    assert Tap.objects.count() == 20
    mails = OutboundMail.objects.filter(category="safety_tap")
    assert mails.count() == 40, "each tap mails each of the two guardians once"
