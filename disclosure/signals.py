"""A closed day added, moved or removed (by staff in the admin, or any other way) recomputes the due
dates of every open request once the change is committed: a deadline never ignores a new holiday."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from disclosure.models import ClosedDay


@receiver([post_save, post_delete], sender=ClosedDay, dispatch_uid="disclosure_closed_day_changed")
def closed_day_changed(sender, **kwargs) -> None:
    from disclosure.services import recompute_open_due_dates

    transaction.on_commit(recompute_open_due_dates)
