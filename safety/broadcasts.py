"""Sending a staff safety broadcast (安全安心メール): one outbox mail to each of its recipients, once.

The rules, in plain words:

* Who receives a broadcast is :func:`safety.selectors.recipients` (its audience, and the
  residents who receive its category).
* A broadcast mails each recipient once: the outbox idempotency key is
  ``broadcast:<id>:<user id>``, so sending again (a second click, a retried task, the beat task
  catching up) adds no mail. Mails are written in batches and handed to the workers as each batch
  commits, so delivery starts while the rest is still being written.
* A draft, or a scheduled broadcast whose ``send_at`` has not come, is never sent. Staff start
  sending with :func:`safety.services.send_broadcast_now`; the beat task
  ``notifications.send_due_broadcasts`` sends scheduled ones (:mod:`safety.tasks`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.services import MailSpec, queue_mails_bulk
from notifications.unsubscribe import make_token
from portal.models import User
from safety.mails import BROADCAST_TOPIC, TOKEN_PLACEHOLDER, mail_category, render_broadcast, unsubscribe_link
from safety.models import Broadcast
from safety.selectors import recipients

logger = logging.getLogger(__name__)

#: Recipients written to the outbox per transaction while sending.
SEND_BATCH_SIZE = 1000


def _mails(broadcast: Broadcast, users: list[User], cache: dict) -> Iterator[MailSpec]:
    # The unsubscribe URL is reversed once, not once per resident (a third of the writing time).
    link = cache.get("link")
    if link is None:
        link = cache["link"] = unsubscribe_link(TOKEN_PLACEHOLDER)
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        key = (language, bool(user.mail_html))
        if key not in cache:  # rendered once per language and format, not once per resident
            cache[key] = render_broadcast(broadcast, language, key[1])
        subject, text, html = cache[key]
        token = make_token(topic=BROADCAST_TOPIC, user_id=user.pk, subject=broadcast.category)
        yield MailSpec(
            to_email=user.email,
            subject=subject,
            body_text=text.replace(TOKEN_PLACEHOLDER, token),
            body_html=html.replace(TOKEN_PLACEHOLDER, token),
            category=mail_category(broadcast.pk),
            idempotency_key=f"broadcast:{broadcast.pk}:{user.pk}",
            recipient_id=user.pk,
            language=language,
            unsubscribe_url=link.replace(TOKEN_PLACEHOLDER, token),
        )


def send(broadcast_id: str) -> int:
    """Write one outbox mail per recipient of a due broadcast; returns how many mails were new.

    Safe to run twice or concurrently: the idempotency key makes a second run add nothing. A
    draft, or a scheduled broadcast whose time has not come, is left alone.
    """
    now = timezone.now()
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
        if broadcast is None or broadcast.status in (Broadcast.Status.DRAFT, Broadcast.Status.SENT):
            return 0
        if broadcast.status == Broadcast.Status.SCHEDULED:
            if broadcast.send_at is None or broadcast.send_at > now:
                return 0
            broadcast.status = Broadcast.Status.SENDING
            broadcast.save(update_fields=["status"])
    ids = list(recipients(broadcast).values_list("pk", flat=True))
    cache: dict = {}
    created = 0
    for start in range(0, len(ids), SEND_BATCH_SIZE):
        users = list(
            User.objects.filter(pk__in=ids[start : start + SEND_BATCH_SIZE]).only(
                "pk", "email", "language", "mail_html"
            )
        )
        with transaction.atomic():  # each batch commits on its own, so the workers start at once
            created += queue_mails_bulk(_mails(broadcast, users, cache), batch_size=SEND_BATCH_SIZE)
    Broadcast.objects.filter(pk=broadcast.pk).exclude(status=Broadcast.Status.SENT).update(
        status=Broadcast.Status.SENT, sent_at=timezone.now(), recipient_count=len(ids)
    )
    logger.info("Broadcast %s: %s recipients, %s new mails", broadcast.pk, len(ids), created)
    return created
