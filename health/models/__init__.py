"""The health log's tables, one module per area; every row hangs off ``HealthRecord`` (base)."""

from health.models.base import Caregiver, HealthRecord
from health.models.sharing import RecordAccess, ShareLink, ShareLinkView

__all__ = ["Caregiver", "HealthRecord", "RecordAccess", "ShareLink", "ShareLinkView"]
