"""Reads of medical history, medicines, allergies and check-up files.

Every read goes through the record the user may manage (``health.selectors.record_for``); an entry of
another record, or of a record the user may not manage, is ``None`` (→ 404).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from health import access
from health.models import Allergy, CheckupFile, Condition, HealthRecord, Medicine
from portal.models import User


def entry_for(user: User, model: type[models.Model], record_id: int, entry_id: int) -> models.Model | None:
    """The entry if it belongs to ``record_id`` and the user may manage that record, else ``None``."""
    return (
        model.objects.filter(pk=entry_id, record_id=record_id, record__in=access.manageable_records(user).values("pk"))
        .select_related("record")
        .first()
    )


def entries_of(record: HealthRecord, model: type[models.Model]) -> list[models.Model]:
    """All entries of one kind on the record, in the model's order (one query)."""
    return list(model.objects.filter(record=record))


def _count(model: type[models.Model]):
    per_record = model.objects.filter(record=models.OuterRef("pk")).order_by().values("record")
    return Coalesce(models.Subquery(per_record.annotate(n=models.Count("pk")).values("n")), 0)


def counts_of(record: HealthRecord) -> dict[str, int]:
    """How many entries of each kind the record holds (one query)."""
    row = (
        HealthRecord.objects.filter(pk=record.pk)
        .values(
            n_conditions=_count(Condition),
            n_medicines=_count(Medicine),
            n_allergies=_count(Allergy),
            n_checkups=_count(CheckupFile),
        )
        .get()
    )
    return {key.removeprefix("n_"): value for key, value in row.items()}


# --- What the shared views (doctor link, summary, FHIR) show for a date range -------------------
# ``start`` / ``end`` are dates or None (no limit). Each is one query.


def conditions_between(record: HealthRecord, start: datetime.date | None, end: datetime.date | None):
    """Conditions known by ``end`` (no onset date: always); a condition resolved before ``start`` too,
    since a medical history is read as a whole."""
    qs = Condition.objects.filter(record=record)
    if end:
        qs = qs.filter(Q(onset__isnull=True) | Q(onset__lte=end))
    return list(qs)


def medicines_between(record: HealthRecord, start: datetime.date | None, end: datetime.date | None):
    """Medicines whose period overlaps the range (an open start or end counts as overlapping)."""
    qs = Medicine.objects.filter(record=record)
    if end:
        qs = qs.filter(Q(start__isnull=True) | Q(start__lte=end))
    if start:
        qs = qs.filter(Q(end__isnull=True) | Q(end__gte=start))
    return list(qs)


def allergies_of(record: HealthRecord, start: datetime.date | None = None, end: datetime.date | None = None):
    """All allergies: they have no dates and always matter."""
    return list(Allergy.objects.filter(record=record))


def checkups_between(record: HealthRecord, start: datetime.date | None, end: datetime.date | None):
    """Check-up files dated in the range (undated ones always)."""
    qs = CheckupFile.objects.filter(record=record)
    if start:
        qs = qs.filter(Q(taken_on__isnull=True) | Q(taken_on__gte=start))
    if end:
        qs = qs.filter(Q(taken_on__isnull=True) | Q(taken_on__lte=end))
    return list(qs)
