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
from health.models.measurements import Measurement, MeasurementGoal, MeasureReminder
from health.models.records import Allergy, CheckupFile, Condition, Medicine
from health.models.sharing import RecordAccess, ShareLink, ShareLinkView

__all__ = [
    "Allergy",
    "BirthRecord",
    "Caregiver",
    "CheckupFile",
    "ChildProfile",
    "Condition",
    "GrowthEntry",
    "GrowthReference",
    "GrowthReferenceRow",
    "HealthRecord",
    "MeasureReminder",
    "Measurement",
    "MeasurementGoal",
    "Medicine",
    "Pregnancy",
    "PregnancyCheckup",
    "RecordAccess",
    "ShareLink",
    "ShareLinkView",
    "VaccinationGiven",
    "Vaccine",
    "VaccineDose",
    "VaccineReminderOptOut",
    "VaccineReminderSent",
]
