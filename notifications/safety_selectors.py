"""Reads for the family's safety-mail pages on /my/safety/. Every read starts from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Card, Subscription, Tap
from portal.models import HouseholdMember, User
from portal.selectors import member_for_user, members_visible_to

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
