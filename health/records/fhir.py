"""FHIR R4 resources (plain dicts) for conditions, medicines, allergies and check-up files.

Names are free text (``code.text``): residents type them, and no Japanese code list (ICD-10,
YJ codes) is asked for. Check-up files become a ``DocumentReference`` that describes the file
(type, size, title, date) without its content: the bytes never leave through an export.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from health.models import Allergy, CheckupFile, Condition, Medicine

CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
LOINC = "http://loinc.org"


def _concept(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def condition(entry: Condition, patient_ref: str) -> dict:
    resource = {
        "resourceType": "Condition",
        "id": f"condition-{entry.pk}",
        "clinicalStatus": _concept(CONDITION_CLINICAL, entry.status),
        "code": {"text": entry.name},
        "subject": {"reference": patient_ref},
    }
    if entry.onset:
        resource["onsetDateTime"] = entry.onset.isoformat()
    if entry.status in (Condition.Status.RESOLVED, Condition.Status.INACTIVE, Condition.Status.REMISSION):
        resource["abatementString"] = entry.get_status_display()
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def medication_statement(entry: Medicine, patient_ref: str, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    resource = {
        "resourceType": "MedicationStatement",
        "id": f"medication-{entry.pk}",
        "status": "completed" if entry.end and entry.end < today else "active",
        "medicationCodeableConcept": {"text": entry.name},
        "subject": {"reference": patient_ref},
    }
    period = {}
    if entry.start:
        period["start"] = entry.start.isoformat()
    if entry.end:
        period["end"] = entry.end.isoformat()
    if period:
        resource["effectivePeriod"] = period
    if entry.dose:
        resource["dosage"] = [{"text": entry.dose}]
    if entry.clinic:
        # The prescriber is known by name only: a Reference with a display and no target.
        resource["informationSource"] = {"display": entry.clinic}
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def allergy_intolerance(entry: Allergy, patient_ref: str) -> dict:
    resource = {
        "resourceType": "AllergyIntolerance",
        "id": f"allergy-{entry.pk}",
        "clinicalStatus": _concept(ALLERGY_CLINICAL, "active"),
        "code": {"text": entry.substance},
        "patient": {"reference": patient_ref},
    }
    if entry.severity == Allergy.Severity.SEVERE:
        resource["criticality"] = "high"
    elif entry.severity:
        resource["criticality"] = "low"
    if entry.reaction:
        reaction = {"manifestation": [{"text": entry.reaction}]}
        if entry.severity:
            reaction["severity"] = entry.severity
        resource["reaction"] = [reaction]
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def document_reference(entry: CheckupFile, patient_ref: str) -> dict:
    attachment = {"contentType": entry.content_type, "size": entry.size, "title": entry.title}
    if entry.taken_on:
        attachment["creation"] = entry.taken_on.isoformat()
    return {
        "resourceType": "DocumentReference",
        "id": f"checkup-{entry.pk}",
        "status": "current",
        # LOINC 11502-2 "Laboratory report" is the nearest general code for a check-up result sheet.
        "type": {"coding": [{"system": LOINC, "code": "11502-2"}], "text": "健診結果"},
        "subject": {"reference": patient_ref},
        "date": entry.created_at.isoformat(),
        "description": entry.title,
        "content": [{"attachment": attachment}],
    }
