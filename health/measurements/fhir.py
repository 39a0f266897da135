"""Measurements as FHIR R4 Observations (plain dicts; the bundle export adds ids and references).

Each reading is one Observation with its LOINC code and a UCUM ``valueQuantity``; a blood pressure
is the panel 85354-9 with two components, systolic 8480-6 and diastolic 8462-4, and no value of
its own. A fever is interpreted ``H`` (high).
"""

from __future__ import annotations

from decimal import Decimal

from health.measurements import catalogue, rules
from health.measurements.selectors import TOKYO

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CATEGORY_DISPLAY = {"vital-signs": "Vital Signs", "laboratory": "Laboratory", "activity": "Activity"}


def _number(value: Decimal, decimals: int) -> int | float:
    return int(value) if decimals == 0 else float(round(value, decimals))


def _quantity(value: Decimal, mtype: catalogue.MeasurementType) -> dict:
    return {"value": _number(value, mtype.decimals), "unit": mtype.ucum, "system": UCUM, "code": mtype.ucum}


def _code(code: str, display: str) -> dict:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def observation(m, patient_ref: str) -> dict:
    """One reading (a ``Measurement`` or anything with type, value, value2, measured_at, note)."""
    mtype = catalogue.TYPES[m.type]
    obs: dict = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": CATEGORY, "code": mtype.category, "display": CATEGORY_DISPLAY[mtype.category]}]}
        ],
        "code": _code(mtype.loinc, mtype.loinc_display),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": m.measured_at.astimezone(TOKYO).isoformat(timespec="seconds"),
    }
    if mtype.has_second:
        obs["component"] = [
            {"code": _code(mtype.first_loinc, mtype.first_loinc_display), "valueQuantity": _quantity(m.value, mtype)},
            {
                "code": _code(mtype.second_loinc, mtype.second_loinc_display),
                "valueQuantity": _quantity(m.value2, mtype),
            },
        ]
    else:
        obs["valueQuantity"] = _quantity(m.value, mtype)
    if rules.is_fever(m.type, m.value):
        obs["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": "H", "display": "High"}]}]
    if m.note:
        obs["note"] = [{"text": m.note}]
    return obs
