"""Reads of safety mail: the family's pages on /my/safety/, who gets which mail, broadcasts and their progress.

Reads for a resident start from what the resident may see: a member of another household is
``None`` (→ 404), never an error that tells the member exists.

Who receives a broadcast, in plain words:

* A resident receives the categories they chose on /my/safety/broadcasts/. A resident who never
  chose receives every category.
* The audience of a broadcast is either everyone (``target_all``), or
  (guardians of students at the chosen schools *and* in the chosen grades) *or* (residents whose
  district is one of the chosen districts). Schools without grades means every grade of those
  schools; grades without schools means those grades at every school. A guardian is the
  household owner or a guardian the member was shared with (``portal.selectors.guardians_of``).
* Previewing counts and renders; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from notifications.models import OutboundMail
from portal.models import HouseholdMember, MemberGuardian, User
from portal.selectors import guardians_of_members, member_for_user, members_visible_to
from safety.mails import mail_category, render_broadcast
from safety.models import (
    Broadcast,
    BroadcastCategory,
    BroadcastPreference,
    BroadcastReading,
    Card,
    Student,
    Subscription,
    Tap,
)

#: Guardians see the location history of the last this many days.
HISTORY_DAYS = 30


@dataclass
class MemberSafety:
    member: HouseholdMember
    student: object | None
    watched: object | None
    cards: list[Card] = field(default_factory=list)
    subscription: Subscription | None = None
    last_tap: Tap | None = None

    @property
    def enrolled(self) -> bool:
        return self.student is not None or self.watched is not None


def family_overview(user: User) -> list[MemberSafety]:
    """Each member ``user`` looks after, with their school or watch-over record, active cards and the user's choice."""
    members = list(members_visible_to(user).select_related("student__school", "watched").order_by("household_id", "pk"))
    ids = [m.pk for m in members]
    cards: dict[int, list[Card]] = {}
    for card in Card.objects.filter(member_id__in=ids, status=Card.Status.ACTIVE).order_by("issued_at"):
        cards.setdefault(card.member_id, []).append(card)
    subs = {s.member_id: s for s in Subscription.objects.filter(user=user, member_id__in=ids)}
    result = []
    for m in members:
        result.append(
            MemberSafety(
                member=m,
                student=getattr(m, "student", None) if hasattr(m, "student") else None,
                watched=getattr(m, "watched", None) if hasattr(m, "watched") else None,
                cards=cards.get(m.pk, []),
                subscription=subs.get(m.pk),
                last_tap=latest_tap(m),
            )
        )
    return result


def latest_tap(member: HouseholdMember) -> Tap | None:
    return Tap.objects.filter(member=member).select_related("terminal__school").order_by("-occurred_at").first()


def history_for(user: User, member_id: int) -> tuple[HouseholdMember, QuerySet[Tap]] | None:
    """The member's taps of the last HISTORY_DAYS days, newest first; ``None`` unless ``user`` is a guardian."""
    member = member_for_user(user, member_id)
    if member is None:
        return None
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    taps = (
        Tap.objects.filter(member=member, occurred_at__gte=since)
        .select_related("terminal__school")
        .order_by("-occurred_at", "-pk")
    )
    return member, taps


# --- Who gets tap and watch-over mails --------------------------------------------------------
def subscription_for(user, member: HouseholdMember) -> Subscription:
    """The guardian's saved choice about ``member``, or the default (a mail for every touch), unsaved."""
    return Subscription.objects.filter(user=user, member=member).first() or Subscription(user=user, member=member)


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


# --- Broadcasts: preferences and audience ----------------------------------------------------
def categories_for(user: User) -> list[str]:
    """The categories ``user`` receives: their saved choice, or every category if they never chose."""
    pref = BroadcastPreference.objects.filter(user=user).first()
    return list(pref.categories) if pref is not None else list(BroadcastCategory.values)


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


def due_broadcast_ids() -> list:
    """Scheduled broadcasts whose time has come, and any left half-sent (status "sending")."""
    return list(
        Broadcast.objects.filter(
            Q(status=Broadcast.Status.SCHEDULED, send_at__lte=timezone.now()) | Q(status=Broadcast.Status.SENDING)
        ).values_list("pk", flat=True)
    )


# --- Broadcasts: preview ---------------------------------------------------------------------
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
            subject, text, _html = render_broadcast(broadcast, code, False)
            languages.append(LanguagePreview(code, name, count, subject, text))
    return Preview(sum(counts.values()), languages)


# --- Broadcasts: progress and report ---------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    total: int
    queued: int  # waiting for a worker (or for a retry)
    sent: int
    failed: int
    sending: int = 0  # claimed by a worker right now (or by one that died, until it is freed)

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.queued == 0 and self.sending == 0


def progress(broadcast: Broadcast) -> Progress:
    """Counts of this broadcast's mails by delivery state, straight from the outbox."""
    counts = dict(
        OutboundMail.objects.filter(category=mail_category(broadcast.pk))
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status = OutboundMail.Status
    queued, sending = counts.get(status.QUEUED, 0), counts.get(status.SENDING, 0)
    sent, failed = counts.get(status.SENT, 0), counts.get(status.FAILED, 0)
    return Progress(total=queued + sending + sent + failed, queued=queued, sending=sending, sent=sent, failed=failed)


def failed_mails(broadcast: Broadcast, limit: int = 500) -> QuerySet[OutboundMail]:
    """The mails of this broadcast that could not be delivered, with the server's answer."""
    return (
        OutboundMail.objects.filter(category=mail_category(broadcast.pk), status=OutboundMail.Status.FAILED)
        .only("to_email", "last_error", "attempts")
        .order_by("to_email")[:limit]
    )


# --- Broadcasts a resident received ----------------------------------------------------------
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
