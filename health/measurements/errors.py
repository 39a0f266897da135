"""Refusals of measurements (``portal.errors.ServiceError`` via ``health.errors``)."""

from health.errors import HealthError


class MeasurementError(HealthError):
    default_code = "measurement_refused"
