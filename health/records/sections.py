"""Registers conditions, medicines, allergies and check-up results in ``health.sections``
(imported from ``HealthConfig.ready()``). Each ``rows`` is one query; see ``selectors``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from health.records import fhir, selectors
from health.sections import Section, register


def _fhir(mapper, rows):
    def build(record, patient_ref, start, end):
        return [mapper(entry, patient_ref) for entry in rows(record, start, end)]

    return build


SECTIONS = [
    register(
        Section(
            key="conditions",
            label=_("Medical history"),
            order=30,
            template="health/sections/conditions.html",
            rows=selectors.conditions_between,
            fhir=_fhir(fhir.condition, selectors.conditions_between),
        )
    ),
    register(
        Section(
            key="medicines",
            label=_("Medicines"),
            order=31,
            template="health/sections/medicines.html",
            rows=selectors.medicines_between,
            fhir=_fhir(fhir.medication_statement, selectors.medicines_between),
        )
    ),
    register(
        Section(
            key="allergies",
            label=_("Allergies"),
            order=32,
            template="health/sections/allergies.html",
            rows=selectors.allergies_of,
            fhir=_fhir(fhir.allergy_intolerance, selectors.allergies_of),
        )
    ),
    register(
        Section(
            key="checkups",
            label=_("Check-up results"),
            order=33,
            template="health/sections/checkups.html",
            rows=selectors.checkups_between,
            fhir=_fhir(fhir.document_reference, selectors.checkups_between),
        )
    ),
]
