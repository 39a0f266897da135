"""Reads about residents and households. Other apps use these, not the models."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.models import Household, HouseholdMember, Invitation, MemberGuardian, User


def household_of(user: User) -> Household | None:
    return Household.objects.filter(owner=user).first()


def members_visible_to(user: User) -> QuerySet[HouseholdMember]:
    """Members of the user's own household and members shared with the user."""
    return (
        HouseholdMember.objects.filter(Q(household__owner=user) | Q(guardians__user=user))
        .select_related("household__owner")
        .distinct()
    )


def member_for_user(user: User, member_id: int) -> HouseholdMember | None:
    """A member the user may see, or ``None`` (the view answers 404)."""
    return members_visible_to(user).filter(pk=member_id).first()


def member_owned_by(user: User, member_id: int) -> HouseholdMember | None:
    """A member of the user's own household (only the owner edits, deletes and invites)."""
    return HouseholdMember.objects.filter(pk=member_id, household__owner=user).first()


def guardians_of(member: HouseholdMember) -> list[User]:
    """Every adult who looks after a member: the household owner, then the shared guardians."""
    return guardians_of_members([member])[member.pk]


def guardians_of_members(members: Iterable[HouseholdMember]) -> dict[int, list[User]]:
    """:func:`guardians_of` for many members at once (one query for the shared guardians).

    Pass members fetched with ``select_related("household__owner")`` to save a query per member.
    """
    members = list(members)
    result = {m.pk: [m.household.owner] for m in members}
    owners = {m.pk: m.household.owner_id for m in members}
    shares = MemberGuardian.objects.filter(member__in=members).select_related("user").order_by("created_at")
    for share in shares:
        if share.user_id != owners[share.member_id]:
            result[share.member_id].append(share.user)
    return result


def pending_invitations_for_member(member: HouseholdMember) -> QuerySet[Invitation]:
    return Invitation.objects.filter(member=member, status=Invitation.Status.PENDING, expires_at__gt=timezone.now())


def shares_of(member: HouseholdMember) -> QuerySet[MemberGuardian]:
    return MemberGuardian.objects.filter(member=member).select_related("user").order_by("created_at")


def invitation_owned_by(user: User, invitation_id) -> Invitation | None:
    """An invitation the user sent for a member of their own household."""
    return Invitation.objects.filter(pk=invitation_id, member__household__owner=user).first()


def share_for_user(user: User, share_id: int) -> MemberGuardian | None:
    """A share the user may end: as the member's owner, or as the guardian it was shared with."""
    return (
        MemberGuardian.objects.filter(pk=share_id)
        .filter(Q(user=user) | Q(member__household__owner=user))
        .select_related("member__household")
        .first()
    )


def hash_invitation_token(token: str) -> str:
    """Invitations are found by a hash of their token; the token itself is only in the mail."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a mailed link points at, or None."""
    return (
        Invitation.objects.select_related("member__household__owner", "invited_by")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )
