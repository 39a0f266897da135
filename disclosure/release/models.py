"""Files the town releases on a request: the decision letter (決定通知書) and the disclosed documents.

A :class:`ReleasedFile` is what the requester may download once the decision is made, and what
anyone may download once the request is published in the archive. Originals that still hold
non-disclosable text never become a ``ReleasedFile``: only the redacted copy does
(see ``disclosure/release/redaction.py``). Files live outside MEDIA_ROOT, in the same private
storage as the catalogue's, and are served only by a permission-checked view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.catalogue.models import private_storage

__all__ = ["RedactionBox", "RedactionDraft", "ReleasedFile"]


class ReleasedFile(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", _("Decision letter")
        DOCUMENT = "document", _("Disclosed document")

    request = models.ForeignKey(
        "disclosure.Request", on_delete=models.CASCADE, related_name="released_files", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    file = models.FileField(_("file"), upload_to="released/%Y/%m/", storage=private_storage, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"), default=0)
    #: True when the file is the output of the redaction tool (部分開示).
    redacted = models.BooleanField(_("redacted"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("released file")
        verbose_name_plural = _("released files")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class RedactionDraft(models.Model):
    """Staff's work on one document to redact (部分開示): the original PDF and the boxes drawn on it.

    The original stays in private storage and is never a :class:`ReleasedFile`: residents cannot
    reach it by any link. Applying the boxes makes ``output``, the redacted file the requester gets.
    """

    request = models.ForeignKey(
        "disclosure.Request", on_delete=models.CASCADE, related_name="redaction_drafts", verbose_name=_("request")
    )
    original = models.FileField(
        _("original"), upload_to="redaction/originals/%Y/%m/", storage=private_storage, max_length=300
    )
    name = models.CharField(_("file name"), max_length=255)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    output = models.OneToOneField(
        ReleasedFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redaction",
        verbose_name=_("redacted file"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("redaction draft")
        verbose_name_plural = _("redaction drafts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class RedactionBox(models.Model):
    """One redacted area: the page (from 1), the rectangle in PDF points (from the top left) and the reason."""

    draft = models.ForeignKey(RedactionDraft, on_delete=models.CASCADE, related_name="boxes")
    page = models.PositiveIntegerField(_("page"))
    x0 = models.FloatField()
    y0 = models.FloatField()
    x1 = models.FloatField()
    y1 = models.FloatField()
    #: The ordinance article, e.g. 「第7条第2号（個人に関する情報）」; shown to the requester.
    reason = models.CharField(_("reason (ordinance article)"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("redacted area")
        verbose_name_plural = _("redacted areas")
        ordering = ["page", "y0", "x0", "pk"]

    def __str__(self) -> str:
        return f"p.{self.page} {self.reason}"
