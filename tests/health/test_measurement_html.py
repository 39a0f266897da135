"""The measurement pages are valid HTML (Nu HTML Checker), with data, a goal and a refused import."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from health import sections
from health.measurements import services
from tests.test_html_valid import VNU_JAR, vnu_errors

pytestmark = pytest.mark.django_db


def test_measurement_pages_are_valid_html(client, child_record, tmp_path):
    assert VNU_JAR.exists(), "node_modules/vnu-jar is missing: npm ci"
    owner = child_record.member.household.owner
    own = services_own_record(owner)
    now = timezone.now()
    services.set_goal(record=own, type_key="blood_pressure", low=None, high=Decimal(135), high2=Decimal(85))
    for day in range(10):
        at = now - datetime.timedelta(days=day)
        services.record_measurement(
            record=own, type_key="blood_pressure", value=Decimal(140), value2=Decimal(80), measured_at=at
        )
        services.record_measurement(record=own, type_key="temperature", value=Decimal("37.8"), measured_at=at)
    services.record_measurement(record=own, type_key="height", value=Decimal(160))
    services.record_measurement(record=own, type_key="weight", value=Decimal(55))
    services.add_reminder(record=own, user=owner, type_key="weight", time_of_day=datetime.time(6, 30))
    client.force_login(owner)
    pages = {}
    urls = [
        reverse("portal:dashboard"),
        reverse("portal:health_record", args=[own.pk]),
        reverse("portal:health_record", args=[child_record.pk]),
        reverse("portal:health_measure", args=[own.pk, "blood_pressure"]),
        reverse("portal:health_measure", args=[child_record.pk, "head_circumference"]),
        reverse("portal:health_goal", args=[own.pk, "blood_pressure"]),
        reverse("portal:health_reminders", args=[own.pk]),
        reverse("portal:health_measurements_import", args=[own.pk]),
    ]
    for t in ("blood_pressure", "temperature", "bmi"):
        for period in ("week", "month", "year"):
            urls.append(reverse("portal:health_chart", args=[own.pk, t]) + f"?period={period}")
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        pages[url] = page.content.decode()
    refused = client.post(reverse("portal:health_measure", args=[own.pk, "temperature"]), {"value": "45"})
    pages["refused entry"] = refused.content.decode()
    bad = client.post(
        reverse("portal:health_measurements_import", args=[own.pk]),
        {"file": SimpleUploadedFile("m.csv", b"measured_at,type,value,value2,unit,loinc,note,name\nx,pulse,1,,,,,\n")},
    )
    pages["refused import"] = bad.content.decode()
    section = sections.get("measurements")
    rows = section.rows(own, None, None)
    pages["section"] = (
        "<!DOCTYPE html><html lang=ja><head><title>t</title></head><body>"
        + render_to_string(section.template, {"section_rows": rows})
        + "</body></html>"
    )
    assert vnu_errors(pages, tmp_path) == []


def services_own_record(user):
    from health import services as health_services
    from health.models import HealthRecord

    health_services.ensure_records(user=user)
    return HealthRecord.objects.get(user=user)
