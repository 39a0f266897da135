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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Card, Consent, MailText, Subscription, Tap, Terminal
from notifications.services import MailSpec, queue_mails_bulk
from notifications.terminal_auth import card_hash
from notifications.unsubscribe import Topic, register_topic, unsubscribe_url
from portal.db import insert_new
from portal.models import HouseholdMember
from portal.selectors import guardians_of_members

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
        with transaction.atomic(savepoint=False):  # joins the request's transaction (notifications.api)
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


def subscribers_by_member(members, *, mode: str | None = Subscription.Mode.EACH, alert: bool = False) -> dict:
    """For each member, the guardians with an address who get this kind of mail (two queries in all).

    ``mode``: their choice is this one; a guardian who never chose gets a mail for each tap.
    ``alert``: they asked for the no-activity alert and have not turned mail off.
    """
    members = list(members)
    subs = {(s.member_id, s.user_id): s for s in Subscription.objects.filter(member__in=members)}

    def wants(member_id: int, user) -> bool:
        sub = subs.get((member_id, user.pk))
        chosen = sub.mode if sub else Subscription.Mode.EACH
        if mode is not None and chosen != mode:
            return False
        return not alert or (sub is not None and sub.no_activity_alert and chosen != Subscription.Mode.OFF)

    return {
        member_id: [g for g in guardians if g.email and wants(member_id, g)]
        for member_id, guardians in guardians_of_members(members).items()
    }


def _tap_mails(tap: Tap, users: list, *, now: datetime, texts: MailTexts) -> Iterator[MailSpec]:
    """One mail per subscribed guardian, in their language, with one-click unsubscribe."""
    for user in users:
        subject, body = tap_mail_text(tap, language=user.language, now=now, texts=texts)
        yield MailSpec(
            to_email=user.email,
            subject=subject,
            body_text=body,
            category="safety_tap",
            idempotency_key=f"safety:tap:{tap.pk}:{user.pk}",
            recipient_id=user.pk,
            language=user.language,
            unsubscribe_url=unsubscribe_url(topic=TAPS_TOPIC, user_id=user.pk, subject=str(tap.member_id)),
        )


class MailTexts:
    """The staff's wording of the tap mails, read once per batch rather than once per mail."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, str], tuple[str, str]] | None = None

    def get(self, key: str, language: str) -> tuple[str, str]:
        """Subject and body template: the staff's, or the built-in one (call inside the language)."""
        if self._texts is None:
            self._texts = {(t.key, t.language): (t.subject, t.body) for t in MailText.objects.all()}
        return self._texts.get((key, language)) or default_text(key)


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


def tap_mail_text(tap: Tap, *, language: str, now: datetime, texts: MailTexts | None = None) -> tuple[str, str]:
    """Subject and body of a tap mail in ``language``, from the staff's wording if they saved one."""
    key = _mail_key(tap)
    with translation.override(language):
        subject, body = (texts or MailTexts()).get(key, language)
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
        return compose(subject, body, values)


def compose(subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """Fill in a safety mail's wording and add the link to the family's choices (call inside its language)."""
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
