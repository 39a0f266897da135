"""The personal health log. Every row hangs off a :class:`HealthRecord`: one person's log.

A record belongs either to a resident (their own log) or to a household member they look after
(a child, an elderly parent without an account). Who may open which record is in ``access.py``.
These are 要配慮個人情報 under the APPI: staff never see a single person's record, only aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import HouseholdMember


class HealthRecord(models.Model):
    """One person's health log: the resident's own, or a household member's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="health_record"
    )
    member = models.OneToOneField(
        HouseholdMember, null=True, blank=True, on_delete=models.CASCADE, related_name="health_record"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, member__isnull=True)
                    | models.Q(user__isnull=True, member__isnull=False)
                ),
                name="health_record_one_person",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        person = self.user if self.user_id else self.member
        if self.user_id:
            return person.get_full_name() or person.email
        return str(person)

    @property
    def birth_date(self):
        """The person's date of birth when known (members carry it; accounts do not)."""
        return self.member.birth_date if self.member_id else None


class Caregiver(models.Model):
    """Another account the record's owner lets manage their own log (e.g. a daughter for her mother)."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="caregivers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="health_caregiving")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        constraints = [models.UniqueConstraint(fields=["record", "user"], name="health_caregiver_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.record}"
