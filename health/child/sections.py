"""The pregnancy, growth and vaccination sections of the health log (see ``health.sections``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from health import sections
from health.child import selectors


def pregnancy_rows(record, start, end):
    """The record's pregnancies and their check-ups in the range (two queries)."""
    return selectors.pregnancies(record, start, end)


def growth_rows(record, start, end):
    """The child's growth rows in the range (one query)."""
    return selectors.growth_entries(record, start, end)


def vaccination_rows(record, start, end):
    """The doses given in the range, with their vaccine (one query)."""
    return selectors.vaccinations_given(record, start, end)


def vaccination_fhir(record, patient_ref: str, start, end) -> list[dict]:
    """Each dose given as a FHIR R4 Immunization (status completed, the vaccine by name and code)."""
    resources = []
    for given in selectors.vaccinations_given(record, start, end):
        vaccine = given.dose.vaccine
        resource = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {
                "coding": [{"system": "urn:machi-portal:vaccine", "code": vaccine.code, "display": vaccine.name}],
                "text": f"{vaccine.name} {given.dose.label}",
            },
            "patient": {"reference": patient_ref},
            "occurrenceDateTime": given.date.isoformat(),
            "primarySource": True,
            "protocolApplied": [{"series": vaccine.name, "doseNumberPositiveInt": given.dose.number}],
        }
        if given.lot:
            resource["lotNumber"] = given.lot
        if given.clinic:
            resource["note"] = [{"text": given.clinic}]
        resources.append(resource)
    return resources


def register() -> None:
    sections.register(
        sections.Section(
            key="pregnancy",
            label=_("Pregnancy"),
            order=60,
            template="health/sections/pregnancy.html",
            rows=pregnancy_rows,
        )
    )
    sections.register(
        sections.Section(
            key="growth", label=_("Growth"), order=61, template="health/sections/growth.html", rows=growth_rows
        )
    )
    sections.register(
        sections.Section(
            key="vaccinations",
            label=_("Vaccinations"),
            order=62,
            template="health/sections/vaccinations.html",
            rows=vaccination_rows,
            fhir=vaccination_fhir,
        )
    )
