"""Reminders to measure (測定のお知らせ): a daily mail at the time of day the resident chose.

Rule: each active reminder is mailed once a day, by the first run of the beat task at or after its
time (Japan time) and within ``SEND_WINDOW`` of it: a reminder never arrives hours late after an
outage. ``last_sent_on`` is the claim (a conditional UPDATE), and the outbox's idempotency key
(reminder and day) makes a second mail for the same day impossible even if two runs overlap.
The mail is in the recipient's language and carries a one-click unsubscribe link.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from health import access
from health.measurements import catalogue
from health.models import MeasureReminder
from notifications.services import queue_templated_mail
from notifications.unsubscribe import unsubscribe_url

TOPIC = "health.measure_reminder"
SEND_WINDOW = datetime.timedelta(hours=2)


def due(now: datetime.datetime) -> list[int]:
    """Ids of the active reminders whose time has come today and that were not mailed today."""
    local = timezone.localtime(now)
    today, time_now = local.date(), local.time()
    earliest = (local - SEND_WINDOW).time() if (local - SEND_WINDOW).date() == today else datetime.time.min
    return list(
        MeasureReminder.objects.filter(active=True, time_of_day__lte=time_now, time_of_day__gte=earliest)
        .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
        .values_list("pk", flat=True)
    )


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Queue today's mail of each due reminder, once; returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = 0
    for pk in due(now):
        with transaction.atomic():
            claimed = (
                MeasureReminder.objects.filter(pk=pk, active=True)
                .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
                .update(last_sent_on=today)
            )
            if not claimed:
                continue
            reminder = MeasureReminder.objects.select_related("user", "record__user", "record__member").get(pk=pk)
            user = reminder.user
            if not user.is_active or not user.email:
                continue
            if not access.can_manage(user, reminder.record):  # no longer looks after this person
                MeasureReminder.objects.filter(pk=pk).update(active=False)
                continue
            mtype = catalogue.TYPES[reminder.type]
            queue_templated_mail(
                template="health_measure_reminder",
                context={
                    "reminder": reminder,
                    "type_label": mtype.label,
                    "own": reminder.record.user_id == user.pk,
                    "name": reminder.record.display_name,
                    "entry_url": _site(reverse("portal:health_measure", args=[reminder.record_id, reminder.type])),
                },
                to_email=user.email,
                recipient=user,
                category="health_measure_reminder",
                idempotency_key=f"health:measure-reminder:{reminder.pk}:{today.isoformat()}",
                unsubscribe_url=unsubscribe_url(topic=TOPIC, user_id=user.pk, subject=str(reminder.pk)),
            )
            sent += 1
    return sent


def _site(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path
