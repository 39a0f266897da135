"""Writes for the mail outbox: queue a mail, deliver it once, sweep what got stuck.

Rules, in plain words:

* Every mail is an ``OutboundMail`` row written in the caller's transaction, so a mail
  exists if and only if the event that caused it was committed.
* One idempotency key is one mail: queuing the same key twice returns the first row.
* A worker must *claim* a row before sending it. A claim is a conditional UPDATE that
  succeeds for one worker only, and holds a lease; two tasks for the same row never both
  send it. A row whose lease ran out (its worker died) may be claimed again.
* Temporary failures (connection refused or dropped, time-outs, SMTP 4xx) are retried
  with exponential back-off; permanent ones (SMTP 5xx) mark the mail failed at once.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import re
import secrets
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formatdate, make_msgid
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks, urlize

from notifications.models import OutboundMail
from portal.db import insert_new

logger = logging.getLogger(__name__)

Status = OutboundMail.Status


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str


def render_mail(template: str, context: dict[str, Any], *, language: str, html: bool = True) -> RenderedMail:
    """Render ``notifications/mail/<template>/{subject.txt,body.txt,body.html}`` in ``language``.

    A template without ``body.html`` gets an HTML part made from its text, so every mail
    has both parts unless the recipient asked for plain text only.
    """
    with translation.override(language):
        ctx = {"site_name": settings.WAGTAIL_SITE_NAME, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"notifications/mail/{template}/subject.txt", ctx).split())
        text = render_to_string(f"notifications/mail/{template}/body.txt", ctx).strip() + "\n"
        body_html = ""
        if html:
            try:
                body_html = render_to_string(f"notifications/mail/{template}/body.html", ctx)
            except TemplateDoesNotExist:  # no HTML version: made from the text
                body_html = html_from_text(subject, text, language)
    return RenderedMail(subject=subject, body_text=text, body_html=body_html)


def html_from_text(subject: str, text: str, language: str) -> str:
    """Wrap a plain-text body in the portal's simple, accessible HTML mail layout."""
    with translation.override(language):
        return render_to_string(
            "notifications/mail/base.html",
            {
                "subject": subject,
                "content": linebreaks(urlize(text, autoescape=True), autoescape=False),
                "language": language,
                "site_name": settings.WAGTAIL_SITE_NAME,
                "site_url": settings.SITE_URL,
            },
        )


def queue_mail(
    *,
    to_email: str,
    subject: str,
    body_text: str,
    category: str,
    idempotency_key: str,
    body_html: str = "",
    recipient=None,
    language: str = "ja",
    headers: dict[str, str] | None = None,
    attachments: Iterable[Attachment] = (),
    unsubscribe_url: str | None = None,
) -> OutboundMail:
    """Record one mail in the outbox and send it once the current transaction commits.

    Queuing the same ``idempotency_key`` again changes nothing and returns the first row.
    With ``unsubscribe_url`` (a subscription mail) the mail carries RFC 8058 one-click
    unsubscribe headers.
    """
    all_headers = dict(headers or {})
    if unsubscribe_url:
        all_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        all_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # No savepoint of our own: inside the caller's transaction the row is simply part of it,
    # and mails queued in one transaction are handed to the workers together.
    mail = OutboundMail(
        idempotency_key=idempotency_key,
        category=category,
        recipient=recipient,
        to_email=to_email,
        from_email=settings.DEFAULT_FROM_EMAIL,
        language=language,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        headers=all_headers,
        attachments=[a.as_json() for a in attachments],
        message_id=make_msgid(domain=settings.MAIL_MESSAGE_ID_DOMAIN),
    )
    with transaction.atomic(savepoint=False):
        # INSERT … ON CONFLICT DO NOTHING: a repeated key neither fails nor needs a savepoint.
        if not insert_new([mail], match="idempotency_key"):  # the key was queued before: that mail stands
            return OutboundMail.objects.get(idempotency_key=idempotency_key)
        _deliver_after_commit(mail.pk)
    return mail


@dataclass(frozen=True)
class MailSpec:
    """One mail of a bulk queuing (:func:`queue_mails_bulk`); the fields mean what they do in :func:`queue_mail`."""

    to_email: str
    subject: str
    body_text: str
    category: str
    idempotency_key: str
    body_html: str = ""
    recipient_id: int | None = None
    language: str = "ja"
    unsubscribe_url: str | None = None


def queue_mails_bulk(mails: Iterable[MailSpec], *, batch_size: int = 1000) -> int:
    """Record many mails in the outbox at once and send them once the current transaction commits.

    The same guarantees as :func:`queue_mail`, for thousands of mails: one INSERT … ON CONFLICT
    DO NOTHING per ``batch_size`` mails, so an idempotency key queued before (by an earlier run
    of the same job) is skipped and never mailed twice. Returns how many mails were new.
    """
    new_count = 0
    batch: list[OutboundMail] = []

    def flush() -> int:
        if not batch:
            return 0
        ids = [mail.pk for mail in insert_new(batch, match="message_id")]  # a key queued before keeps its row
        _deliver_after_commit(ids)
        batch.clear()
        return len(ids)

    with transaction.atomic(savepoint=False):
        for spec in mails:
            headers = {}
            if spec.unsubscribe_url:
                headers["List-Unsubscribe"] = f"<{spec.unsubscribe_url}>"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            batch.append(
                OutboundMail(
                    idempotency_key=spec.idempotency_key,
                    category=spec.category,
                    recipient_id=spec.recipient_id,
                    to_email=spec.to_email,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    language=spec.language,
                    subject=spec.subject[:255],
                    body_text=spec.body_text,
                    body_html=spec.body_html,
                    headers=headers,
                    attachments=[],
                    message_id=make_msgid(domain=settings.MAIL_MESSAGE_ID_DOMAIN),
                )
            )
            if len(batch) >= batch_size:
                new_count += flush()
        new_count += flush()
    return new_count


def queue_templated_mail(
    *,
    template: str,
    context: dict[str, Any],
    to_email: str,
    idempotency_key: str,
    recipient=None,
    language: str | None = None,
    category: str | None = None,
    attachments: Iterable[Attachment] = (),
    unsubscribe_url: str | None = None,
) -> OutboundMail:
    """Render a mail template in the recipient's language and queue it (see :func:`queue_mail`)."""
    if language is None:
        language = getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    wants_html = getattr(recipient, "mail_html", True)
    rendered = render_mail(
        template,
        {"recipient": recipient, "unsubscribe_url": unsubscribe_url, **context},
        language=language,
        html=wants_html,
    )
    return queue_mail(
        to_email=to_email,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        category=category or template,
        idempotency_key=idempotency_key,
        recipient=recipient,
        language=language,
        attachments=attachments,
        unsubscribe_url=unsubscribe_url,
    )


def _deliver_after_commit(mail_id: int | list[int]) -> None:
    """Collect the mails of the current transaction; publish them in batches once it commits.

    Mails are grouped per transaction *and* savepoint, because Django drops the commit hooks
    of a savepoint that rolls back: a batch never outlives the rows it stands for.
    """
    conn = transaction.get_connection()
    outermost = conn.atomic_blocks[0]
    pending: dict = conn.__dict__.setdefault("_outbox_pending", {})
    for key in [k for k in pending if k[0] is not outermost]:
        del pending[key]  # left over from a transaction that rolled back
    key = (outermost, tuple(conn.savepoint_ids))
    if key not in pending:
        ids: list[int] = []
        pending[key] = ids

        def publish() -> None:
            pending.pop(key, None)
            enqueue_delivery(ids)

        transaction.on_commit(publish, robust=True)
    if isinstance(mail_id, int):
        pending[key].append(mail_id)
    else:
        pending[key].extend(mail_id)


def enqueue_delivery(mail_ids: int | list[int], *, countdown: float | None = None, queue: str | None = None) -> None:
    """Hand mails to the Celery queue, ``OUTBOX_BATCH_SIZE`` per task.

    If the broker is down the request still succeeds: the sweeper picks the mails up later.
    ``queue`` is the Celery queue (the default one unless the sweeper is recovering mails).
    """
    from notifications.tasks import deliver_mail, deliver_mails

    ids = [mail_ids] if isinstance(mail_ids, int) else list(mail_ids)
    size = settings.OUTBOX_BATCH_SIZE
    try:
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            if len(chunk) == 1:
                deliver_mail.apply_async((chunk[0],), countdown=countdown, queue=queue)
            else:
                deliver_mails.apply_async((chunk,), countdown=countdown, queue=queue)
    except Exception:
        logger.exception("Could not enqueue mails %s; the outbox sweeper will retry them", ids[:10])


# --- Delivery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # "sent", "retry", "failed", "skipped"
    retry_in: float | None = None


def _due(now) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_expires_at__lt=now)


def claim(mail_ids: list[int], *, task_id: str | None = None, worker: str | None = None) -> list[OutboundMail]:
    """Claim the due mails among ``mail_ids`` for this worker; the others are skipped.

    The conditional UPDATE is the lock: the database lets exactly one claimant match a row.
    The lease outlasts the task's hard time limit, so no live worker loses its claim.

    ``task_id`` is the Celery task making the claim, recorded on each row. Rows still claimed
    by that same task id are taken back at once, lease or not: Celery only runs a task id again
    after its earlier run ended (redelivered after its worker was lost, or retried), so nobody
    else is sending them. A different task never takes a live lease.
    """
    if worker is None:
        from notifications.heartbeat import WORKER_ID as worker
    now = timezone.now()
    token = uuid.uuid4()
    due = _due(now)
    if task_id:
        due |= Q(status=Status.SENDING, claimed_by=task_id)
    claimed = (
        OutboundMail.objects.filter(pk__in=mail_ids)
        .filter(due)
        .update(
            status=Status.SENDING,
            claim_token=token,
            claimed_by=task_id or "",
            claimed_worker=worker,
            lease_expires_at=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return []
    return list(OutboundMail.objects.filter(pk__in=mail_ids, claim_token=token).order_by("pk"))


def release(mails: list[OutboundMail]) -> None:
    """Give back claimed mails that were not tried, as if they had never been claimed."""
    for mail in mails:
        OutboundMail.objects.filter(pk=mail.pk, claim_token=mail.claim_token).update(
            status=Status.QUEUED, claim_token=None, lease_expires_at=None, attempts=F("attempts") - 1
        )


def build_message(mail: OutboundMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": mail.message_id, **mail.headers}
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=[mail.to_email],
        headers=headers,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for item in mail.attachments:
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return message


# --- Fast MIME: the bytes Django would send, without building an email.message tree ---------
#
# Building each mail with EmailMultiAlternatives and flattening it with email.generator was
# about a third of a worker's time per mail (header folding, ~19 ``Header.encode`` per mail).
# :func:`message_bytes` writes the same MIME directly: the parts are the row's text and HTML
# as UTF-8 ``8bit`` (what Django does when no line is longer than 998 bytes), and the headers
# that cost the most (the Japanese Subject, the From with its display name) are encoded once
# per distinct value. A mail it cannot write the same way (attachments, a line too long for
# 8bit, a non-ASCII or unusual address, an address or Date header of its own) returns None and
# is built by Django as before. tests/notifications/test_fast_mime.py checks both give the
# same parsed headers and parts.

_LINE_LIMIT = 998  # RFC 5322; Django switches the body to quoted-printable above it
_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_OWN_HEADERS = {"from", "to", "cc", "bcc", "reply-to", "date", "message-id", "sender", "mime-version"}
_OWN_HEADERS |= {"content-type", "content-transfer-encoding", "subject"}


@functools.lru_cache(maxsize=256)
def _encoded_header(name: str, value: str) -> str:
    """``name: value`` as Django's message would write it (RFC 2047 words if not ASCII), CRLF-folded."""
    encoded = forbid_multi_line_headers(name, value, "utf-8")[1]
    return f"{name}: {encoded}".replace("\r\n", "\n").replace("\n", "\r\n")


@functools.lru_cache(maxsize=64)
def _envelope_from(from_email: str) -> str:
    return sanitize_address(from_email, "utf-8")


def _body_ok(text: str) -> bool:
    return all(len(line) * 3 <= _LINE_LIMIT or len(line.encode()) <= _LINE_LIMIT for line in text.splitlines())


def _part_bytes(body: str, subtype: str) -> tuple[bytes, bytes]:
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 8bit\r\n'
    return head.encode("ascii"), body.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def message_bytes(mail: OutboundMail) -> tuple[str, list[str], bytes] | None:
    """Envelope sender, recipients and the message bytes of ``mail``; None if only Django can write it."""
    if mail.attachments or not mail.to_email.isascii() or not _SIMPLE_ADDRESS.fullmatch(mail.to_email):
        return None
    if not _body_ok(mail.body_text) or (mail.body_html and not _body_ok(mail.body_html)):
        return None
    extra = []
    for name, value in mail.headers.items():
        if name.lower() in _OWN_HEADERS:
            return None
        line = _encoded_header(name, value)
        if any(len(part) > _LINE_LIMIT for part in line.split("\r\n")):
            return None
        extra.append(line)
    headers = [
        _encoded_header("Subject", mail.subject),
        _encoded_header("From", mail.from_email),
        f"To: {mail.to_email}",
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        f"Message-ID: {mail.message_id}",
        *extra,
    ]
    text_head, text = _part_bytes(mail.body_text, "plain")
    if not mail.body_html:
        top = text_head + "\r\n".join(headers).encode() + b"\r\n\r\n"
        return _envelope_from(mail.from_email), [mail.to_email], top + text
    html_head, html = _part_bytes(mail.body_html, "html")
    boundary = "===============" + secrets.token_hex(10) + "=="
    marker = boundary.encode()
    while marker in text or marker in html:  # as email.generator does: a boundary never in a part
        boundary = "===============" + secrets.token_hex(10) + "=="
        marker = boundary.encode()
    top = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\nMIME-Version: 1.0\r\n'
        + "\r\n".join(headers)
        + "\r\n\r\n"
    ).encode()
    return (
        _envelope_from(mail.from_email),
        [mail.to_email],
        b"".join(
            [
                top,
                b"--" + marker + b"\r\n" + text_head + b"\r\n" + text,
                b"\r\n--" + marker + b"\r\n" + html_head + b"\r\n" + html,
                b"\r\n--" + marker + b"--\r\n",
            ]
        ),
    )


def is_permanent(error: Exception) -> bool:
    """SMTP 5xx answers are permanent; everything else (4xx, network, time-outs) is worth a retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def retry_delay(attempts: int) -> float:
    """Exponential back-off: base, 2×base, 4×base … capped at the maximum."""
    return float(min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS))


class _Connection:
    """One mail connection per worker process, reused across mails and checked when idle."""

    backend = None
    last_used = 0.0

    @classmethod
    def get(cls):
        if cls.backend is not None and time.monotonic() - cls.last_used > 5:
            smtp = getattr(cls.backend, "connection", None)
            if smtp is not None:
                try:
                    smtp.noop()
                except Exception:  # noqa: BLE001 - any failure means "open a new one"
                    cls.reset()
        if cls.backend is None:
            cls.backend = get_connection(fail_silently=False)
            cls.backend.open()
        return cls.backend

    @classmethod
    def reset(cls) -> None:
        if cls.backend is not None:
            with contextlib.suppress(Exception):  # the connection may already be broken
                cls.backend.close()
        cls.backend = None


@dataclass
class BatchResult:
    outcomes: dict[int, str]
    retry_ids: list[int]  # to try again after ``retry_in`` seconds (the failed one and the untried rest)
    retry_in: float | None = None


def deliver_many(mail_ids: list[int], *, task_id: str | None = None) -> BatchResult:
    """Send the due mails among ``mail_ids``, each marked sent as soon as the server took it.

    A permanent failure fails that mail only. A temporary one (the server is down or busy)
    stops the batch: the rest would fail the same way, so it waits for the same retry.
    If marking a mail sent finds the claim gone (the sweeper judged this worker dead and the
    rows were claimed again), the batch stops: its other rows belong to someone else now.
    """
    mails = claim(mail_ids, task_id=task_id)
    result = BatchResult(outcomes=dict.fromkeys(mail_ids, "skipped"), retry_ids=[])
    for position, mail in enumerate(mails):
        try:
            _send(mail)
        except SoftTimeLimitExceeded as error:
            _record_failure(mail, error)
            release(mails[position + 1 :])
            raise
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
            outcome = _record_failure(mail, error)
            result.outcomes[mail.pk] = outcome.outcome
            if outcome.outcome == "retry":
                release(mails[position + 1 :])
                result.retry_ids = [m.pk for m in mails[position:]]
                result.retry_in = outcome.retry_in
                return result
            continue
        marked = _mark_sent(mail)
        result.outcomes[mail.pk] = "sent"
        if not marked:
            logger.warning("Mail %s: the claim was taken over while sending; the rest of the batch is left", mail.pk)
            return result
    return result


def _mark_sent(mail: OutboundMail) -> bool:
    """Mark one mail sent if this claim still holds it; False if the claim was taken over.

    One row at a time, right after the server's ``250``: that keeps the duplicate window
    (docs/outbox.md) to the one mail in flight when a worker dies. Plain SQL, because the ORM's
    ``update()`` cost as much CPU as the statement. On PostgreSQL the mark does not wait for its
    WAL flush (``synchronous_commit = off`` for this statement only, in the same round trip):
    that wait was most of the statement's time. A worker crash loses nothing by it; only a crash
    of PostgreSQL itself can forget the marks of its last ~0.6 s, and those mails go again with
    their same Message-ID — the database-restart case of the window.
    """
    table = OutboundMail._meta.db_table
    update = (
        f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '', lease_expires_at = NULL "  # noqa: S608 - our own table name
        "WHERE id = %s AND claim_token = %s"
    )
    # Values as the fields write them (a UUID is text on SQLite, a datetime naive UTC there).
    prep = {f: OutboundMail._meta.get_field(f) for f in ("sent_at", "claim_token")}
    params = [
        Status.SENT.value,
        prep["sent_at"].get_db_prep_value(timezone.now(), db_connection),
        mail.pk,
        prep["claim_token"].get_db_prep_value(mail.claim_token, db_connection),
    ]
    with db_connection.cursor() as cursor:
        if db_connection.vendor != "postgresql":
            cursor.execute(update, params)
            return cursor.rowcount == 1
        # Two statements in one simple query run as one implicit transaction, so SET LOCAL
        # applies to this UPDATE only. (Django's PostgreSQL cursors bind client-side.)
        cursor.execute("SET LOCAL synchronous_commit = off; " + update, params)
        cursor.nextset()
        return cursor.rowcount == 1


def deliver(mail_id: int, *, task_id: str | None = None) -> DeliveryResult:
    """Send one outbox mail if it is due and this worker wins the claim."""
    batch = deliver_many([mail_id], task_id=task_id)
    return DeliveryResult(batch.outcomes[mail_id], retry_in=batch.retry_in)


def _send(mail: OutboundMail) -> None:
    try:
        connection = _Connection.get()
        smtp = getattr(connection, "connection", None)  # Django's SMTP backend, once open
        prepared = message_bytes(mail) if isinstance(smtp, smtplib.SMTP) else None
        if prepared is not None:
            smtp.sendmail(*prepared)  # raises on refusal, like the backend with fail_silently=False
        elif not connection.send_messages([build_message(mail)]):
            raise smtplib.SMTPException("The mail backend reported nothing sent.")
    except BaseException:
        _Connection.reset()
        raise
    _Connection.last_used = time.monotonic()


def _record_failure(mail: OutboundMail, error: Exception) -> DeliveryResult:
    message = f"{type(error).__name__}: {error}"[:2000]
    mine = OutboundMail.objects.filter(pk=mail.pk, claim_token=mail.claim_token)
    if is_permanent(error) or mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, last_error=message, lease_expires_at=None)
        logger.warning("Mail %s failed permanently: %s", mail.pk, message)
        return DeliveryResult("failed")
    delay = retry_delay(mail.attempts)
    mine.update(
        status=Status.QUEUED,
        last_error=message,
        lease_expires_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.info("Mail %s failed temporarily (%s); retry in %ss", mail.pk, message, delay)
    return DeliveryResult("retry", retry_in=delay)


def sweep(*, grace_seconds: int | None = None, limit: int = 1000) -> int:
    """Re-enqueue mails that should have been sent by now but were not.

    That is: queued mails whose time came more than ``grace_seconds`` ago (their task was
    lost, e.g. the broker was down at commit), mails whose worker died mid-send (the lease ran
    out), and mails claimed by a worker whose heartbeat stopped more than
    ``OUTBOX_WORKER_DEAD_SECONDS`` ago: their lease is ended now rather than after
    ``OUTBOX_LEASE_SECONDS``. Returns how many were enqueued; enqueuing twice is harmless.
    """
    from notifications import heartbeat

    if grace_seconds is None:
        grace_seconds = settings.OUTBOX_SWEEP_GRACE_SECONDS
    now = timezone.now()
    dead = heartbeat.dead_workers()
    if dead is not None:
        freed = (
            OutboundMail.objects.filter(status=Status.SENDING, lease_expires_at__gte=now, claimed_worker__in=dead)
            .exclude(claimed_worker="")
            .update(lease_expires_at=now - timedelta(seconds=1))
        )
        if freed:
            logger.warning("Outbox: %s mails claimed by workers without a heartbeat were freed", freed)
    due = (
        OutboundMail.objects.filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=now - timedelta(seconds=grace_seconds))
            | Q(status=Status.SENDING, lease_expires_at__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    enqueue_delivery(ids, queue=settings.OUTBOX_RECOVERY_QUEUE)  # not behind a broadcast's backlog
    return len(ids)


# --- Privacy ------------------------------------------------------------------------------


def purge_old_content(*, days: int | None = None) -> int:
    """Blank the text of mails sent or failed more than ``days`` ago (OUTBOX_RETENTION_DAYS).

    The row stays as the record that a mail went out (to whom, about what, when, Message-ID);
    what it said, which may name a child or where an elderly person was, does not.
    """
    if days is None:
        days = settings.OUTBOX_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    return (
        OutboundMail.objects.filter(status__in=[Status.SENT, Status.FAILED], created_at__lt=cutoff)
        .exclude(body_text="", body_html="", attachments=[])
        .update(subject="", body_text="", body_html="", attachments=[], headers={})
    )


def forget_recipient(*, user, emails: list[str]) -> int:
    """Delete every outbox row of a resident who deletes their account, queued ones included."""
    deleted, _by_model = OutboundMail.objects.filter(Q(recipient=user) | Q(to_email__in=emails)).delete()
    return deleted
