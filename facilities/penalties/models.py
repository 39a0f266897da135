"""Usage records and suspensions. App label ``facilities``: :mod:`facilities.models` imports this module."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UsageRecord(models.Model):
    """What happened to one booking: used, not shown, or cancelled late; with the points it cost.

    The points are fixed when the record is written, so changing the settings never rewrites the
    past. They count against the holder: the group if the booking was for a group, else the
    resident. ``suspension`` is set once a suspension has used the points, so they do not count twice.
    """

    class Outcome(models.TextChoices):
        USED = "used", _("Used")
        NO_SHOW = "no_show", _("Did not come")
        LATE_CANCEL = "late_cancel", _("Cancelled late")

    reservation = models.OneToOneField(
        "facilities.Reservation", verbose_name=_("reservation"), on_delete=models.CASCADE, related_name="usage_record"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=1, default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="usage_records"
    )
    club = models.ForeignKey(
        "facilities.Club", null=True, blank=True, on_delete=models.CASCADE, related_name="usage_records"
    )
    day = models.DateField(_("day of use"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspension = models.ForeignKey(
        "facilities.Suspension", null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        indexes = [
            models.Index(fields=["user", "day"], name="facilities_usage_user_day"),
            models.Index(fields=["club", "day"], name="facilities_usage_club_day"),
        ]

    def __str__(self) -> str:
        return f"{self.reservation_id} {self.outcome}"


class Suspension(models.Model):
    """A resident or a group may not book or apply to a lottery from ``starts_on`` to ``ends_on``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="facility_suspensions",
    )
    club = models.ForeignKey(
        "facilities.Club",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suspensions",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=1)
    rule = models.CharField(_("rule"), max_length=40, help_text=_("points/window days/months"))
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, club__isnull=True)
                | models.Q(user__isnull=True, club__isnull=False),
                name="facilities_suspension_one_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.club or self.user} {self.starts_on}–{self.ends_on}"

    @property
    def lifted(self) -> bool:
        return self.lifted_at is not None
