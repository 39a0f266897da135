"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord
from health.models.records import Allergy, CheckupFile, Condition, Medicine

__all__ = ["Allergy", "Caregiver", "CheckupFile", "Condition", "HealthRecord", "Medicine"]
