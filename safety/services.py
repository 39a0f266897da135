"""Safety mail writes: consent and cards, terminal taps and the mails they cause, the family's
choices, and the staff's actions on a broadcast.

The rules, in plain words:

* A card ID is never stored; its keyed hash is (:func:`safety.terminals.card_hash`).
  A member can have several cards over time but a card ID is active for one member at a time.
* A tap is stored once per (terminal, event_id): a terminal that re-uploads its buffer after
  being offline changes nothing the second time and no mail is sent twice.
* A tap of an unknown or deactivated card is kept as *unmatched*, and mails nobody.
* A tap mails every guardian of the member (the household owner and every guardian who
  accepted an invitation) whose subscription is "each tap" (the default), in their language,
  within the same transaction that stores the tap, through the outbox (so once per guardian).
* A tap that arrives late still mails, with its real time and a note that it was delayed; a tap
  older than ``SAFETY_MAIL_MAX_AGE_MINUTES`` is stored but not mailed.
* Unchecking a broadcast category (or one-click unsubscribe from a mail of that category) stops
  only that category.
* "Send now" starts the sending task once the broadcast's new status is committed; a scheduled
  broadcast is sent by the beat task once its ``send_at`` has passed (:mod:`safety.broadcasts`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from notifications.services import MailSpec, queue_mails_bulk
from notifications.unsubscribe import unsubscribe_url
from portal.db import insert_new
from portal.models import HouseholdMember, User
from safety import tasks
from safety.errors import SafetyError
from safety.mails import TAPS_TOPIC, MailTexts, tap_mail_text
from safety.models import (
    Broadcast,
    BroadcastCategory,
    BroadcastPreference,
    BroadcastReading,
    Card,
    Consent,
    Subscription,
    Tap,
    Terminal,
)
from safety.selectors import categories_for, subscribers_by_member
from safety.terminals import card_hash


# --- Cards and consent ------------------------------------------------------------------
@transaction.atomic
def register_card(*, member: HouseholdMember, card_id: str, label: str = "", by=None) -> Card:
    """Register a card to a member. The member needs a recorded consent; an active card ID can't be reused."""
    if not member.consents.filter(withdrawn_at=None).exists():
        raise SafetyError(_("Record the family's consent before registering a card."), code="consent_missing")
    digest = card_hash(card_id)
    if Card.objects.filter(card_hash=digest, status=Card.Status.ACTIVE).exists():
        raise SafetyError(_("This card is already registered to someone. Deactivate it first."), code="card_in_use")
    return Card.objects.create(member=member, card_hash=digest, label=label[-4:] if label else "", issued_by=by)


def deactivate_card(*, card: Card, lost: bool = True) -> Card:
    """A lost or returned card stops matching at once; its past taps stay in the history."""
    card.status = Card.Status.LOST if lost else Card.Status.RETIRED
    card.deactivated_at = timezone.now()
    card.save(update_fields=["status", "deactivated_at"])
    return card


def record_consent(*, member: HouseholdMember, purpose: str, given_by: str, by=None) -> Consent:
    """Record who agreed to what for ``member``; a card can only be registered after this."""
    return Consent.objects.create(member=member, purpose=purpose, given_by=given_by, recorded_by=by)


# --- Taps ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventResult:
    event_id: str
    status: str  # accepted | duplicate | rejected
    error: str = ""

    def as_json(self) -> dict[str, str]:
        data = {"event_id": self.event_id, "status": self.status}
        if self.error:
            data["error"] = self.error
        return data


def _parse_event(raw) -> tuple[uuid.UUID, str, str, datetime]:
    """Validate one event of a batch; raises SafetyError with a reason a terminal's log can show."""
    if not isinstance(raw, dict):
        raise SafetyError("event must be an object", code="invalid_event")
    try:
        event_id = uuid.UUID(str(raw.get("event_id", "")))
    except ValueError as exc:
        raise SafetyError("event_id must be a UUID", code="invalid_event") from exc
    card = raw.get("card")
    if not isinstance(card, str) or not 4 <= len(card.strip()) <= 64 or not card.isprintable():
        raise SafetyError("card must be a string of 4 to 64 printable characters", code="invalid_event")
    kind = raw.get("kind")
    if kind not in Tap.Kind.values:
        raise SafetyError("kind must be one of in, out, touch", code="invalid_event")
    try:
        occurred = parse_datetime(raw["occurred_at"]) if isinstance(raw.get("occurred_at"), str) else None
        # In UTC now: a date at the edge of the calendar with an offset overflows here, not in the database.
        occurred = occurred.astimezone(UTC) if occurred is not None and occurred.tzinfo is not None else None
    except (ValueError, OverflowError):  # well-formed but impossible, e.g. month 13
        occurred = None
    if occurred is None:
        raise SafetyError("occurred_at must be an ISO 8601 date-time with a time zone", code="invalid_event")
    return event_id, card, kind, occurred


def ingest(*, terminal: Terminal, events: list, now: datetime | None = None) -> list[EventResult]:
    """Store a terminal's batch of taps and queue their mails; the result of each event, in order.

    A malformed event is rejected on its own and the others go on. The valid ones are stored in
    one transaction: if the database fails, the request fails as a whole and the terminal keeps
    its buffer and sends it again, which is safe because a tap is stored once.
    """
    now = now or timezone.now()
    results: list[EventResult | None] = []
    valid: dict[uuid.UUID, tuple[int, tuple]] = {}  # event_id → (its place in the results, parsed event)
    for raw in events:
        event_id = str(raw.get("event_id", "")) if isinstance(raw, dict) else ""
        try:
            parsed = _parse_event(raw)
        except SafetyError as error:
            results.append(EventResult(event_id, "rejected", error.message))
            continue
        if parsed[3] > now + timedelta(minutes=5):
            results.append(EventResult(event_id, "rejected", "occurred_at is in the future"))
        elif parsed[0] in valid:  # the same event twice in one batch
            results.append(EventResult(str(parsed[0]), "duplicate"))
        else:
            valid[parsed[0]] = (len(results), parsed)
            results.append(None)
    if valid:
        with transaction.atomic(savepoint=False):  # joins the request's transaction (safety.api)
            stored = _store_taps(terminal, [parsed for _index, parsed in valid.values()], now=now)
        for event_id, (index, _parsed) in valid.items():
            results[index] = EventResult(str(event_id), "accepted" if event_id in stored else "duplicate")
    return results


def _store_taps(terminal: Terminal, events: list[tuple], *, now: datetime) -> set[uuid.UUID]:
    """Insert the taps that are new for this terminal, queue their mails; returns the new event IDs.

    A handful of queries per batch, however many events it holds: the cards, the guardians and
    their choices, the insert, the staff's wording and the outbox.
    """
    digests = {card_id: card_hash(card_id) for _event_id, card_id, _kind, _occurred in events}
    cards = {
        card.card_hash: card
        for card in Card.objects.select_related("member__household__owner").filter(
            card_hash__in=set(digests.values()), status=Card.Status.ACTIVE
        )
    }
    recipients = subscribers_by_member([card.member for card in cards.values()])
    taps = []
    for event_id, card_id, kind, occurred in events:
        card = cards.get(digests[card_id])
        tap = Tap(
            terminal=terminal,
            event_id=event_id,
            card_hash=digests[card_id],
            card=card,
            member=card.member if card else None,
            kind=kind,
            occurred_at=occurred,
            received_at=now,
        )
        tap.mail_state = _mail_state(tap, recipients, now=now)
        taps.append(tap)
    new = insert_new(taps, match="event_id")  # a re-upload of a stored event is skipped
    texts = MailTexts()
    queue_mails_bulk(
        spec
        for tap in new
        if tap.mail_state == Tap.MailState.QUEUED
        for spec in _tap_mails(tap, recipients[tap.member_id], now=now, texts=texts)
    )
    return {tap.event_id for tap in new}


def _mail_state(tap: Tap, recipients: dict[int, list], *, now: datetime) -> str:
    if tap.member_id is None:
        return Tap.MailState.UNMATCHED
    if now - tap.occurred_at > timedelta(minutes=settings.SAFETY_MAIL_MAX_AGE_MINUTES):
        return Tap.MailState.TOO_OLD
    return Tap.MailState.QUEUED if recipients.get(tap.member_id) else Tap.MailState.NONE


def _tap_mails(tap: Tap, users: list, *, now: datetime, texts: MailTexts) -> Iterator[MailSpec]:
    """One mail per subscribed guardian, in their language, with one-click unsubscribe."""
    for user in users:
        stop_url = unsubscribe_url(topic=TAPS_TOPIC, user_id=user.pk, subject=str(tap.member_id))
        subject, body = tap_mail_text(tap, language=user.language, now=now, texts=texts, unsubscribe_url=stop_url)
        yield MailSpec(
            to_email=user.email,
            subject=subject,
            body_text=body,
            category="safety_tap",
            idempotency_key=f"safety:tap:{tap.pk}:{user.pk}",
            recipient_id=user.pk,
            language=user.language,
            unsubscribe_url=stop_url,
        )


# --- Family choices -----------------------------------------------------------------------
def set_subscription(*, user, member: HouseholdMember, mode: str, no_activity_alert: bool = False) -> Subscription:
    """Save how ``user`` hears about ``member``: each tap, a daily digest or nothing, and the no-activity alert.

    The caller checks that ``user`` is one of the member's guardians. The no-activity alert is only
    kept for a watched person.
    """
    alert = bool(no_activity_alert) and hasattr(member, "watched")
    sub, _created = Subscription.objects.update_or_create(
        user=user, member=member, defaults={"mode": mode, "no_activity_alert": alert}
    )
    return sub


def unsubscribe_taps(user_id: int, member_id: str) -> bool:
    """One-click unsubscribe: no more tap mails about this member for this guardian."""
    if not member_id.isdigit():
        return False
    _sub, created = Subscription.objects.update_or_create(
        user_id=user_id, member_id=int(member_id), defaults={"mode": Subscription.Mode.OFF}
    )
    return True


def set_broadcast_categories(*, user: User, categories: list[str]) -> BroadcastPreference:
    """Save which broadcast categories ``user`` receives (unknown values are dropped)."""
    wanted = [c for c in BroadcastCategory.values if c in set(categories)]
    pref, _created = BroadcastPreference.objects.update_or_create(
        user=user, defaults={"categories": wanted, "updated_at": timezone.now()}
    )
    return pref


def unsubscribe_category(user_id: int, category: str) -> bool:
    """One-click unsubscribe: stop this one category for this resident; the others stay as they were."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or category not in BroadcastCategory.values:
        return False
    current = categories_for(user)
    if category not in current:
        return False
    set_broadcast_categories(user=user, categories=[c for c in current if c != category])
    return True


def mark_broadcasts_read(*, user: User, now: datetime | None = None) -> None:
    """The resident opened their broadcasts page: everything received until now is read, on every device."""
    BroadcastReading.objects.update_or_create(user=user, defaults={"read_at": now or timezone.now()})


# --- The staff's actions on a broadcast -------------------------------------------------------
@transaction.atomic
def send_broadcast_now(*, broadcast: Broadcast) -> Broadcast:
    """Staff pressed "send now": mark it sending and start the task once this is committed."""
    broadcast.status = Broadcast.Status.SENDING
    broadcast.send_at = timezone.now()
    broadcast.save(update_fields=["status", "send_at"])
    tasks.send_broadcast.delay_on_commit(str(broadcast.pk))
    return broadcast


def schedule_broadcast(*, broadcast: Broadcast, send_at: datetime) -> Broadcast:
    """Staff chose a time: the beat task sends it after ``send_at``."""
    broadcast.status = Broadcast.Status.SCHEDULED
    broadcast.send_at = send_at
    broadcast.save(update_fields=["status", "send_at"])
    return broadcast


def cancel_broadcast_schedule(*, broadcast: Broadcast) -> Broadcast:
    """Back to draft, if it has not started sending."""
    Broadcast.objects.filter(pk=broadcast.pk, status=Broadcast.Status.SCHEDULED).update(status=Broadcast.Status.DRAFT)
    broadcast.refresh_from_db()
    return broadcast
