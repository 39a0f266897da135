"""Vaccine reminder mails: a week before a dose's window opens, each guardian of the child gets one mail.

Rules, in plain words:

* A dose is reminded when its window opens within the next ``REMIND_DAYS_BEFORE`` days (today
  included) and the child has not had it. A dose whose window opened before today is not reminded
  (the family sees it as due on the page).
* One mail per child, dose and guardian, ever: a ``VaccineReminderSent`` row is claimed with
  INSERT … ON CONFLICT DO NOTHING before the mail is queued in the same transaction, and the
  outbox's idempotency key says the same.
* A guardian who clicked the mail's one-click unsubscribe gets no more reminders about that child.
* The mail is in the guardian's language (``queue_templated_mail``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.child import rules, selectors
from health.models import HealthRecord, VaccinationGiven, VaccineReminderOptOut, VaccineReminderSent
from notifications.services import queue_templated_mail
from notifications.unsubscribe import Topic, register_topic, unsubscribe_url
from portal.db import insert_new
from portal.selectors import guardians_of_members

TOPIC = "health_vaccines"
REMIND_DAYS_BEFORE = 7
OLDEST_CHILD_YEARS = 13  # the last routine dose of the table (日本脳炎 2期) ends at 13


def register() -> None:
    from health.child.services import unsubscribe_vaccine_reminders

    register_topic(
        Topic(key=TOPIC, label=_("Vaccine reminders about a child"), unsubscribe=unsubscribe_vaccine_reminders)
    )


@dataclass(frozen=True)
class Given:
    date: datetime.date


def vaccine_name(vaccine, language: str) -> str:
    """The vaccine's name in the mail's language (staff keep a Japanese and an English name)."""
    return vaccine.name if language == "ja" else (vaccine.name_en or vaccine.name)


def due_reminders(today: datetime.date) -> list[tuple[HealthRecord, object, object]]:
    """(child's record, planned dose, guardian) for every reminder not yet sent (a fixed number of queries)."""
    horizon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    records = list(
        HealthRecord.objects.filter(
            member__birth_date__lte=today,
            member__birth_date__gt=rules.add_months(today, -12 * (OLDEST_CHILD_YEARS + 1)),
        ).select_related("member__household__owner")
    )
    if not records:
        return []
    vaccines = selectors.schedule()
    given: dict[int, dict[int, Given]] = {}
    for record_id, dose_id, date in VaccinationGiven.objects.filter(record__in=records).values_list(
        "record_id", "dose_id", "date"
    ):
        given.setdefault(record_id, {})[dose_id] = Given(date)
    sent = set(VaccineReminderSent.objects.filter(record__in=records).values_list("record_id", "dose_id", "user_id"))
    opted = set(VaccineReminderOptOut.objects.filter(record__in=records).values_list("record_id", "user_id"))
    guardians = guardians_of_members([r.member for r in records])
    due = []
    for record in records:
        for planned in selectors.plan_for_birth(record.member.birth_date, today, vaccines, given.get(record.pk)):
            if not today <= planned.window.start <= horizon or planned.given is not None:
                continue
            for user in guardians[record.member_id]:
                if (record.pk, user.pk) in opted or (record.pk, planned.dose.pk, user.pk) in sent:
                    continue
                if user.is_active and user.email:
                    due.append((record, planned, user))
    return due


def send_vaccine_reminders(*, today: datetime.date | None = None) -> int:
    """Queue every due reminder once; returns how many were queued now."""
    today = today or timezone.localdate()
    queued = 0
    for record, planned, user in due_reminders(today):
        with transaction.atomic():
            claim = VaccineReminderSent(record=record, dose=planned.dose, user=user)
            if not insert_new([claim], match="user"):
                continue  # another run sent it
            queue_templated_mail(
                template="health_vaccine_reminder",
                context={
                    "child": record.member,
                    "vaccine": planned.vaccine,
                    "vaccine_name": vaccine_name(planned.vaccine, user.language or "ja"),
                    "dose": planned.dose,
                    "window": planned.window,
                    "page_url": reverse("portal:health_vaccinations", args=[record.pk]),
                },
                to_email=user.email,
                recipient=user,
                idempotency_key=f"health:vaccine:{record.pk}:{planned.dose.pk}:{user.pk}",
                unsubscribe_url=unsubscribe_url(topic=TOPIC, user_id=user.pk, subject=str(record.pk)),
            )
            queued += 1
    return queued
