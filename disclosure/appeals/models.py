"""Appeals (審査請求) against a disclosure decision, under 行政不服審査法 and the town's ordinance.

An :class:`Appeal` is filed by the requester against a decision on their request; the town refers it
to the 情報公開審査会 (諮問), receives the council's report (答申) and decides (裁決): 認容 /
一部認容 / 棄却 / 却下. Each step is an ``Event`` on the request (the history both sides see).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["Appeal", "AppealOutcome", "AppealStatus"]


class AppealStatus(models.TextChoices):
    FILED = "filed", pgettext_lazy("appeal status", "Filed")
    REFERRED = "referred", pgettext_lazy("appeal status", "Referred to the review council")
    REPORTED = "reported", pgettext_lazy("appeal status", "Report of the review council received")
    DECIDED = "decided", pgettext_lazy("appeal status", "Decided")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("appeal outcome", "Upheld")
    PARTLY_UPHELD = "partly_upheld", pgettext_lazy("appeal outcome", "Partly upheld")
    DENIED = "denied", pgettext_lazy("appeal outcome", "Denied")
    DISMISSED = "dismissed", pgettext_lazy("appeal outcome", "Dismissed")


class Appeal(models.Model):
    """An appeal against the decision on ``request``, from its filing to the ruling (裁決)."""

    request = models.ForeignKey(
        "disclosure.Request", on_delete=models.CASCADE, related_name="appeals", verbose_name=_("disclosure request")
    )
    filed_on = models.DateField(_("appeal filed on"))
    grounds = models.TextField(_("grounds of the appeal"))
    #: Why a late appeal is accepted (正当な理由, 行政不服審査法18条1項ただし書); empty when filed in time.
    late_reason = models.TextField(_("justified reason for filing late"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.FILED)
    referred_on = models.DateField(_("referred to the review council on"), null=True, blank=True)
    report_on = models.DateField(_("report received on"), null=True, blank=True)
    decided_on = models.DateField(_("ruling made on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AppealOutcome.choices, blank=True)
    note = models.TextField(_("note on the ruling"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="decided", decided_on__isnull=False) & ~models.Q(outcome="")
                | ~models.Q(status="decided") & models.Q(outcome=""),
                name="disclosure_appeal_outcome_when_decided",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.filed_on}"

    @property
    def is_open(self) -> bool:
        return self.status != AppealStatus.DECIDED
