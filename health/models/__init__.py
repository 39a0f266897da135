"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord
from health.models.child import (
    BirthRecord,
    ChildProfile,
    GrowthEntry,
    GrowthReference,
    GrowthReferenceRow,
    Pregnancy,
    PregnancyCheckup,
    VaccinationGiven,
    Vaccine,
    VaccineDose,
    VaccineReminderOptOut,
    VaccineReminderSent,
)

__all__ = [
    "BirthRecord",
    "Caregiver",
    "ChildProfile",
    "GrowthEntry",
    "GrowthReference",
    "GrowthReferenceRow",
    "HealthRecord",
    "Pregnancy",
    "PregnancyCheckup",
    "VaccinationGiven",
    "Vaccine",
    "VaccineDose",
    "VaccineReminderOptOut",
    "VaccineReminderSent",
]
