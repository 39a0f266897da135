"""Staff safety broadcasts (安全安心メール): who receives one, and sending it once to each of them.

The rules, in plain words:

* A resident receives the categories they chose on /my/safety/broadcasts/. A resident who never
  chose receives every category. Unchecking a category (or one-click unsubscribe from a mail of
  that category) stops only that category.
* The audience of a broadcast is either everyone (``target_all``), or
  (guardians of students at the chosen schools *and* in the chosen grades) *or* (residents whose
  district is one of the chosen districts). Schools without grades means every grade of those
  schools; grades without schools means those grades at every school. A guardian is the
  household owner or a guardian the member was shared with (``portal.selectors.guardians_of``).
* A broadcast mails each recipient once: the outbox idempotency key is
  ``broadcast:<id>:<user id>``, so sending again (a second click, a retried task, the beat task
  catching up) adds no mail. Mails are written in batches and handed to the workers as each batch
  commits, so delivery starts while the rest is still being written.
* Previewing counts and renders; it writes nothing.
* A scheduled broadcast is sent by the beat task (:func:`send_due`) once its ``send_at`` has passed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from notifications.models import Broadcast, BroadcastPreference, BroadcastReading, OutboundMail, Student
from notifications.safety_models import BroadcastCategory
from notifications.services import MailSpec, html_from_text, queue_mails_bulk, render_mail
from notifications.unsubscribe import Topic, make_token, register_topic
from portal.models import MemberGuardian, User

logger = logging.getLogger(__name__)

TOPIC = "safety_broadcast"
TEMPLATE = "safety_broadcast"
#: Recipients written to the outbox per transaction while sending.
SEND_BATCH_SIZE = 1000
_TOKEN_PLACEHOLDER = "UNSUBSCRIBETOKEN"  # noqa: S105 - stands in for each resident's link token


# --- Preferences --------------------------------------------------------------------------
def categories_for(user: User) -> list[str]:
    """The categories ``user`` receives: their saved choice, or every category if they never chose."""
    pref = BroadcastPreference.objects.filter(user=user).first()
    return list(pref.categories) if pref is not None else list(BroadcastCategory.values)


def set_categories(user: User, categories: list[str]) -> BroadcastPreference:
    """Save which categories ``user`` receives (unknown values are dropped)."""
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
    set_categories(user, [c for c in current if c != category])
    return True


register_topic(
    Topic(key=TOPIC, label=gettext_lazy("Safety broadcasts of this category"), unsubscribe=unsubscribe_category)
)


def preferences_url() -> str:
    return settings.SITE_URL + reverse("portal:safety_broadcasts")


# --- Audience -----------------------------------------------------------------------------
def _subscribed_to(category: str) -> Q:
    """Residents without a saved choice, or whose choice includes ``category``."""
    if connection.features.supports_json_field_contains:
        chosen = Q(broadcast_preference__categories__contains=[category])
    else:  # SQLite: the JSON text of the list contains the quoted value (values are plain ASCII words)
        chosen = Q(broadcast_preference__categories__icontains=f'"{category}"')
    return Q(broadcast_preference__isnull=True) | chosen


def _audience(broadcast: Broadcast) -> Q:
    if broadcast.target_all:
        return Q()
    audience = Q(pk__in=[])
    school_ids = list(broadcast.target_schools.values_list("pk", flat=True))
    grades = [int(g) for g in broadcast.target_grades or []]
    if school_ids or grades:
        students = Student.objects.all()
        if school_ids:
            students = students.filter(school__in=school_ids)
        if grades:
            students = students.filter(grade__in=grades)
        member_ids = students.values("member_id")
        shared = MemberGuardian.objects.filter(member__in=member_ids).values("user_id")
        audience |= Q(household__members__in=member_ids) | Q(pk__in=shared)
    district_ids = list(broadcast.target_districts.values_list("pk", flat=True))
    if district_ids:
        audience |= Q(district__in=district_ids)
    return audience


def recipients(broadcast: Broadcast) -> QuerySet[User]:
    """Active residents with an address who receive ``broadcast``'s category and are in its audience."""
    matching = User.objects.filter(_audience(broadcast)).values("pk")
    return (
        User.objects.filter(is_active=True, pk__in=matching)
        .exclude(email="")
        .filter(_subscribed_to(broadcast.category))
        .order_by("pk")
    )


# --- The mail -----------------------------------------------------------------------------
@dataclass(frozen=True)
class LanguagePreview:
    """The mail as the residents who read ``language`` get it, and how many they are."""

    language: str
    language_name: str
    recipient_count: int
    subject: str
    body_text: str


@dataclass(frozen=True)
class Preview:
    recipient_count: int
    languages: list[LanguagePreview]


def _render(broadcast: Broadcast, language: str, html: bool) -> tuple[str, str, str]:
    unsubscribe = settings.SITE_URL + reverse("notifications:unsubscribe", args=[_TOKEN_PLACEHOLDER])
    title, body = broadcast.text_in(language)
    rendered = render_mail(
        TEMPLATE,
        {
            "broadcast": broadcast,
            "title": title,
            "body": body,
            "unsubscribe_url": unsubscribe,
            "preferences_url": preferences_url(),
        },
        language=language,
        html=False,
    )
    body_html = html_from_text(rendered.subject, rendered.body_text, language) if html else ""
    return rendered.subject, rendered.body_text, body_html


def preview(broadcast: Broadcast) -> Preview:
    """What sending would do now: how many residents it reaches, and the mail in each of their languages.

    Writes nothing. A language nobody in the audience reads is still shown when staff wrote a
    version for it, and Japanese is always shown.
    """
    counts = dict(
        recipients(broadcast).order_by().values("language").annotate(n=Count("pk")).values_list("language", "n")
    )
    languages = []
    for code, name in User.Language.choices:
        count = counts.get(code, 0)
        if count or code == settings.LANGUAGE_CODE or broadcast.text_in(code) != (broadcast.title, broadcast.body):
            subject, text, _html = _render(broadcast, code, False)
            languages.append(LanguagePreview(code, name, count, subject, text))
    return Preview(sum(counts.values()), languages)


def _mails(broadcast: Broadcast, users: list[User], cache: dict) -> Iterator[MailSpec]:
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        key = (language, bool(user.mail_html))
        if key not in cache:  # rendered once per language and format, not once per resident
            cache[key] = _render(broadcast, language, key[1])
        subject, text, html = cache[key]
        token = make_token(topic=TOPIC, user_id=user.pk, subject=broadcast.category)
        yield MailSpec(
            to_email=user.email,
            subject=subject,
            body_text=text.replace(_TOKEN_PLACEHOLDER, token),
            body_html=html.replace(_TOKEN_PLACEHOLDER, token),
            category=mail_category(broadcast.pk),
            idempotency_key=f"broadcast:{broadcast.pk}:{user.pk}",
            recipient_id=user.pk,
            language=language,
            unsubscribe_url=settings.SITE_URL + reverse("notifications:unsubscribe", args=[token]),
        )


def mail_category(broadcast_id) -> str:
    return f"broadcast:{broadcast_id}"


# --- Sending ------------------------------------------------------------------------------
@transaction.atomic
def send_now(broadcast: Broadcast) -> Broadcast:
    """Staff pressed "send now": mark it sending and start the task once this is committed."""
    broadcast.status = Broadcast.Status.SENDING
    broadcast.send_at = timezone.now()
    broadcast.save(update_fields=["status", "send_at"])
    broadcast_id = str(broadcast.pk)
    transaction.on_commit(lambda: send.delay(broadcast_id))
    return broadcast


def schedule(broadcast: Broadcast, send_at) -> Broadcast:
    """Staff chose a time: the beat task sends it after ``send_at``."""
    broadcast.status = Broadcast.Status.SCHEDULED
    broadcast.send_at = send_at
    broadcast.save(update_fields=["status", "send_at"])
    return broadcast


def cancel_schedule(broadcast: Broadcast) -> Broadcast:
    """Back to draft, if it has not started sending."""
    Broadcast.objects.filter(pk=broadcast.pk, status=Broadcast.Status.SCHEDULED).update(status=Broadcast.Status.DRAFT)
    broadcast.refresh_from_db()
    return broadcast


@shared_task(name="notifications.send_broadcast", ignore_result=True)
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


@shared_task(name="notifications.send_due_broadcasts", ignore_result=True)
def send_due() -> int:
    """Beat: send scheduled broadcasts whose time has come, and finish any left half-sent."""
    due = Broadcast.objects.filter(
        Q(status=Broadcast.Status.SCHEDULED, send_at__lte=timezone.now()) | Q(status=Broadcast.Status.SENDING)
    ).values_list("pk", flat=True)
    count = 0
    for pk in due:
        send.delay(str(pk))
        count += 1
    return count


# --- Progress and report ------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    total: int
    queued: int  # waiting or being sent
    sent: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.queued == 0


def progress(broadcast: Broadcast) -> Progress:
    """Counts of this broadcast's mails by delivery state, straight from the outbox."""
    counts = dict(
        OutboundMail.objects.filter(category=mail_category(broadcast.pk))
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status = OutboundMail.Status
    queued = counts.get(status.QUEUED, 0) + counts.get(status.SENDING, 0)
    sent, failed = counts.get(status.SENT, 0), counts.get(status.FAILED, 0)
    return Progress(total=queued + sent + failed, queued=queued, sent=sent, failed=failed)


def failed_mails(broadcast: Broadcast, limit: int = 500) -> QuerySet[OutboundMail]:
    """The mails of this broadcast that could not be delivered, with the server's answer."""
    return (
        OutboundMail.objects.filter(category=mail_category(broadcast.pk), status=OutboundMail.Status.FAILED)
        .only("to_email", "last_error", "attempts")
        .order_by("to_email")[:limit]
    )


@dataclass(frozen=True)
class Shown:
    """A received broadcast as a resident reads it on /my/: in their language where staff wrote one."""

    broadcast: Broadcast
    title: str
    body: str


def shown_in(items, language: str) -> list[Shown]:
    return [Shown(b, *b.text_in(language)) for b in items]


#: Without a reading on record, broadcasts of this many days count as new.
NEW_DAYS = 7


def mark_read(user: User, *, now: datetime | None = None) -> None:
    """The resident opened their broadcasts page: everything received until now is read, on every device."""
    BroadcastReading.objects.update_or_create(user=user, defaults={"read_at": now or timezone.now()})


def unread_by(user: User, *, limit: int = 50) -> list[Broadcast]:
    """Broadcasts mailed to ``user`` since they last opened the broadcasts page (or in the last NEW_DAYS days)."""
    reading = BroadcastReading.objects.filter(user=user).first()
    since = reading.read_at if reading else timezone.now() - timedelta(days=NEW_DAYS)
    return [b for b in received_by(user)[:limit] if b.sent_at and b.sent_at > since]


def received_by(user: User) -> QuerySet[Broadcast]:
    """Broadcasts mailed to ``user``, newest first."""
    keys = OutboundMail.objects.filter(recipient=user, category__startswith="broadcast:").values_list(
        "category", flat=True
    )
    ids = [k.split(":", 1)[1] for k in keys]
    return Broadcast.objects.filter(pk__in=ids).order_by("-sent_at", "-created_at")
