"""Reads about mails sent to a resident."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import OutboundMail


def recent_mails_for(user, limit: int = 5) -> QuerySet[OutboundMail]:
    return OutboundMail.objects.filter(recipient=user).only("subject", "status", "created_at", "sent_at", "to_email")[
        :limit
    ]


def failing_addresses_for(user) -> list[str]:
    """Addresses of this resident that the mail server refused permanently."""
    return list(
        OutboundMail.objects.filter(recipient=user, status=OutboundMail.Status.FAILED)
        .values_list("to_email", flat=True)
        .distinct()
    )
