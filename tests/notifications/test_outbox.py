"""Outbox rules, in-process (the worker tests cover real processes)."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import OutboundMail
from notifications.services import Attachment, queue_mail, queue_templated_mail
from notifications.tasks import deliver_mail
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def queue(key="k1", **kwargs) -> OutboundMail:
    fields = {"to_email": "parent@example.jp", "subject": "件名", "body_text": "本文", "category": "test"}
    fields.update(kwargs)
    return queue_mail(idempotency_key=key, **fields)


@pytest.fixture
def make(django_capture_on_commit_callbacks):
    """Queue a mail and run what its commit triggers (the test's own transaction never commits)."""

    def _make(key="k1", **kwargs) -> OutboundMail:
        with django_capture_on_commit_callbacks(execute=True):
            return queue(key, **kwargs)

    return _make


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps what the migrations made
def test_a_queued_mail_is_sent_once_after_commit():
    with transaction.atomic():
        mail = queue()
        assert django_mail.outbox == [], "nothing is sent before the transaction commits"
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.SENT
    assert mail.attempts == 1
    assert mail.sent_at is not None
    [sent] = django_mail.outbox
    assert sent.to == ["parent@example.jp"]
    assert sent.extra_headers["Message-ID"] == mail.message_id


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps what the migrations made
def test_rolled_back_event_leaves_no_mail():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the booking failed")
    assert OutboundMail.objects.count() == 0
    assert django_mail.outbox == []


def test_same_idempotency_key_is_one_mail(make):
    first = make("same")
    second = make("same", subject="別の件名")
    assert first.pk == second.pk
    assert OutboundMail.objects.count() == 1
    assert len(django_mail.outbox) == 1
    assert django_mail.outbox[0].subject == "件名"


def test_task_running_twice_sends_once(make):
    with mock.patch.object(services, "enqueue_delivery"):  # keep it queued
        mail = make()
    assert deliver_mail(mail.pk) == "sent"
    assert deliver_mail(mail.pk) == "skipped"
    assert len(django_mail.outbox) == 1


def test_only_one_of_two_claims_wins(make):
    with mock.patch.object(services, "enqueue_delivery"):
        mail = make()
    first = services.claim([mail.pk])
    second = services.claim([mail.pk])
    assert [m.pk for m in first] == [mail.pk]
    assert second == []


def test_a_dead_workers_claim_can_be_taken_over_after_its_lease(make):
    with mock.patch.object(services, "enqueue_delivery"):
        mail = make()
    assert services.claim([mail.pk])
    OutboundMail.objects.filter(pk=mail.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert deliver_mail(mail.pk) == "sent"
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert len(django_mail.outbox) == 1


def test_temporary_failure_is_retried_with_backoff(settings, make):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    with mock.patch.object(services, "enqueue_delivery"):
        mail = make()
    broken = mock.Mock(side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", broken):
        result = services.deliver(mail.pk)
    mail.refresh_from_db()
    assert result.outcome == "retry"
    assert result.retry_in == 30
    assert mail.status == OutboundMail.Status.QUEUED
    assert mail.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert "SMTPServerDisconnected" in mail.last_error
    assert services.deliver(mail.pk).outcome == "skipped", "not due yet"


def test_4xx_is_temporary_and_5xx_is_permanent():
    assert not services.is_permanent(smtplib.SMTPDataError(451, b"try later"))
    assert not services.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.jp": (450, b"mailbox busy")}))
    assert not services.is_permanent(ConnectionRefusedError())
    assert services.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.jp": (550, b"no such user")}))
    assert services.is_permanent(smtplib.SMTPDataError(554, b"rejected"))


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 300
    assert [services.retry_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_too_many_temporary_failures_mark_failed(settings, make):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with mock.patch.object(services, "enqueue_delivery"):
        mail = make()
    broken = mock.Mock(side_effect=ConnectionRefusedError("refused"))
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", broken):
        assert services.deliver(mail.pk).outcome == "retry"
        OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
        assert services.deliver(mail.pk).outcome == "failed"
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.FAILED


def test_sweeper_reenqueues_overdue_and_abandoned_mails_only(make):
    with mock.patch.object(services, "enqueue_delivery"):
        overdue = make("overdue")
        fresh = make("fresh")
        abandoned = make("abandoned")
        sent = make("sent")
    long_ago = timezone.now() - timedelta(minutes=10)
    OutboundMail.objects.filter(pk=overdue.pk).update(next_attempt_at=long_ago)
    OutboundMail.objects.filter(pk=abandoned.pk).update(
        status=OutboundMail.Status.SENDING, lease_expires_at=timezone.now() - timedelta(seconds=5)
    )
    OutboundMail.objects.filter(pk=sent.pk).update(status=OutboundMail.Status.SENT, next_attempt_at=long_ago)
    with mock.patch.object(services, "enqueue_delivery") as enqueue:
        assert services.sweep() == 2
    [call] = enqueue.call_args_list
    assert set(call.args[0]) == {overdue.pk, abandoned.pk}
    assert fresh.pk not in call.args[0]


def test_broker_outage_at_commit_does_not_break_the_request(make):
    with mock.patch("notifications.tasks.deliver_mail.apply_async", side_effect=ConnectionError("broker down")):
        mail = make()
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.QUEUED, "left for the sweeper"


def test_mail_has_text_and_html_parts_and_attachments(make):
    make(
        body_text="太郎さんが 8:02 に登校しました。",
        body_html="<p>太郎さんが 8:02 に登校しました。</p>",
        attachments=[Attachment("booking.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
    )
    [sent] = django_mail.outbox
    assert sent.body == "太郎さんが 8:02 に登校しました。"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "booking.ics"


def test_subscription_mail_has_one_click_unsubscribe_headers(make):
    make(unsubscribe_url="https://portal.example.jp/mail/unsubscribe/abc/")
    [sent] = django_mail.outbox
    assert sent.extra_headers["List-Unsubscribe"] == "<https://portal.example.jp/mail/unsubscribe/abc/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_templated_mail_is_in_the_recipients_language():
    ja = UserFactory(language="ja")
    en = UserFactory(language="en")
    for user in (ja, en):
        queue_templated_mail(
            template="town_news",
            context={"title": "お知らせ", "text": "本文"},
            to_email=user.email,
            recipient=user,
            idempotency_key=f"news:{user.pk}",
            unsubscribe_url="https://portal.example.jp/u/",
        )
    ja_mail = OutboundMail.objects.get(recipient=ja)
    en_mail = OutboundMail.objects.get(recipient=en)
    assert ja_mail.language == "ja"
    assert "配信" in ja_mail.body_text
    assert "To stop receiving town news" in en_mail.body_text
    assert ja_mail.body_html.startswith("<!DOCTYPE html>")
    assert 'lang="ja"' in ja_mail.body_html


def test_plain_text_only_residents_get_no_html_part(django_capture_on_commit_callbacks):
    user = UserFactory(mail_html=False)
    with django_capture_on_commit_callbacks(execute=True):
        queue_templated_mail(
            template="town_news",
            context={"title": "t", "text": "x"},
            to_email=user.email,
            recipient=user,
            idempotency_key="plain",
        )
    [sent] = django_mail.outbox
    assert sent.alternatives == []


def test_real_smtp_server_receives_the_mail(smtp_settings, make):
    mail = make(body_text="本文です", body_html="<p>本文です</p>")
    [received] = smtp_settings.wait_for(1, timeout=10)
    assert received.message["Message-ID"] == mail.message_id
    assert received.message.get_body(("plain",)).get_content().strip() == "本文です"
    assert received.recipients == ["parent@example.jp"]


def test_mails_of_one_transaction_go_to_the_workers_as_one_batch(django_capture_on_commit_callbacks, settings):
    settings.OUTBOX_BATCH_SIZE = 3
    with (
        mock.patch("notifications.tasks.deliver_mails.apply_async") as batch,
        mock.patch("notifications.tasks.deliver_mail.apply_async") as single,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ids = [queue(f"b{i}").pk for i in range(4)]
    assert [c.args[0][0] for c in batch.call_args_list] == [ids[:3]]
    assert [c.args[0][0] for c in single.call_args_list] == [ids[3]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps what the migrations made
def test_a_rolled_back_savepoint_drops_only_its_own_mails():
    with mock.patch("notifications.tasks.deliver_mails.apply_async") as batch, transaction.atomic():
        kept = queue("kept").pk
        with pytest.raises(RuntimeError), transaction.atomic():
            queue("dropped")
            raise RuntimeError
        also_kept = queue("also-kept").pk
    assert [c.args[0][0] for c in batch.call_args_list] == [[kept, also_kept]]
    assert set(OutboundMail.objects.values_list("idempotency_key", flat=True)) == {"kept", "also-kept"}


def test_a_temporary_failure_holds_back_the_rest_of_the_batch(make):
    from notifications.tasks import deliver_mails

    with mock.patch.object(services, "enqueue_delivery"):
        ids = [make(f"t{i}").pk for i in range(3)]
    broken = mock.Mock(side_effect=ConnectionRefusedError("refused"))
    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", broken),
        mock.patch.object(services, "enqueue_delivery") as enqueue,
    ):
        assert deliver_mails(ids) == {"retry": 1, "skipped": 2}
    assert broken.call_count == 1, "one refused connection is enough to know"
    assert enqueue.call_args.args[0] == ids
    assert enqueue.call_args.kwargs["countdown"] == services.retry_delay(1)
    untried = OutboundMail.objects.filter(pk__in=ids[1:])
    assert {(m.status, m.attempts) for m in untried} == {(OutboundMail.Status.QUEUED, 0)}


def test_old_mail_text_is_purged_but_the_record_stays(make, settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    old = make("old", body_text="太郎さんが 8:02 に登校しました。", body_html="<p>8:02</p>")
    recent = make("recent", body_text="本日の記録")
    OutboundMail.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert services.purge_old_content() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.subject, old.body_text, old.body_html) == ("", "", "")
    assert (old.to_email, old.status, old.message_id) == ("parent@example.jp", OutboundMail.Status.SENT, old.message_id)
    assert recent.body_text == "本日の記録"
    assert services.purge_old_content() == 0, "nothing left to purge"
