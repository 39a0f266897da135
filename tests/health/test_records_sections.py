"""Conditions, medicines, allergies and check-ups as sections: rows in a constant number of queries,
read-only templates, and FHIR R4 resources that ``fhir.resources`` accepts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition as FhirCondition
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.medicationstatement import MedicationStatement

from health import sections
from health.models import Allergy, CheckupFile, Condition, Medicine

pytestmark = pytest.mark.django_db

D = datetime.date
VALIDATORS = {
    "Condition": FhirCondition,
    "MedicationStatement": MedicationStatement,
    "AllergyIntolerance": AllergyIntolerance,
    "DocumentReference": DocumentReference,
}


def fill(record, n: int) -> None:
    base = CheckupFile.objects.count()
    for i in range(n):
        Condition.objects.create(
            record=record, name=f"病気{i}", onset=D(2020, 1, 1 + i), status="resolved", note="メモ"
        )
        Condition.objects.create(record=record, name=f"持病{i}", status="active")
        Medicine.objects.create(
            record=record, name=f"薬{i}", dose="1錠", start=D(2024, 1, 1), end=D(2024, 2, 1), clinic="町立診療所"
        )
        Medicine.objects.create(record=record, name=f"常用薬{i}", start=D(2025, 1, 1))
        Allergy.objects.create(record=record, substance=f"物質{i}", reaction="じんましん", severity="severe")
        Allergy.objects.create(record=record, substance=f"花粉{i}")
        CheckupFile.objects.create(
            record=record,
            title=f"健診{i}",
            taken_on=D(2025, 6, 1),
            kind="pdf",
            size=100,
            stored_name=f"x/{record.pk}-{base + i}",
            sha256="0" * 64,
        )


def test_the_four_sections_are_registered_in_order():
    keys = [s.key for s in sections.all_sections()]
    assert [k for k in keys if k in {"conditions", "medicines", "allergies", "checkups"}] == [
        "conditions",
        "medicines",
        "allergies",
        "checkups",
    ]


@pytest.mark.parametrize("key", ["conditions", "medicines", "allergies", "checkups"])
def test_rows_run_a_constant_number_of_queries_and_render(own_record, key):
    section = sections.get(key)
    fill(own_record, 1)
    with CaptureQueriesContext(connection) as few:
        section.rows(own_record, None, None)
    fill(own_record, 5)
    with CaptureQueriesContext(connection) as many:
        rows = section.rows(own_record, None, None)
    assert len(few) == len(many) == 1
    html = render_to_string(section.template, {"section_rows": rows})
    assert "<caption>" in html and 'scope="row"' in html
    assert "<form" not in html and "edit" not in html


def test_date_ranges(own_record):
    fill(own_record, 1)
    medicines = sections.get("medicines").rows(own_record, D(2025, 3, 1), D(2025, 3, 31))
    assert [m.name for m in medicines] == ["常用薬0"]
    conditions = sections.get("conditions").rows(own_record, None, D(2019, 12, 31))
    assert [c.name for c in conditions] == ["持病0"]
    assert len(sections.get("allergies").rows(own_record, D(2030, 1, 1), D(2030, 1, 2))) == 2
    assert sections.get("checkups").rows(own_record, D(2026, 1, 1), None) == []


def test_fhir_resources_validate(own_record):
    fill(own_record, 1)
    Allergy.objects.create(record=own_record, substance="卵", severity="mild")  # severity without a reaction
    resources = []
    for key in ("conditions", "medicines", "allergies", "checkups"):
        resources += sections.get(key).fhir(own_record, "Patient/p1", None, None)
    kinds = {}
    for resource in resources:
        model = VALIDATORS[resource["resourceType"]].model_validate(resource)
        kinds.setdefault(resource["resourceType"], []).append(model)
    assert {k: len(v) for k, v in kinds.items()} == {
        "Condition": 2,
        "MedicationStatement": 2,
        "AllergyIntolerance": 3,
        "DocumentReference": 1,
    }
    statuses = {c.code.text: c.clinicalStatus.coding[0].code for c in kinds["Condition"]}
    assert statuses == {"病気0": "resolved", "持病0": "active"}
    meds = {m.medicationCodeableConcept.text: m for m in kinds["MedicationStatement"]}
    assert meds["薬0"].status == "completed" and meds["常用薬0"].status == "active"
    assert meds["薬0"].dosage[0].text == "1錠" and meds["薬0"].informationSource.display == "町立診療所"
    severe = next(a for a in kinds["AllergyIntolerance"] if a.code.text == "物質0")
    assert severe.criticality == "high" and severe.reaction[0].severity == "severe"
    assert severe.patient.reference == "Patient/p1"
    document = kinds["DocumentReference"][0]
    assert document.content[0].attachment.contentType == "application/pdf"
    assert document.content[0].attachment.data is None and document.content[0].attachment.url is None
