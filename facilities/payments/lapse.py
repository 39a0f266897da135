"""Provisional bookings not paid by their deadline lapse: cancelled through the normal cancellation
service (so the slot is free at once, and a waitlist gets it), marked lapsed, the holder mailed.

Idempotent: each booking is locked and checked again before it lapses; a booking paid (or
cancelled) meanwhile is left alone, and the mail has one idempotency key per booking.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from facilities import ics, services
from facilities.payments.selectors import due_to_lapse
from notifications.services import Attachment, queue_templated_mail


def lapse_one(pk: int, *, now: datetime) -> bool:
    """Lapse booking ``pk`` if it is still unpaid and past its deadline; whether it lapsed."""
    with transaction.atomic():
        reservation = (
            due_to_lapse(now).select_for_update(of=("self",)).select_related("unit__facility").filter(pk=pk).first()
        )
        if reservation is None:
            return False
        with translation.override(settings.LANGUAGE_CODE):  # the record is in the town's language
            reason = _("Not paid by the deadline")
        reservation = services.cancel(
            reservation=reservation, by=None, reason=reason, staff=True, notify=False, now=now
        )
        reservation.lapsed_at = now
        reservation.save(update_fields=["lapsed_at"])
        recipient = reservation.club.representative if reservation.club_id else reservation.user
        if recipient is not None:
            queue_templated_mail(
                template="facilities_lapsed",
                context={"reservation": reservation},
                to_email=recipient.email,
                recipient=recipient,
                idempotency_key=f"facilities:lapsed:{reservation.uid}",
                attachments=[
                    Attachment(
                        "cancel.ics", ics.cancellation_ics([reservation], to=recipient), "text/calendar; method=CANCEL"
                    )
                ],
            )
        return True


def lapse_unpaid(now: datetime | None = None) -> int:
    """Lapse every unpaid provisional booking past its deadline; how many lapsed."""
    now = now or timezone.now()
    pks = list(due_to_lapse(now).values_list("pk", flat=True))
    return sum(lapse_one(pk, now=now) for pk in pks)
