"""The pregnancy, growth and vaccination sections: registered, constant queries, FHIR Immunization."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from fhir.resources.R4B.immunization import Immunization

from health import sections
from health.models import GrowthEntry, Pregnancy, PregnancyCheckup, VaccinationGiven, VaccineDose

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_three_sections_are_registered():
    assert {"pregnancy", "growth", "vaccinations"} <= {s.key for s in sections.all_sections()}


def add_doses(record, n):
    for dose in VaccineDose.objects.filter(vaccine__code="dpt-ipv-hib").order_by("number")[:n]:
        VaccinationGiven.objects.create(record=record, dose=dose, date=D(2024, 7, 10), lot="L1", clinic="みどり小児科")


@pytest.mark.parametrize("n", [1, 4])
def test_rows_run_a_constant_number_of_queries(django_assert_num_queries, own_record, child_record, n):
    add_doses(child_record, n)
    for i in range(n):
        GrowthEntry.objects.create(record=child_record, date=D(2024, 6, 1 + i), weight_kg=5)
        p = Pregnancy.objects.create(record=own_record, due_date=D(2025, 1, 1 + i))
        PregnancyCheckup.objects.create(pregnancy=p, date=D(2024, 6, 1), week=12)
    for key, record, queries in (
        ("vaccinations", child_record, 1),
        ("growth", child_record, 1),
        ("pregnancy", own_record, 2),
    ):
        section = sections.get(key)
        with django_assert_num_queries(queries):
            rows = list(section.rows(record, None, None))
            html = render_to_string(section.template, {"section_rows": rows})
        assert len(rows) == n and "<table" in html


def test_vaccinations_export_as_valid_fhir_immunizations(child_record):
    add_doses(child_record, 2)
    resources = sections.get("vaccinations").fhir(child_record, "Patient/p1", D(2024, 1, 1), None)
    assert len(resources) == 2
    for resource in resources:
        immunization = Immunization.model_validate(resource)
        assert immunization.status == "completed" and immunization.lotNumber == "L1"
        assert immunization.patient.reference == "Patient/p1"
    assert sections.get("vaccinations").fhir(child_record, "Patient/p1", D(2025, 1, 1), None) == []


def test_growth_exports_as_valid_fhir_observations_with_loinc_and_ucum(child_record):
    from fhir.resources.R4B.observation import Observation

    GrowthEntry.objects.create(record=child_record, date=D(2024, 6, 1), weight_kg="4.52", head_cm="38.0")
    resources = sections.get("growth").fhir(child_record, "Patient/p1", None, None)
    observations = [Observation.model_validate(r) for r in resources]
    assert [(o.code.coding[0].code, float(o.valueQuantity.value), o.valueQuantity.code) for o in observations] == [
        ("29463-7", 4.52, "kg"),
        ("9843-4", 38.0, "cm"),
    ]
