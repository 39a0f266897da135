"""The mail outbox: every mail the portal sends is a row here first."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundMail(models.Model):
    """One mail to one recipient, recorded before it is sent and sent at most once per claim.

    Life cycle: queued → sending (claimed by one worker, with a lease) → sent, or back to
    queued with a later ``next_attempt_at`` after a temporary failure, or failed after a
    permanent one (or too many temporary ones).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(max_length=200, unique=True)
    category = models.CharField(
        max_length=60, db_index=True, help_text="What the mail is about, e.g. account.email_confirmation."
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_mails"
    )
    to_email = models.EmailField(_("to"))
    from_email = models.CharField(max_length=254)
    language = models.CharField(max_length=8, default="ja")
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="[{filename, mimetype, content_b64}]")
    message_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    # Who holds the claim: the Celery task (its id) and the worker process running it (see
    # notifications.heartbeat). A redelivered task takes back its own rows at once; the sweeper
    # frees the rows of a worker whose heartbeat stopped.
    claimed_by = models.CharField(max_length=255, blank=True, default="")
    claimed_worker = models.CharField(max_length=255, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # Progress and delivery reports of a broadcast count its mails by category and status.
            models.Index(fields=["category", "status"], name="outbox_category_idx"),
        ]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


class WorkerHeartbeat(models.Model):
    """A Celery worker process that is alive: it writes ``seen_at`` every OUTBOX_HEARTBEAT_SECONDS.

    ``since`` is when its current unbroken run of beats began. Times are the database's clock,
    so workers on machines whose clocks differ are judged alike.
    """

    worker = models.CharField(max_length=255, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    seen_at = models.DateTimeField()
    since = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker
