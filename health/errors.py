"""Refusals of the health log, each with a stable code (see ``portal.errors``)."""

from portal.errors import ServiceError


class HealthError(ServiceError):
    default_code = "health_refused"
