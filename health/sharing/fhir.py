"""The whole record as a FHIR R4 Bundle (type ``collection``): the Patient, then every section's
resources (``Section.fhir``), each with a ``urn:uuid`` fullUrl.

References are rewritten so the bundle stands alone: a reference to a patient (``Patient/…``, or
the ``patient_ref`` given to the section) points at the bundle's Patient, and a reference
``Type/id`` to another resource in the bundle points at that resource's ``urn:uuid``.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

from django.utils import timezone

from health import sections as registry
from health.models import HealthRecord

FHIR_JSON = "application/fhir+json"
GENDERS = {"male", "female", "other", "unknown"}


def patient_resource(record: HealthRecord, patient_id: str) -> dict[str, Any]:
    """The Patient: name, birth date and gender when the portal knows them."""
    person = record.user if record.user_id else record.member
    family = (getattr(person, "family_name", "") or "").strip()
    given = (getattr(person, "given_name", "") or "").strip()
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    name: dict[str, Any] = {"use": "official", "text": record.display_name}
    if family:
        name["family"] = family
    if given:
        name["given"] = [given]
    patient["name"] = [name]
    gender = getattr(person, "gender", "") or ""
    if gender in GENDERS:
        patient["gender"] = gender
    if record.birth_date:
        patient["birthDate"] = record.birth_date.isoformat()
    return patient


def _rewrite(value: Any, targets: dict[str, str], patient_url: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                is_patient = item == patient_url or item.startswith("Patient/")
                item = patient_url if is_patient else targets.get(item, item)
            out[key] = _rewrite(item, targets, patient_url)
        return out
    if isinstance(value, list):
        return [_rewrite(item, targets, patient_url) for item in value]
    return value


def build_bundle(
    record: HealthRecord,
    *,
    keys: list[str] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The Bundle as a dict, ready for ``json.dumps``: all sections, or those among ``keys``."""
    patient_id = str(uuid.uuid4())
    patient_url = f"urn:uuid:{patient_id}"
    resources: list[dict[str, Any]] = []
    for section in registry.all_sections():
        if keys is None or section.key in keys:
            resources.extend(copy.deepcopy(r) for r in section.fhir(record, patient_url, start, end))

    targets: dict[str, str] = {}
    for resource in resources:
        new_id = str(uuid.uuid4())
        old_id = resource.get("id")
        if old_id:
            targets[f"{resource['resourceType']}/{old_id}"] = f"urn:uuid:{new_id}"
        resource["id"] = new_id

    entries = [{"fullUrl": patient_url, "resource": patient_resource(record, patient_id)}]
    entries += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": _rewrite(r, targets, patient_url)} for r in resources]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": (now or timezone.now()).isoformat(timespec="seconds"),
        "entry": entries,
    }
