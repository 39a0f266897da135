"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord
from health.models.measurements import Measurement, MeasurementGoal, MeasureReminder

__all__ = ["Caregiver", "HealthRecord", "Measurement", "MeasurementGoal", "MeasureReminder"]
