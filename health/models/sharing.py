"""Sharing a health log: links a doctor opens without an account, and who looked at what.

- ``ShareLink``: chosen sections and a date range of one record, for at most 72 hours. Only a hash
  of its token is stored (the token is in the address and the QR code); an optional passcode is
  stored with Django's password hashers. Revoking sets ``revoked_at``; every view checks it.
- ``ShareLinkView``: one row per opening of a link (or a refused try on a known link), with the
  viewer's network truncated (IPv4 /24, IPv6 /48), never the full address.
- ``RecordAccess``: a caregiver (``Caregiver``) opened someone else's record.

The two logs are deleted after ``health.sharing.services.LOG_RETENTION_DAYS`` (see
docs/health-sharing.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from health.models.base import HealthRecord


class ShareLink(models.Model):
    """A read-only view of chosen sections of one record for a doctor, for a short time."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    sections = models.JSONField(default=list, help_text="Keys of health.sections shown by the link.")
    start_date = models.DateField(_("shared from"), null=True, blank=True)
    end_date = models.DateField(_("shared until"), null=True, blank=True)
    note = models.CharField(pgettext_lazy("health sharing", "for whom"), max_length=100, blank=True)
    passcode_hash = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"{self.record} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode_hash)

    def is_active(self, now=None) -> bool:
        """Open to a doctor: not revoked and not expired."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class ShareLinkView(models.Model):
    """Somebody opened a share link (or tried to, after it ended or with a wrong passcode)."""

    class Outcome(models.TextChoices):
        SHOWN = "shown", pgettext_lazy("health sharing", "Opened")
        WRONG_PASSCODE = "wrong_passcode", _("Wrong passcode")
        LOCKED = "locked", _("Too many wrong passcodes")
        ENDED = "ended", _("Refused: expired or revoked")

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SHOWN)
    network = models.CharField(max_length=64, blank=True, help_text="IPv4 /24 or IPv6 /48 of the viewer.")
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("share link view")
        verbose_name_plural = _("share link views")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.network}"


class RecordAccess(models.Model):
    """A caregiver opened a page of a record that is not their own."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_label = models.CharField(max_length=200, help_text="The caregiver's name, kept if the account goes.")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} → {self.record}"
