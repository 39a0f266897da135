"""Safety mail services: cards, terminal taps and the mails they cause.

The rules, in plain words:

* A card ID is never stored; its keyed hash is (:func:`notifications.terminal_auth.card_hash`).
  A member can have several cards over time but a card ID is active for one member at a time.
* A tap is stored once per (terminal, event_id): a terminal that re-uploads its buffer after
  being offline changes nothing the second time and no mail is sent twice.
* A tap of an unknown or deactivated card is kept as *unmatched*, and mails nobody.
* A tap mails every guardian of the member (the household owner and every guardian who
  accepted an invitation) whose subscription is "each tap" (the default), in their language,
  within the same transaction that stores the tap, through the outbox (so once per guardian).
* A tap that arrives late still mails, with its real time and a note that it was delayed; a tap
  older than ``SAFETY_MAIL_MAX_AGE_MINUTES`` is stored but not mailed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Card, Consent, MailText, Subscription, Tap, Terminal
from notifications.services import queue_mail
from notifications.terminal_auth import card_hash
from notifications.unsubscribe import Topic, register_topic, unsubscribe_url
from portal.models import HouseholdMember
from portal.selectors import guardians_of

#: A tap uploaded more than this many minutes after it happened says so in the mail.
DELAY_NOTE_MINUTES = 5


TAPS_TOPIC = "safety_taps"


def unsubscribe_taps(user_id: int, member_id: str) -> bool:
    """One-click unsubscribe: no more tap mails about this member for this guardian."""
    if not member_id.isdigit():
        return False
    _sub, created = Subscription.objects.update_or_create(
        user_id=user_id, member_id=int(member_id), defaults={"mode": Subscription.Mode.OFF}
    )
    return True


register_topic(
    Topic(key=TAPS_TOPIC, label=gettext_lazy("Safety mail about a family member"), unsubscribe=unsubscribe_taps)
)


class SafetyError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Cards and consent ------------------------------------------------------------------
@transaction.atomic
def register_card(*, member: HouseholdMember, card_id: str, label: str = "", by=None) -> Card:
    """Register a card to a member. The member needs a recorded consent; an active card ID can't be reused."""
    if not member.consents.filter(withdrawn_at=None).exists():
        raise SafetyError(_("Record the family's consent before registering a card."))
    digest = card_hash(card_id)
    if Card.objects.filter(card_hash=digest, status=Card.Status.ACTIVE).exists():
        raise SafetyError(_("This card is already registered to someone. Deactivate it first."))
    return Card.objects.create(member=member, card_hash=digest, label=label[-4:] if label else "", issued_by=by)


def deactivate_card(*, card: Card, lost: bool = True) -> Card:
    """A lost or returned card stops matching at once; its past taps stay in the history."""
    card.status = Card.Status.LOST if lost else Card.Status.RETIRED
    card.deactivated_at = timezone.now()
    card.save(update_fields=["status", "deactivated_at"])
    return card


def record_consent(*, member: HouseholdMember, purpose: str, given_by: str, by=None) -> Consent:
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
        raise SafetyError("event must be an object")
    try:
        event_id = uuid.UUID(str(raw.get("event_id", "")))
    except ValueError as exc:
        raise SafetyError("event_id must be a UUID") from exc
    card = raw.get("card")
    if not isinstance(card, str) or not 4 <= len(card.strip()) <= 64 or not card.isprintable():
        raise SafetyError("card must be a string of 4 to 64 printable characters")
    kind = raw.get("kind")
    if kind not in Tap.Kind.values:
        raise SafetyError("kind must be one of in, out, touch")
    try:
        occurred = parse_datetime(raw["occurred_at"]) if isinstance(raw.get("occurred_at"), str) else None
        # In UTC now: a date at the edge of the calendar with an offset overflows here, not in the database.
        occurred = occurred.astimezone(UTC) if occurred is not None and occurred.tzinfo is not None else None
    except (ValueError, OverflowError):  # well-formed but impossible, e.g. month 13
        occurred = None
    if occurred is None:
        raise SafetyError("occurred_at must be an ISO 8601 date-time with a time zone")
    return event_id, card, kind, occurred


def ingest(*, terminal: Terminal, events: list, now: datetime | None = None) -> list[EventResult]:
    """Store a terminal's batch of taps and queue their mails. Each event succeeds or fails on its own."""
    now = now or timezone.now()
    results = []
    for raw in events:
        event_id = str(raw.get("event_id", "")) if isinstance(raw, dict) else ""
        try:
            parsed = _parse_event(raw)
        except SafetyError as error:
            results.append(EventResult(event_id, "rejected", error.message))
            continue
        if parsed[3] > now + timedelta(minutes=5):
            results.append(EventResult(event_id, "rejected", "occurred_at is in the future"))
            continue
        with transaction.atomic():
            created = _store_tap(terminal, *parsed, now=now)
        results.append(EventResult(str(parsed[0]), "accepted" if created else "duplicate"))
    return results


def _store_tap(terminal: Terminal, event_id, card_id: str, kind: str, occurred: datetime, *, now) -> bool:
    digest = card_hash(card_id)
    card = Card.objects.select_related("member").filter(card_hash=digest, status=Card.Status.ACTIVE).first()
    tap = Tap(
        terminal=terminal,
        event_id=event_id,
        card_hash=digest,
        card=card,
        member=card.member if card else None,
        kind=kind,
        occurred_at=occurred,
        received_at=now,
        mail_state=Tap.MailState.UNMATCHED if card is None else Tap.MailState.NONE,
    )
    try:
        with transaction.atomic():
            tap.save()
    except IntegrityError:
        return False  # the same (terminal, event_id) was stored before: a re-upload
    if card is not None:
        tap.mail_state = mail_tap(tap, now=now)
        tap.save(update_fields=["mail_state"])
    return True


def subscribers(member: HouseholdMember, *, mode: str = Subscription.Mode.EACH) -> list:
    """Guardians of ``member`` whose subscription is ``mode``; a guardian with no choice saved gets each tap."""
    chosen = dict(Subscription.objects.filter(member=member).values_list("user_id", "mode"))
    return [g for g in guardians_of(member) if chosen.get(g.pk, Subscription.Mode.EACH) == mode and g.email]


def mail_tap(tap: Tap, *, now: datetime | None = None) -> str:
    """Queue one mail per subscribed guardian for a matched tap; returns the tap's mail state."""
    now = now or timezone.now()
    max_age = timedelta(minutes=settings.SAFETY_MAIL_MAX_AGE_MINUTES)
    if now - tap.occurred_at > max_age:
        return Tap.MailState.TOO_OLD
    recipients = subscribers(tap.member)
    if not recipients:
        return Tap.MailState.NONE
    for user in recipients:
        subject, body = tap_mail_text(tap, language=user.language, now=now)
        link = unsubscribe_url(topic=TAPS_TOPIC, user_id=user.pk, subject=str(tap.member_id))
        queue_mail(
            unsubscribe_url=link,
            to_email=user.email,
            subject=subject,
            body_text=body,
            category="safety_tap",
            idempotency_key=f"safety:tap:{tap.pk}:{user.pk}",
            recipient=user,
            language=user.language,
        )
    return Tap.MailState.QUEUED


def _mail_key(tap: Tap) -> str:
    if tap.terminal.kind == Terminal.Kind.GATE:
        return MailText.Key.GATE_OUT if tap.kind == Tap.Kind.OUT else MailText.Key.GATE_IN
    return MailText.Key.WATCH_TOUCH


def default_text(key: str) -> tuple[str, str]:
    """The built-in wording (translated); staff can replace it per language with a MailText."""
    texts = {
        MailText.Key.GATE_IN: (_("{name} arrived at {school}"), _("{name} arrived at {school} at {time}.{delay_note}")),
        MailText.Key.GATE_OUT: (_("{name} left {school}"), _("{name} left {school} at {time}.{delay_note}")),
        MailText.Key.WATCH_TOUCH: (
            _("{name} touched a card at {place}"),
            _("{name} touched a card at {place} at {time}.{delay_note}"),
        ),
        # notifications.watch_over: the daily summary and the no-activity alert.
        MailText.Key.DIGEST: (
            _("{name}'s touches on {date}"),
            _("Where {name} touched a card on {date}:\n{places}"),
        ),
        MailText.Key.NO_ACTIVITY: (
            _("No touch from {name} for {hours} hours"),
            _(
                "{name} has not touched a card at any terminal for {hours} hours during the day "
                "(last touch: {last_touch}). Please check that everything is all right."
            ),
        ),
    }
    return texts[key]


def tap_mail_text(tap: Tap, *, language: str, now: datetime) -> tuple[str, str]:
    """Subject and body of a tap mail in ``language``, from the staff's wording if they saved one."""
    key = _mail_key(tap)
    with translation.override(language):
        custom = MailText.objects.filter(key=key, language=language).first()
        subject, body = (custom.subject, custom.body) if custom else default_text(key)
        local = timezone.localtime(tap.occurred_at)
        delay = (tap.received_at - tap.occurred_at).total_seconds() / 60
        delay_note = ""
        if delay > DELAY_NOTE_MINUTES:
            delay_note = "\n" + _(
                "This mail is late: the terminal sent the touch %(minutes)d minutes after it happened."
            ) % {"minutes": int(delay)}
        values = {
            "name": tap.member.given_name,
            "time": f"{local:%H:%M}",
            "place": tap.terminal.place,
            "school": tap.terminal.school.name if tap.terminal.school_id else tap.terminal.place,
            "delay_note": delay_note,
        }
        footer = "\n\n" + _("Change which mails you get: %(url)s") % {"url": f"{settings.SITE_URL}/my/safety/"}
        return _format(subject, values), _format(body, values) + footer + "\n"


def _format(template: str, values: dict[str, str]) -> str:
    """str.format with unknown placeholders left as they are, so a staff typo never breaks a mail."""

    class Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    try:
        return template.format_map(Keep(values))
    except (ValueError, IndexError):
        return template


# --- Family choices -----------------------------------------------------------------------
def subscription_for(user, member: HouseholdMember) -> Subscription:
    """The guardian's saved choice about ``member``, or the default (a mail for every touch), unsaved."""
    return Subscription.objects.filter(user=user, member=member).first() or Subscription(user=user, member=member)


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
