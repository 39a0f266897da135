"""Pregnancy (the mother's own record) and birth (the child's record)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from health.models import BirthRecord, PregnancyCheckup

pytestmark = pytest.mark.django_db


def test_pregnancy_with_a_checkup(client, own_record):
    client.force_login(own_record.user)
    url = reverse("portal:health_pregnancy", args=[own_record.pk])
    assert client.post(url, {"action": "pregnancy", "n-due_date": "2025-03-01", "n-notes": "初診"}).status_code == 302
    pregnancy = own_record.pregnancies.get()
    checkup = {"action": "checkup", "pregnancy": pregnancy.pk, "c-date": "2024-09-01", "c-week": "14"}
    checkup |= {
        "c-weight_kg": "55.2",
        "c-systolic": "118",
        "c-diastolic": "72",
        "c-urine_protein": "-",
        "c-urine_sugar": "+-",
    }
    assert client.post(url, checkup).status_code == 302
    page = client.get(url).content.decode()
    assert "2025年3月1日(土)" in page and "118/72" in page and "±" in page


def test_bad_blood_pressure_is_refused_in_japanese(client, own_record):
    client.force_login(own_record.user)
    url = reverse("portal:health_pregnancy", args=[own_record.pk])
    client.post(url, {"action": "pregnancy", "n-due_date": "2025-03-01"})
    pregnancy = own_record.pregnancies.get()
    page = client.post(
        url,
        {
            "action": "checkup",
            "pregnancy": pregnancy.pk,
            "c-date": "2024-09-01",
            "c-week": "14",
            "c-systolic": "70",
            "c-diastolic": "90",
        },
    )
    assert page.status_code == 400 and "最高血圧は最低血圧より高い値" in page.content.decode()
    assert not PregnancyCheckup.objects.exists()


def test_birth_record_on_the_childs_record(client, child_record):
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_birth", args=[child_record.pk])
    assert 'value="2024-05-10"' in client.get(url).content.decode()
    data = {"date": "2024-05-10", "weeks": "39", "weight_g": "3120", "length_cm": "49.5", "head_cm": "33.0"}
    data |= {"delivery": "cesarean", "place": "みどり町立病院"}
    assert client.post(url, data).status_code == 302
    birth = BirthRecord.objects.get(record=child_record)
    assert (birth.weight_g, birth.delivery, birth.date) == (3120, "cesarean", datetime.date(2024, 5, 10))
