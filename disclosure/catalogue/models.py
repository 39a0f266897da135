"""The public document catalogue (公開目録): documents, their files and the text extracted from them.

Search matches substrings of ``search_text`` (folded with :func:`portal.textsearch.fold`), as
the site search does; see docs/disclosure-catalogue.md.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.textsearch import display_form, fold


def private_storage() -> FileSystemStorage:
    """Catalogue files live outside MEDIA_ROOT: no web server serves them, only the checked view does."""
    return FileSystemStorage(location=Path(settings.VAR_DIR) / "private" / "disclosure", base_url=None)


def fiscal_year(day: datetime.date) -> int:
    """The Japanese fiscal year (年度) of ``day``: April to March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


class Category(models.TextChoices):
    PUBLIC = "public", _("Public (公開)")
    PARTIAL = "partial", _("Partly public (部分公開)")
    CLOSED = "closed", _("Not public (非公開)")
    ON_REQUEST = "on_request", _("Decided on request (請求により判断)")


#: Categories whose files anyone may download.
DOWNLOADABLE = (Category.PUBLIC, Category.PARTIAL)


class Retention(models.TextChoices):
    ONE = "1", _("1 year")
    THREE = "3", _("3 years")
    FIVE = "5", _("5 years")
    TEN = "10", _("10 years")
    THIRTY = "30", _("30 years")
    PERMANENT = "permanent", _("Permanent")


class CatalogueDocument(models.Model):
    """One administrative document (行政文書) of the catalogue, with its metadata and searchable text."""

    file_number = models.CharField(_("file number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    department = models.CharField(_("department"), max_length=100, db_index=True)
    created_on = models.DateField(_("date created"))
    decided_on = models.DateField(_("date decided"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True, editable=False)
    retention = models.CharField(_("retention period"), max_length=20, choices=Retention.choices)
    category = models.CharField(_("disclosure category"), max_length=20, choices=Category.choices, db_index=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    #: Text of every file, as extracted (whitespace runs as one space), for snippets.
    text = models.TextField(_("text"), blank=True)
    search_title = models.TextField(_("title for matching"), blank=True, editable=False)
    search_text = models.TextField(
        _("text for matching"), blank=True, editable=False, help_text=_("Title, keywords and text, folded.")
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("catalogue document")
        verbose_name_plural = _("catalogue documents")
        ordering = ["-created_on", "file_number"]

    def __str__(self) -> str:
        return f"{self.file_number} {self.title}"

    @property
    def downloadable(self) -> bool:
        """Its files and text are public (公開 or 部分公開); otherwise only its metadata is."""
        return self.category in DOWNLOADABLE

    def refresh_search_fields(self, file_texts: list[str] | None = None) -> None:
        """Fill ``fiscal_year``, ``text`` and the folded fields from the metadata and the files' text."""
        self.fiscal_year = fiscal_year(self.created_on)
        if file_texts is None:
            file_texts = [f.text for f in self.files.all()] if self.pk else []
        self.text = display_form(" ".join(file_texts))
        title = display_form(self.title)
        self.search_title = fold(title)
        # The text of a document that is not public is not searchable: a match would reveal it.
        body = self.text if self.downloadable else ""
        self.search_text = fold(" ".join([title, self.keywords, self.department, self.file_number, body]))


class CatalogueFile(models.Model):
    """A file of a catalogue document and the text extracted from every page or sheet of it."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (docx)"
        XLSX = "xlsx", "Excel (xlsx)"
        TEXT = "txt", _("Text")

    document = models.ForeignKey(
        CatalogueDocument, on_delete=models.CASCADE, related_name="files", verbose_name=_("document")
    )
    file = models.FileField(_("file"), upload_to="catalogue/%Y/%m/", storage=private_storage, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    text = models.TextField(_("extracted text"), blank=True)
    pages = models.PositiveIntegerField(_("pages or sheets"), default=0)
    #: PDF pages with no text layer (scans): their words are not searchable until OCR.
    pages_without_text = models.PositiveIntegerField(_("pages without text"), default=0)
    extraction_error = models.CharField(_("extraction problem"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("catalogue file")
        verbose_name_plural = _("catalogue files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_ocr(self) -> bool:
        """Shown to staff as 「OCR未処理」: a page of this file has no text to search."""
        return self.pages_without_text > 0
