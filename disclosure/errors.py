"""Refusals of the disclosure services, each with a stable code (see ``portal.errors``)."""

from portal.errors import ServiceError


class DisclosureError(ServiceError):
    default_code = "disclosure_refused"
