"""The "measurements" section of a health log (``health.sections``): the doctor's view, the summary
and the FHIR export list every reading of the date range."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from health.measurements import fhir, selectors
from health.sections import Section, register


def rows(record, start, end) -> list:
    """Every reading of the range, oldest first (one query)."""
    return list(selectors.between(record, start, end))


def observations(record, patient_ref: str, start, end) -> list[dict]:
    return [fhir.observation(m, patient_ref) for m in selectors.between(record, start, end)]


SECTION = register(
    Section(
        key="measurements",
        label=_("Measurements"),
        order=10,
        template="health/sections/measurements.html",
        rows=rows,
        fhir=observations,
    )
)
