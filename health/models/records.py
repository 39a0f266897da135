"""Medical history, medicines, allergies and check-up files (健診結果) of one health record.

Every row hangs off a :class:`HealthRecord` and goes with it (``CASCADE``): deleting an account or a
household member deletes these rows, and a signal (``health.records.signals``) removes the stored files.
The pages, forms and FHIR mapping live in ``health/records/``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.models.base import HealthRecord


class Condition(models.Model):
    """An illness or condition in the person's medical history (病歴)."""

    class Status(models.TextChoices):
        # FHIR condition-clinical codes, so the export maps one to one.
        ACTIVE = "active", _("Ongoing")
        RECURRENCE = "recurrence", _("Came back")
        REMISSION = "remission", _("In remission")
        RESOLVED = "resolved", _("Resolved")
        INACTIVE = "inactive", _("Inactive")

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="conditions")
    name = models.CharField(_("condition"), max_length=200)
    onset = models.DateField(_("onset date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-onset", "-id"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.name


class Medicine(models.Model):
    """A medicine the person takes or took (服薬歴): name, dose, period and the clinic that prescribed it."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="medicines")
    name = models.CharField(_("medicine"), max_length=200)
    dose = models.CharField(_("dose"), max_length=200, blank=True)
    start = models.DateField(_("start date"), null=True, blank=True)
    end = models.DateField(_("end date"), null=True, blank=True)
    clinic = models.CharField(_("clinic or pharmacy"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("medicine")
        verbose_name_plural = _("medicines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="health_medicine_period_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Allergy(models.Model):
    """An allergy or intolerance: what causes it, what happens, how bad it is."""

    class Severity(models.TextChoices):
        # FHIR reaction severity codes.
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(_("substance"), max_length=200)
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["substance", "id"]
        verbose_name = _("allergy")
        verbose_name_plural = _("allergies")

    def __str__(self) -> str:
        return self.substance


class CheckupFile(models.Model):
    """A check-up result (健診結果) the resident uploaded: a PDF, JPEG or PNG checked by its content.

    The bytes live under ``settings.HEALTH_FILES_ROOT`` at ``stored_name`` (a random name, never the
    uploaded one), outside public media; only ``health.records.views.checkup_file`` serves them.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="checkup_files")
    title = models.CharField(_("title"), max_length=200)
    taken_on = models.DateField(_("date of the check-up"), null=True, blank=True)
    kind = models.CharField(_("file type"), max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=255, unique=True, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("check-up result")
        verbose_name_plural = _("check-up results")

    def __str__(self) -> str:
        return self.title

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[self.kind]

    @property
    def is_image(self) -> bool:
        return self.kind != self.Kind.PDF
