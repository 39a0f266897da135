"""Measurements leave and come back: CSV round trip, row-by-row import checks, FHIR R4 Observations,
the "measurements" section of the log, and daily reminders to measure (once a day, unsubscribe)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.observation import Observation

from health import sections
from health.measurements import csvio, reminders, services
from health.models import Measurement, MeasureReminder
from notifications.models import OutboundMail
from tests.health.factories import RecordFactory

pytestmark = pytest.mark.django_db

TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def at(days_ago: int, hour: int = 7, minute: int = 30) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TOKYO)


def fill(record) -> None:
    services.record_measurement(record=record, type_key="height", value=Decimal("158.5"), measured_at=at(40))
    services.record_measurement(
        record=record, type_key="weight", value=Decimal("52.35"), measured_at=at(3), note="朝食前"
    )
    services.record_measurement(
        record=record, type_key="blood_pressure", value=Decimal(131), value2=Decimal(84), measured_at=at(2, 6, 5)
    )
    services.record_measurement(
        record=record, type_key="temperature", value=Decimal("38.5"), measured_at=at(1, 21), note='咳, "のど"の痛み'
    )
    services.record_measurement(record=record, type_key="steps", value=Decimal(8123), measured_at=at(1, 23, 59))
    services.record_measurement(record=record, type_key="glucose", value=Decimal(96), measured_at=at(0, 6))
    services.record_measurement(record=record, type_key="pulse", value=Decimal(66), measured_at=at(0, 6), note="=1+1")


def test_csv_round_trip_is_lossless(client, own_record):
    fill(own_record)
    client.force_login(own_record.user)
    exported = client.get(reverse("portal:health_measurements_csv", args=[own_record.pk]))
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    data = exported.content
    assert data.startswith("\ufeff".encode())  # BOM, for Excel
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(csvio.HEADER)
    assert "131,84,mm[Hg],85354-9" in text and "8310-5" in text and "39156-5" in text
    fever_at = at(1, 21).isoformat(timespec="seconds")
    assert f'{fever_at},temperature,38.5,,Cel,8310-5,"咳, ""のど""の痛み",体温' in text
    assert ",weight,52.35,,kg,29463-7,朝食前,体重" in text and ",bmi,20.8,,kg/m2," in text
    assert ",pulse,66,,/min,8867-4,'=1+1,脈拍" in text  # no formula for a spreadsheet to run

    empty = RecordFactory()
    other = Client()
    other.force_login(empty.user)
    page = other.post(
        reverse("portal:health_measurements_import", args=[empty.pk]),
        {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")},
    )
    assert page.status_code == 302
    again = other.get(reverse("portal:health_measurements_csv", args=[empty.pk])).content
    assert again == data
    # importing the same file twice adds nothing
    result = csvio.import_csv(record=empty, data=data)
    assert (result.added, result.skipped) == (0, 7)
    assert Measurement.objects.filter(record=empty).count() == Measurement.objects.filter(record=own_record).count()
    assert Measurement.objects.get(record=empty, type="pulse").note == "=1+1"


def test_bad_rows_are_listed_by_line_in_japanese_and_nothing_is_saved(client, own_record):
    data = (
        "measured_at,type,value,value2,unit,loinc,note,name\n"
        "2026-11-01T07:00:00+09:00,temperature,36.5,,Cel,8310-5,,体温\n"
        "2026-11-01T07:00:00+09:00,temperature,45,,Cel,8310-5,,体温\n"
        "yesterday,pulse,70,,/min,,,\n"
        "2026-11-02T07:00:00,blood_pressure,80,120,mm[Hg],,,\n"
        "2026-11-02T07:00:00,weight,60,,lb,,,\n"
        "2026-11-02T07:00:00,mood,5,,,,,\n"
        "2026-11-02T07:00:00,steps,abc,,,,,\n"
    ).encode()
    client.force_login(own_record.user)
    page = client.post(
        reverse("portal:health_measurements_import", args=[own_record.pk]),
        {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "取り込みませんでした。ファイルに誤りのある行が6行あります。" in text
    assert "3行目: 体温は34.0から42.0 ℃の間で入力してください。" in text
    assert "4行目: 「yesterday」は日時" in text
    assert "5行目: 最高血圧（上）は最低血圧（下）より高い値にしてください。" in text
    assert "6行目: 体重の単位はkgです（「lb」ではありません）。" in text
    assert "7行目: 「mood」という種類はありません。" in text
    assert "8行目: 「abc」は数値ではありません。" in text
    assert not Measurement.objects.exists()


def test_a_shift_jis_file_from_excel_is_read(own_record):
    data = "measured_at,type,value,value2,unit,loinc,note,name\n2026-11-01T07:00,temperature,36.5,,Cel,,熱なし,体温\n"
    result = csvio.import_csv(record=own_record, data=data.encode("cp932"))
    assert result.added == 1 and Measurement.objects.get().note == "熱なし"


def test_fhir_observations_validate_and_carry_loinc_and_ucum(own_record):
    fill(own_record)
    section = sections.get("measurements")
    assert section is not None
    resources = section.fhir(own_record, "Patient/p1", None, None)
    assert len(resources) == Measurement.objects.filter(record=own_record).count()
    by_code = {}
    for resource in resources:
        obs = Observation.model_validate(resource)  # raises on anything FHIR R4 does not allow
        by_code[obs.code.coding[0].code] = obs
        assert obs.code.coding[0].system == "http://loinc.org"
        assert obs.subject.reference == "Patient/p1"
    bp = by_code["85354-9"]
    assert bp.valueQuantity is None
    assert [(c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code) for c in bp.component] == [
        ("8480-6", 131, "mm[Hg]"),
        ("8462-4", 84, "mm[Hg]"),
    ]
    temp = by_code["8310-5"]
    assert (float(temp.valueQuantity.value), temp.valueQuantity.system, temp.valueQuantity.code) == (
        38.5,
        "http://unitsofmeasure.org",
        "Cel",
    )
    assert temp.interpretation[0].coding[0].code == "H"
    assert by_code["39156-5"].valueQuantity.code == "kg/m2"
    assert by_code["55423-8"].valueQuantity.code == "{steps}"
    # the rows of a date range: only yesterday's
    day = timezone.localdate() - datetime.timedelta(days=1)
    assert {m.type for m in section.rows(own_record, day, day)} == {"temperature", "steps"}


def test_reminder_is_mailed_once_a_day_in_the_recipients_language(own_record):
    user = own_record.user
    services.add_reminder(record=own_record, user=user, type_key="blood_pressure", time_of_day=datetime.time(7, 0))
    reminder = MeasureReminder.objects.get()
    reminder.last_sent_on = None
    reminder.save()
    seven_ten = at(0, 7, 10)
    six = at(0, 6, 0)
    assert reminders.send_due(now=six) == 0  # not yet
    assert reminders.send_due(now=seven_ten) == 1
    assert reminders.send_due(now=seven_ten) == 0  # idempotent
    assert reminders.send_due(now=at(0, 7, 15)) == 0
    mail = OutboundMail.objects.get()
    assert mail.to_email == user.email and "血圧" in mail.subject
    assert "List-Unsubscribe" in mail.headers
    assert f"/my/health/{own_record.pk}/measure/blood_pressure/" in mail.body_text
    # the next day: once more
    assert reminders.send_due(now=seven_ten + datetime.timedelta(days=1)) == 1
    assert OutboundMail.objects.count() == 2


def test_reminder_in_english_and_one_click_unsubscribe(client, own_record):
    user = own_record.user
    user.language = "en"
    user.save()
    services.add_reminder(record=own_record, user=user, type_key="temperature", time_of_day=datetime.time(21, 0))
    MeasureReminder.objects.update(last_sent_on=None)
    reminders.send_due(now=at(0, 21, 5))
    mail = OutboundMail.objects.get()
    assert mail.subject == "Reminder: time to measure (Body temperature)"
    token_url = mail.headers["List-Unsubscribe"].strip("<>")
    path = token_url.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code in (200, 302)
    assert not MeasureReminder.objects.get().active
    assert reminders.send_due(now=at(-1, 21, 5)) == 0


def test_a_reminder_set_after_its_time_starts_tomorrow(own_record):
    services.add_reminder(
        record=own_record, user=own_record.user, type_key="pulse", time_of_day=datetime.time(7, 0), now=at(0, 7, 20)
    )
    assert reminders.send_due(now=at(0, 7, 25)) == 0
    assert reminders.send_due(now=at(-1, 7, 0)) == 1  # tomorrow at 7:00


def test_reminder_page_adds_and_stops(client, own_record):
    client.force_login(own_record.user)
    url = reverse("portal:health_reminders", args=[own_record.pk])
    assert client.post(url, {"type": "weight", "time_of_day": "06:30"}).status_code == 302
    reminder = MeasureReminder.objects.get()
    assert (reminder.type, reminder.time_of_day) == ("weight", datetime.time(6, 30))
    client.post(reverse("portal:health_reminder_stop", args=[own_record.pk, reminder.pk]))
    assert not MeasureReminder.objects.get().active


def test_beat_runs_the_reminder_task():
    from django.conf import settings

    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "health.send_measure_reminders"]
    assert datetime.timedelta(minutes=5) <= entry["schedule"] <= datetime.timedelta(minutes=10)


def test_no_reminder_about_a_person_the_resident_no_longer_looks_after(child_record):
    owner = child_record.member.household.owner
    services.add_reminder(record=child_record, user=owner, type_key="temperature", time_of_day=datetime.time(7, 0))
    MeasureReminder.objects.update(last_sent_on=None)
    from tests.portal.factories import UserFactory

    stranger = UserFactory()
    MeasureReminder.objects.update(user=stranger)  # e.g. moved out of the household
    assert reminders.send_due(now=at(0, 7, 5)) == 0
    assert not MeasureReminder.objects.get().active
    assert not OutboundMail.objects.exists()
