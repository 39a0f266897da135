"""Stored files go when their rows go: a check-up file, or a whole record (account or member deleted).

``post_delete`` fires for rows deleted by a cascade too (deleting a user → their record → its files),
so portal's account deletion needs to know nothing about health. The files are removed only once
the transaction commits: a rolled-back delete keeps both the row and its file.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from health.models import CheckupFile, HealthRecord
from health.records import files


@receiver(post_delete, sender=CheckupFile, dispatch_uid="health_records_checkup_file_deleted")
def checkup_file_deleted(sender, instance: CheckupFile, using, **kwargs) -> None:
    stored_name = instance.stored_name
    transaction.on_commit(lambda: files.remove(stored_name), using=using, robust=True)


@receiver(post_delete, sender=HealthRecord, dispatch_uid="health_records_record_deleted")
def record_deleted(sender, instance: HealthRecord, using, **kwargs) -> None:
    record_id = instance.pk
    transaction.on_commit(lambda: files.remove_record_dir(record_id), using=using, robust=True)
