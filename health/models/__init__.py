"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord

__all__ = ["Caregiver", "HealthRecord"]
