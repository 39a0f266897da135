"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord
from health.models.measurements import Measurement, MeasurementGoal, MeasureReminder
from health.models.records import Allergy, CheckupFile, Condition, Medicine
from health.models.sharing import RecordAccess, ShareLink, ShareLinkView

__all__ = [
    "Allergy",
    "Caregiver",
    "CheckupFile",
    "Condition",
    "HealthRecord",
    "Measurement",
    "MeasureReminder",
    "MeasurementGoal",
    "Medicine",
    "RecordAccess",
    "ShareLink",
    "ShareLinkView",
]
