"""Measurements: the catalogue (LOINC, UCUM), ranges and fever, derived BMI, goals, entry from /my/,
charts with a constant query count, and who may open them (another resident and staff: 404)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from health.measurements import catalogue, charts, rules, services
from health.measurements.errors import MeasurementError
from health.models import Measurement
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def at(day: int, hour: int = 8) -> datetime.datetime:
    """A moment some days ago, at a fixed hour (Japan time)."""
    today = timezone.localdate()
    return datetime.datetime.combine(today - datetime.timedelta(days=day), datetime.time(hour), tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("key", "loinc", "ucum"),
    [
        ("weight", "29463-7", "kg"),
        ("height", "8302-2", "cm"),
        ("bmi", "39156-5", "kg/m2"),
        ("temperature", "8310-5", "Cel"),
        ("blood_pressure", "85354-9", "mm[Hg]"),
        ("pulse", "8867-4", "/min"),
        ("glucose", "2339-0", "mg/dL"),
        ("steps", "55423-8", "{steps}"),
        ("head_circumference", "9843-4", "cm"),
    ],
)
def test_catalogue_codes_and_units(key, loinc, ucum):
    mtype = catalogue.TYPES[key]
    assert (mtype.loinc, mtype.ucum) == (loinc, ucum)


def test_blood_pressure_is_one_reading_with_systolic_and_diastolic_codes():
    bp = catalogue.TYPES["blood_pressure"]
    assert (bp.first_loinc, bp.second_loinc) == ("8480-6", "8462-4")


def test_temperature_45_is_refused_with_a_japanese_message_and_nothing_saved(client, own_record):
    client.force_login(own_record.user)
    page = client.post(reverse("portal:health_measure", args=[own_record.pk, "temperature"]), {"value": "45"})
    assert page.status_code == 200
    assert "体温は34.0から42.0 ℃の間で入力してください。" in page.content.decode()
    assert not Measurement.objects.exists()


def test_38_5_is_saved_and_marked_as_fever(client, own_record):
    client.force_login(own_record.user)
    page = client.post(
        reverse("portal:health_measure", args=[own_record.pk, "temperature"]), {"value": "38.5"}, follow=True
    )
    m = Measurement.objects.get()
    assert (m.type, m.value) == ("temperature", Decimal("38.5"))
    text = page.content.decode()
    assert "発熱です（37.5 ℃以上）。" in text  # the message after saving
    assert '<span class="flag">発熱</span>' in text  # the row of the table
    assert 'class="flagged"' in text  # the point of the chart
    assert rules.is_fever("temperature", Decimal("37.5")) and not rules.is_fever("temperature", Decimal("37.4"))


def test_systolic_must_be_above_diastolic(own_record):
    with pytest.raises(MeasurementError) as refused:
        services.record_measurement(
            record=own_record, type_key="blood_pressure", value=Decimal(80), value2=Decimal(120)
        )
    assert "最高血圧（上）は最低血圧（下）より高い値にしてください。" in refused.value.message
    assert refused.value.code == "implausible"
    assert not Measurement.objects.exists()
    services.record_measurement(record=own_record, type_key="blood_pressure", value=Decimal(128), value2=Decimal(82))
    assert Measurement.objects.get().value2 == Decimal(82)


@pytest.mark.parametrize(
    ("key", "bad", "good"),
    [
        ("weight", "0.1", "62.4"),
        ("height", "300", "170.2"),
        ("pulse", "300", "72"),
        ("glucose", "5", "98"),
        ("steps", "-1", "8000"),
        ("head_circumference", "80", "42.5"),
    ],
)
def test_plausible_ranges(own_record, key, bad, good):
    with pytest.raises(MeasurementError):
        services.record_measurement(record=own_record, type_key=key, value=Decimal(bad))
    services.record_measurement(record=own_record, type_key=key, value=Decimal(good))
    assert Measurement.objects.filter(type=key).count() == 1


def test_bmi_is_derived_from_weight_and_latest_height_never_typed(client, own_record):
    services.record_measurement(record=own_record, type_key="height", value=Decimal("160"), measured_at=at(30))
    services.record_measurement(record=own_record, type_key="weight", value=Decimal("60"), measured_at=at(2))
    assert Measurement.objects.get(type="bmi").value == Decimal("23.4")  # 60 / 1.6²
    services.record_measurement(record=own_record, type_key="height", value=Decimal("170"), measured_at=at(10))
    assert Measurement.objects.get(type="bmi").value == Decimal("20.8")  # the latest height before the weight
    with pytest.raises(MeasurementError):
        services.record_measurement(record=own_record, type_key="bmi", value=Decimal("22"))
    client.force_login(own_record.user)
    assert client.get(reverse("portal:health_measure", args=[own_record.pk, "bmi"])).status_code == 404
    # deleting the weight takes its BMI with it
    weight = Measurement.objects.get(type="weight")
    client.post(reverse("portal:health_measurement_delete", args=[own_record.pk, weight.pk]))
    assert not Measurement.objects.filter(type__in=["weight", "bmi"]).exists()


def test_goal_band_is_shaded_and_readings_outside_are_marked(client, own_record):
    client.force_login(own_record.user)
    page = client.post(
        reverse("portal:health_goal", args=[own_record.pk, "blood_pressure"]),
        {"low": "", "high": "135", "low2": "", "high2": "85"},
    )
    assert page.status_code == 302
    services.record_measurement(record=own_record, type_key="blood_pressure", value=Decimal(150), value2=Decimal(90))
    text = client.get(reverse("portal:health_chart", args=[own_record.pk, "blood_pressure"])).content.decode()
    assert text.count('class="goal-band"') == 2
    assert "目標外" in text and 'class="flagged"' in text
    # a goal outside the plausible range is refused in Japanese, nothing changes
    page = client.post(reverse("portal:health_goal", args=[own_record.pk, "temperature"]), {"low": "20", "high": "37"})
    assert "目標は34.0から42.0 ℃の間にしてください。" in page.content.decode()


def test_two_taps_from_my_page(client, own_record):
    client.force_login(own_record.user)
    my = client.get(reverse("portal:dashboard")).content.decode()
    url = reverse("portal:health_measure_mine", args=["temperature"])
    assert f'href="{url}"' in my and "体温を記録" in my
    form = client.get(url).content.decode()
    assert "autofocus" in form and "記録する" in form
    client.post(reverse("portal:health_measure", args=[own_record.pk, "temperature"]), {"value": "36.6"})
    assert Measurement.objects.get().value == Decimal("36.6")


def test_a_guardian_records_for_the_child_and_head_circumference_is_offered(client, child_record):
    client.force_login(child_record.member.household.owner)
    my = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:health_measure", args=[child_record.pk, "head_circumference"]) in my
    client.post(reverse("portal:health_measure", args=[child_record.pk, "head_circumference"]), {"value": "42.5"})
    assert Measurement.objects.get(record=child_record).value == Decimal("42.5")


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
def test_others_get_404_on_every_measurement_page(client, own_record, child_record, who):
    m = services.record_measurement(record=own_record, type_key="pulse", value=Decimal(70))
    client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    for record in (own_record, child_record):
        for name, args in [
            ("portal:health_measure", [record.pk, "temperature"]),
            ("portal:health_chart", [record.pk, "temperature"]),
            ("portal:health_goal", [record.pk, "temperature"]),
            ("portal:health_measurements_csv", [record.pk]),
            ("portal:health_measurements_import", [record.pk]),
            ("portal:health_reminders", [record.pk]),
        ]:
            assert client.get(reverse(name, args=args)).status_code == 404, name
        page = client.post(reverse("portal:health_measure", args=[record.pk, "temperature"]), {"value": "36.5"})
        assert page.status_code == 404
    assert client.post(reverse("portal:health_measurement_delete", args=[own_record.pk, m.pk])).status_code == 404
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize("period", ["week", "month", "year"])
def test_chart_query_count_does_not_grow_with_the_rows(client, own_record, period):
    client.force_login(own_record.user)
    services.set_goal(record=own_record, type_key="temperature", low=Decimal("36"), high=Decimal("37"))
    url = reverse("portal:health_chart", args=[own_record.pk, "temperature"]) + f"?period={period}"
    client.get(url)  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200
    services.record_measurement(record=own_record, type_key="temperature", value=Decimal("36.5"), measured_at=at(1))
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    Measurement.objects.bulk_create(
        Measurement(
            record=own_record,
            type="temperature",
            value=Decimal("36.0") + Decimal(i % 20) / 10,
            measured_at=at(i % 6, 6 + i % 12),
        )
        for i in range(60)
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(empty) == len(one) == len(many)
    assert page.content.decode().count("<tr>") > 2


def test_year_table_shows_weekly_aggregates(client, own_record):
    for day in range(0, 21):
        services.record_measurement(
            record=own_record, type_key="steps", value=Decimal(1000 * (day % 7 + 1)), measured_at=at(day)
        )
    client.force_login(own_record.user)
    page = client.get(reverse("portal:health_chart", args=[own_record.pk, "steps"]) + "?period=year")
    rows = page.context["points"]
    assert 3 <= len(rows) <= 4 and sum(r["point"].count for r in rows) == 21
    text = page.content.decode()
    assert '<caption id="measurements-caption">歩数：週ごとの平均</caption>' in text and '<th scope="col">' in text


def test_chart_svg_has_japanese_axis_labels():
    mtype = catalogue.TYPES["temperature"]
    today = timezone.localdate()
    with translation.override("ja"):
        svg = charts.chart_svg(
            mtype=mtype,
            points=[],
            period="week",
            start=today - datetime.timedelta(days=6),
            end=today,
            goal=rules.Goal(low=Decimal("36"), high=Decimal("37")),
            title="t",
        )
    assert "体温 (℃)" in svg and "日付" in svg and "発熱（37.5 ℃以上）" in svg and "goal-band" in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_year_view_counts_fevers_and_readings_outside_the_goal_per_week(client, own_record):
    services.set_goal(record=own_record, type_key="temperature", low=Decimal("36.0"), high=Decimal("37.0"))
    for value in ("36.5", "38.5", "36.6"):
        services.record_measurement(
            record=own_record, type_key="temperature", value=Decimal(value), measured_at=at(0, 6)
        )
    client.force_login(own_record.user)
    page = client.get(reverse("portal:health_chart", args=[own_record.pk, "temperature"]) + "?period=year")
    [row] = page.context["points"]
    assert (row["point"].count, row["point"].fever_count, row["point"].off_goal_count) == (3, 1, 1)
    assert row["point"].off_goal  # mean 37.2 is above the goal
    text = page.content.decode()
    assert "発熱 1回" in text and "目標外 1回" in text
