"""A small fake section for the sharing tests, so they do not depend on the real sections."""

from __future__ import annotations

import datetime

import pytest

from health import sections

NOTE_DATE = datetime.date(2026, 12, 1)


def _rows(record, start, end):
    if (start and start > NOTE_DATE) or (end and end < NOTE_DATE):
        return []
    return [f"体温メモ 36.8 ℃ ({NOTE_DATE:%Y-%m-%d}) #{record.pk}"]


def _fhir(record, patient_ref, start, end):
    panel = {
        "resourceType": "Observation",
        "id": "bp-1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": "Patient/local-7"},
        "effectiveDateTime": "2026-12-01T08:00:00+09:00",
        "hasMember": [{"reference": "Observation/sys-1"}],
    }
    systolic = {
        "resourceType": "Observation",
        "id": "sys-1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": "2026-12-01T08:00:00+09:00",
        "valueQuantity": {"value": 120, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
    }
    return [panel, systolic]


@pytest.fixture
def fake_section():
    """Registers "test_notes" (rows on 2026-12-01, two FHIR Observations); unregistered after."""
    section = sections.register(
        sections.Section(
            key="test_notes", label="テストメモ", template="health/sections/plain.html", rows=_rows, fhir=_fhir, order=1
        )
    )
    yield section
    sections._sections.pop("test_notes", None)
