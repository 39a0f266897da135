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


# LOINC codes of the growth measurements, with their UCUM units.
GROWTH_LOINC = {
    "weight_kg": ("29463-7", "Body weight", "kg"),
    "height_cm": ("8302-2", "Body height", "cm"),
    "head_cm": ("9843-4", "Head Occipital-frontal circumference", "cm"),
}


def growth_fhir(record, patient_ref: str, start, end) -> list[dict]:
    """Each growth value as a FHIR R4 vital-signs Observation (LOINC code, UCUM unit)."""
    resources = []
    for entry in selectors.growth_entries(record, start, end):
        for field, (code, display, unit) in GROWTH_LOINC.items():
            value = getattr(entry, field)
            if value is None:
                continue
            resources.append(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                    "code": "vital-signs",
                                }
                            ]
                        }
                    ],
                    "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
                    "subject": {"reference": patient_ref},
                    "effectiveDateTime": entry.date.isoformat(),
                    "valueQuantity": {
                        "value": float(value),
                        "unit": unit,
                        "system": "http://unitsofmeasure.org",
                        "code": unit,
                    },
                }
            )
    return resources


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
            key="growth",
            label=_("Growth"),
            order=61,
            template="health/sections/growth.html",
            rows=growth_rows,
            fhir=growth_fhir,
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
