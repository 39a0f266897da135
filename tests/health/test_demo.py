"""load_demo gives the demo resident a health log worth looking at, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from health.models import HealthRecord, Measurement

pytestmark = pytest.mark.django_db


def test_load_demo_fills_the_demo_residents_health_log_once(client):
    call_command("load_demo", stdout=io.StringIO())
    record = HealthRecord.objects.get(medicines__name__startswith="アムロジピン")
    count = Measurement.objects.filter(record=record).count()
    assert Measurement.objects.filter(record=record, type="temperature").count() == 28
    assert Measurement.objects.filter(record=record, type="bmi").exists()  # derived from weight and height

    call_command("load_demo", stdout=io.StringIO())  # safe to run again
    assert Measurement.objects.filter(record=record).count() == count

    client.force_login(record.user)
    page = client.get(f"/my/health/{record.pk}/measurements/temperature/?period=month").content.decode()
    assert "38.2" in page and "<svg" in page
