"""Mother and child (母子健康手帳): pregnancy, birth, growth, vaccinations and the references they use.

Every resident's row hangs off a :class:`HealthRecord`: a pregnancy off the mother's own record,
a birth record, growth rows and doses given off the child's record (a household member).
The vaccination schedule (:class:`Vaccine`, :class:`VaccineDose`) and the Japanese growth reference
tables (:class:`GrowthReference`) are the town's data, edited by 健康 staff; they hold no one's data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.models.base import HealthRecord


class Sex(models.TextChoices):
    MALE = "male", _("Boy")
    FEMALE = "female", _("Girl")


class UrineResult(models.TextChoices):
    NEGATIVE = "-", "−"
    TRACE = "+-", "±"
    POSITIVE = "+", "+"
    STRONG = "++", "++"


class ReferenceChoice(models.TextChoices):
    DEFAULT = "", _("The town's default")
    WHO = "who", _("WHO Child Growth Standards")
    JAPAN = "jp", _("Japanese infant growth survey")


class ChildProfile(models.Model):
    """What the growth chart needs to know about a child: sex, and which reference to draw."""

    record = models.OneToOneField(HealthRecord, on_delete=models.CASCADE, related_name="child_profile")
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    growth_reference = models.CharField(
        _("growth reference"), max_length=3, choices=ReferenceChoice.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("child profile")
        verbose_name_plural = _("child profiles")

    def __str__(self) -> str:
        return f"{self.record} ({self.get_sex_display()})"


class Pregnancy(models.Model):
    """One pregnancy on the mother's own record."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="pregnancies")
    due_date = models.DateField(_("expected date of delivery"))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_date", "-id"]
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")

    def __str__(self) -> str:
        return f"{self.record}: {self.due_date}"


class PregnancyCheckup(models.Model):
    """One prenatal check-up (妊婦健診)."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.CASCADE, related_name="checkups")
    date = models.DateField(_("date"))
    week = models.PositiveSmallIntegerField(
        _("week of pregnancy"), validators=[MinValueValidator(4), MaxValueValidator(45)]
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(25), MaxValueValidator(200)],
    )
    systolic = models.PositiveSmallIntegerField(
        _("blood pressure, systolic (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(60), MaxValueValidator(260)],
    )
    diastolic = models.PositiveSmallIntegerField(
        _("blood pressure, diastolic (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(160)],
    )
    urine_protein = models.CharField(_("urine protein"), max_length=2, choices=UrineResult.choices, blank=True)
    urine_sugar = models.CharField(_("urine sugar"), max_length=2, choices=UrineResult.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("prenatal check-up")
        verbose_name_plural = _("prenatal check-ups")

    def __str__(self) -> str:
        return f"{self.date} ({self.week})"


class BirthRecord(models.Model):
    """The birth, on the child's record (出生時の記録)."""

    class Delivery(models.TextChoices):
        VAGINAL = "vaginal", _("Vaginal delivery")
        ASSISTED = "assisted", _("Assisted delivery (vacuum or forceps)")
        CESAREAN = "cesarean", _("Caesarean section")

    record = models.OneToOneField(HealthRecord, on_delete=models.CASCADE, related_name="birth")
    date = models.DateField(_("date of birth"))
    weeks = models.PositiveSmallIntegerField(
        _("weeks of pregnancy at birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(45)],
    )
    weight_g = models.PositiveIntegerField(
        _("birth weight (g)"), null=True, blank=True, validators=[MinValueValidator(200), MaxValueValidator(7000)]
    )
    length_cm = models.DecimalField(
        _("length (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(70)],
    )
    head_cm = models.DecimalField(
        _("head circumference (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(50)],
    )
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True)
    place = models.CharField(_("place of birth"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("birth record")
        verbose_name_plural = _("birth records")

    def __str__(self) -> str:
        return f"{self.record}: {self.date}"


class GrowthEntry(models.Model):
    """One measurement day of a child: any of weight, height (length) and head circumference."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="growth_entries")
    date = models.DateField(_("date"))
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.3), MaxValueValidator(150)],
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    head_cm = models.DecimalField(
        _("head circumference (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(70)],
    )

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("growth measurement")
        verbose_name_plural = _("growth measurements")
        constraints = [models.UniqueConstraint(fields=["record", "date"], name="health_growth_once_a_day")]

    def __str__(self) -> str:
        return f"{self.record}: {self.date}"


class GrowthReference(models.Model):
    """A percentile table uploaded by 健康 staff (the Japanese 乳幼児身体発育調査), one row per age."""

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("reference source"), max_length=500, help_text=_("Where the numbers come from."))
    is_default = models.BooleanField(
        _("use by default"), default=False, help_text=_("Charts use this table unless the family chose WHO.")
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("growth reference table")
        verbose_name_plural = _("growth reference tables")

    def __str__(self) -> str:
        return self.name


class GrowthReferenceRow(models.Model):
    class Measure(models.TextChoices):
        WEIGHT = "weight", _("Weight")
        HEIGHT = "height", _("Height")
        HEAD = "head", _("Head circumference")

    table = models.ForeignKey(GrowthReference, on_delete=models.CASCADE, related_name="rows")
    sex = models.CharField(max_length=6, choices=Sex.choices)
    measure = models.CharField(max_length=6, choices=Measure.choices)
    age_months = models.DecimalField(max_digits=5, decimal_places=2)
    p3 = models.DecimalField(max_digits=6, decimal_places=2)
    p10 = models.DecimalField(max_digits=6, decimal_places=2)
    p25 = models.DecimalField(max_digits=6, decimal_places=2)
    p50 = models.DecimalField(max_digits=6, decimal_places=2)
    p75 = models.DecimalField(max_digits=6, decimal_places=2)
    p90 = models.DecimalField(max_digits=6, decimal_places=2)
    p97 = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["sex", "measure", "age_months"]
        constraints = [
            models.UniqueConstraint(fields=["table", "sex", "measure", "age_months"], name="health_growth_ref_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.sex} {self.measure} {self.age_months}"


class Vaccine(models.Model):
    """A routine vaccine (定期接種) and which children it applies to, by date of birth."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    born_from = models.DateField(_("for children born from"), null=True, blank=True)
    born_until = models.DateField(_("for children born until"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")

    def __str__(self) -> str:
        return self.name

    def applies_to(self, birth_date) -> bool:
        return (self.born_from is None or birth_date >= self.born_from) and (
            self.born_until is None or birth_date <= self.born_until
        )


class VaccineDose(models.Model):
    """One dose of a vaccine and its window, as an age: from ``start`` until the day before ``end``."""

    vaccine = models.ForeignKey(Vaccine, on_delete=models.CASCADE, related_name="doses")
    number = models.PositiveSmallIntegerField(_("dose number"))
    label = models.CharField(_("label"), max_length=50, help_text=_("For example 1期初回 1回目."))
    start_months = models.PositiveSmallIntegerField(_("from age: months"), default=0)
    start_days = models.PositiveSmallIntegerField(_("from age: extra days"), default=0)
    end_months = models.PositiveSmallIntegerField(_("until age: months"), default=0)
    end_days = models.PositiveSmallIntegerField(_("until age: extra days"), default=0)
    interval_from = models.PositiveSmallIntegerField(
        _("interval counted from dose number"),
        null=True,
        blank=True,
        help_text=_("When that earlier dose was given, this one is due no sooner than the interval after it."),
    )
    interval_months = models.PositiveSmallIntegerField(_("minimum interval: months"), default=0)
    interval_days = models.PositiveSmallIntegerField(_("minimum interval: days"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["vaccine__order", "number"]
        verbose_name = _("vaccine dose")
        verbose_name_plural = _("vaccine doses")
        constraints = [models.UniqueConstraint(fields=["vaccine", "number"], name="health_vaccine_dose_once")]

    def __str__(self) -> str:
        return f"{self.vaccine.name} {self.label}"


class VaccinationGiven(models.Model):
    """A dose a child was given (date, lot, clinic)."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="vaccinations")
    dose = models.ForeignKey(VaccineDose, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date given"))
    lot = models.CharField(_("lot number"), max_length=50, blank=True)
    clinic = models.CharField(_("clinic"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("vaccination given")
        verbose_name_plural = _("vaccinations given")
        constraints = [models.UniqueConstraint(fields=["record", "dose"], name="health_vaccination_once")]

    def __str__(self) -> str:
        return f"{self.dose} {self.date}"


class VaccineReminderSent(models.Model):
    """A reminder of one dose of one child, sent to one guardian: the claim that makes it once only."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="+")
    dose = models.ForeignKey(VaccineDose, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "dose", "user"], name="health_vaccine_reminder_once")]

    def __str__(self) -> str:
        return f"{self.record} {self.dose_id} {self.user_id}"


class VaccineReminderOptOut(models.Model):
    """A guardian who wants no more vaccine reminders about this child (one-click unsubscribe)."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "user"], name="health_vaccine_optout_once")]

    def __str__(self) -> str:
        return f"{self.record} {self.user_id}"
