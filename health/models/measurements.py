"""Measurements (測定記録): one row per reading, a personal goal range per type, reminders to measure.

The types, their LOINC codes, units and ranges are in ``health.measurements.catalogue``.
BMI rows are derived (``source`` is the weight reading they come from) and never typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.measurements import catalogue
from health.models.base import HealthRecord


class Measurement(models.Model):
    """One reading: a value (blood pressure: systolic in ``value``, diastolic in ``value2``)."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="measurements")
    type = models.CharField(_("type"), max_length=32, choices=catalogue.choices)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2)
    value2 = models.DecimalField(_("second value"), max_digits=9, decimal_places=2, null=True, blank=True)
    measured_at = models.DateTimeField(_("measured at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="derived", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [models.Index(fields=["record", "type", "measured_at"], name="health_meas_rec_type_at")]

    def __str__(self) -> str:
        return f"{self.type} {self.value} @ {self.measured_at:%Y-%m-%d %H:%M}"

    @property
    def mtype(self) -> catalogue.MeasurementType:
        return catalogue.TYPES[self.type]


class MeasurementGoal(models.Model):
    """A resident's personal goal range for one type of one record (any bound may be left open)."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="measurement_goals")
    type = models.CharField(_("type"), max_length=32, choices=catalogue.choices)
    low = models.DecimalField(_("lower bound"), max_digits=9, decimal_places=2, null=True, blank=True)
    high = models.DecimalField(_("upper bound"), max_digits=9, decimal_places=2, null=True, blank=True)
    low2 = models.DecimalField(_("diastolic lower bound"), max_digits=9, decimal_places=2, null=True, blank=True)
    high2 = models.DecimalField(_("diastolic upper bound"), max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("measurement goal")
        verbose_name_plural = _("measurement goals")
        constraints = [models.UniqueConstraint(fields=["record", "type"], name="health_goal_once_per_type")]

    def __str__(self) -> str:
        return f"{self.type} {self.low}–{self.high}"


class MeasureReminder(models.Model):
    """A daily mail to ``user`` at ``time_of_day`` (Asia/Tokyo) to measure ``type`` for ``record``."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="measure_reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_reminders")
    type = models.CharField(_("type"), max_length=32, choices=catalogue.choices)
    time_of_day = models.TimeField(_("time of day"))
    active = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reminder to measure")
        verbose_name_plural = _("reminders to measure")
        indexes = [models.Index(fields=["active", "time_of_day"], name="health_reminder_due")]

    def __str__(self) -> str:
        return f"{self.type} {self.time_of_day:%H:%M}"
