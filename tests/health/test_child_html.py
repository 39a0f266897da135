"""The mother-and-child pages, filled in, are valid HTML (the Nu HTML Checker, as tests/test_html_valid.py)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from health.models import ChildProfile, GrowthEntry, Pregnancy, PregnancyCheckup, VaccinationGiven, VaccineDose
from tests.test_html_valid import VNU_JAR, vnu_errors

pytestmark = pytest.mark.django_db


def test_every_mother_and_child_page_is_valid_html(client, own_record, child_record, tmp_path):
    assert VNU_JAR.exists(), "node_modules/vnu-jar is missing: npm ci (scripts/test does it)"
    ChildProfile.objects.create(record=child_record, sex="male")
    GrowthEntry.objects.create(record=child_record, date=datetime.date(2024, 6, 10), weight_kg=4.5, height_cm=55)
    GrowthEntry.objects.create(record=child_record, date=datetime.date(2024, 9, 10), weight_kg=7, head_cm=42)
    dose = VaccineDose.objects.get(vaccine__code="bcg", number=1)
    VaccinationGiven.objects.create(record=child_record, dose=dose, date=datetime.date(2024, 11, 1), lot="X1")
    pregnancy = Pregnancy.objects.create(record=own_record, due_date=datetime.date(2024, 5, 12), notes="メモ")
    PregnancyCheckup.objects.create(
        pregnancy=pregnancy, date=datetime.date(2024, 1, 5), week=23, systolic=110, diastolic=70
    )
    client.force_login(own_record.user)
    urls = [
        reverse(name, args=[child_record.pk])
        for name in (
            "portal:health_growth",
            "portal:health_vaccinations",
            "portal:health_birth",
            "portal:health_record",
        )
    ]
    urls += [reverse(name, args=[own_record.pk]) for name in ("portal:health_pregnancy", "portal:health_record")]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    errors = vnu_errors(pages, tmp_path)
    assert errors == [], "\n".join(errors)
