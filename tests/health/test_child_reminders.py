"""Vaccine reminders: a week before a dose is due, one mail per child, dose and guardian, in their language."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from health.child import reminders
from health.models import VaccinationGiven, VaccineDose
from notifications.models import OutboundMail
from notifications.unsubscribe import read_token
from portal.models import MemberGuardian
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
# The fixture's child was born 2024-05-10: the 2-month doses (5種混合, B型肝炎, ロタ, PCV15) open on 2024-07-10.
WEEK_BEFORE = D(2024, 7, 3)


def test_reminders_go_a_week_before_once_per_child_dose_and_guardian(child_record):
    second = UserFactory(language="en")
    MemberGuardian.objects.create(member=child_record.member, user=second)
    assert reminders.send_vaccine_reminders(today=D(2024, 7, 2)) == 0  # eight days before: not yet
    first_run = reminders.send_vaccine_reminders(today=WEEK_BEFORE)
    assert first_run == 8  # four doses × two guardians
    assert reminders.send_vaccine_reminders(today=WEEK_BEFORE) == 0
    assert reminders.send_vaccine_reminders(today=D(2024, 7, 5)) == 0
    assert OutboundMail.objects.count() == 8
    owner = child_record.member.household.owner
    ja = OutboundMail.objects.filter(to_email=owner.email)
    en = OutboundMail.objects.filter(to_email=second.email)
    assert ja.filter(subject="太郎さんの予防接種：5種混合（DPT-IPV-Hib）").exists()
    assert en.filter(subject="Vaccination for 太郎: DPT-IPV-Hib", language="en").exists()
    mail = ja.first()
    assert "2024年7月10日" in mail.body_text and mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_dose_already_given_is_not_reminded(child_record):
    dose = VaccineDose.objects.get(vaccine__code="hepb", number=1)
    VaccinationGiven.objects.create(record=child_record, dose=dose, date=D(2024, 7, 1))
    reminders.send_vaccine_reminders(today=WEEK_BEFORE)
    assert not OutboundMail.objects.filter(subject__contains="B型肝炎").exists()
    assert OutboundMail.objects.count() == 3


def test_one_click_unsubscribe_stops_reminders_about_that_child(client, child_record):
    reminders.send_vaccine_reminders(today=D(2024, 7, 3))
    mail = OutboundMail.objects.first()
    url = mail.headers["List-Unsubscribe"].strip("<>")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert read_token(token).topic.key == reminders.TOPIC
    answer = client.post(url.removeprefix(settings.SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert answer.status_code in (200, 204)
    # The 1-year doses (MR, 水痘, PCV15 追加, 5種混合 追加) open on 2025-05-10: no mail now.
    assert reminders.send_vaccine_reminders(today=D(2025, 5, 5)) == 0


def test_the_beat_runs_the_named_task_daily():
    from portal.celery import app

    (last,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "health.send_vaccine_reminders"]
    assert last["schedule"].hour == {9} and last["schedule"].minute == {0}
    assert "health.send_vaccine_reminders" in app.tasks


def test_the_task_sends_and_a_leap_day_is_no_problem(child_record):
    from health.child.tasks import send_vaccine_reminders

    assert reminders.send_vaccine_reminders(today=D(2028, 2, 29)) == 0  # the child is 3: no dose opens this week
    assert send_vaccine_reminders.delay().get() >= 0


def test_the_reminder_of_a_later_dose_follows_the_earlier_dose_actually_given(child_record):
    dose1 = VaccineDose.objects.get(vaccine__code="hepb", number=1)
    VaccinationGiven.objects.create(record=child_record, dose=dose1, date=D(2024, 8, 1))
    # Dose 2 opens 27 days later (2024-08-28), not at 2 months + 27 days (2024-08-06).
    assert not OutboundMail.objects.filter(subject__contains="B型肝炎").exists()
    reminders.send_vaccine_reminders(today=D(2024, 7, 31))
    assert not OutboundMail.objects.filter(subject__contains="B型肝炎").exists()
    reminders.send_vaccine_reminders(today=D(2024, 8, 21))
    mail = OutboundMail.objects.get(subject__contains="B型肝炎")
    assert "2024年8月28日" in mail.body_text
