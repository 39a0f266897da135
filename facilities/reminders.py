"""The reminder mail the day before a booking (前日のお知らせ).

Rule: every confirmed reservation of a resident gets one reminder on the day before its day
of use, from the first run of the reminder task after 8:00 that day (nobody is woken at
night). A booking made on the day before gets none: its confirmation mail has just arrived.
``reminder_sent_at`` records the reminder, so it is sent once however often the task runs.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from facilities import ics, rules
from facilities.models import Reservation
from notifications.services import Attachment, queue_templated_mail

#: Reminders are not sent before this local time.
SEND_FROM = time(8, 0)


def due_reminders(*, now: datetime | None = None):
    """Confirmed reservations for tomorrow, booked before today, whose holder has not been reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return Reservation.objects.filter(
        status=Reservation.Status.CONFIRMED,
        date=today + timedelta(days=1),
        created_at__lt=rules.local(today),
        reminder_sent_at=None,
    ).exclude(user=None, club=None)


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue the day-before reminder for each due reservation, once; returns how many were queued."""
    now = now or timezone.now()
    if timezone.localtime(now).time() < SEND_FROM:
        return 0
    sent = 0
    for pk in list(due_reminders(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            # The conditional update is the claim: a second run at the same moment finds nothing.
            if not Reservation.objects.filter(pk=pk, reminder_sent_at=None).update(reminder_sent_at=now):
                continue
            reservation = Reservation.objects.select_related(
                "unit__facility", "frame", "club__representative", "user"
            ).get(pk=pk)
            recipient = reservation.club.representative if reservation.club_id else reservation.user
            queue_templated_mail(
                template="facilities_reminder",
                context={"reservation": reservation, "facility": reservation.unit.facility},
                to_email=recipient.email,
                recipient=recipient,
                idempotency_key=f"facilities:reminder:{reservation.uid}",
                attachments=[
                    Attachment(
                        "reservation.ics", ics.booking_ics([reservation], to=recipient), "text/calendar; method=REQUEST"
                    )
                ],
            )
            sent += 1
    return sent
