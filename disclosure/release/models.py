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

__all__ = ["ReleasedFile"]


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
