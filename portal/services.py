"""Writes for residents and households.

Rules, in plain words:

* A resident has one household; it is made the first time they need it.
* Only the household's owner adds, edits and removes its members and invites others.
* An invitation is for one email address, lasts 7 days, and is accepted once, by a signed-in
  resident who has verified that same address. Accepting shares the member with them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import forget_recipient, queue_templated_mail
from portal.errors import InvitationError
from portal.models import Household, HouseholdMember, Invitation, MemberGuardian, User
from portal.selectors import hash_invitation_token

INVITATION_LIFETIME = timedelta(days=7)


def get_or_create_household(user: User) -> Household:
    household, _created = Household.objects.get_or_create(owner=user)
    return household


@transaction.atomic
def add_member(*, owner: User, **fields) -> HouseholdMember:
    """Add a person without an account (a child, an elderly parent) to the owner's household."""
    member = HouseholdMember(household=get_or_create_household(owner), **fields)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def update_member(*, member: HouseholdMember, **fields) -> HouseholdMember:
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def remove_member(*, member: HouseholdMember) -> None:
    member.delete()


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def invite_guardian(*, member: HouseholdMember, email: str, invited_by: User, site_url: str) -> SentInvitation:
    """Invite another adult by mail to share ``member``; the mail is queued in this transaction."""
    email = email.strip().lower()
    if email == invited_by.email.lower():
        raise InvitationError(_("You cannot invite yourself."), code="self")
    if MemberGuardian.objects.filter(member=member, user__email__iexact=email).exists():
        raise InvitationError(_("This person already shares this member."), code="already")
    # A new invitation to the same address replaces the older one.
    Invitation.objects.filter(member=member, email=email, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        member=member,
        email=email,
        token_hash=hash_invitation_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    accept_url = site_url.rstrip("/") + reverse("portal:invitation_accept", args=[token])
    recipient = User.objects.filter(email__iexact=email).first()
    queue_templated_mail(
        template="household_invitation",
        context={"invitation": invitation, "member": member, "inviter": invited_by, "accept_url": accept_url},
        to_email=email,
        recipient=recipient,
        language=recipient.language if recipient else invited_by.language,
        idempotency_key=f"invitation:{invitation.pk}",
    )
    return SentInvitation(invitation, token)


def check_invitation(invitation: Invitation, user: User) -> None:
    """Raise :class:`InvitationError` with the reason if ``user`` may not accept ``invitation``.

    An invitation is accepted once, before it expires, by someone other than the household's
    owner, signed in with the very address it was sent to (verified).
    """
    from allauth.account.models import EmailAddress

    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationError(_("This invitation has already been used."), code="used")
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationError(_("This invitation was withdrawn."), code="revoked")
    if invitation.is_expired:
        raise InvitationError(_("This invitation has expired. Ask for a new one."), code="expired")
    if invitation.member.household.owner_id == user.pk:
        raise InvitationError(_("You cannot accept your own invitation."), code="self")
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise InvitationError(
            _("This invitation was sent to another email address. Sign in with the address that received it."),
            code="email",
        )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> MemberGuardian:
    """Share the invited member with ``user``; the invitation can't be used again."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation(invitation, user)
    guardian, _created = MemberGuardian.objects.get_or_create(
        member=invitation.member, user=user, defaults={"invited_by": invitation.invited_by}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    return guardian


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])


@transaction.atomic
def stop_sharing(*, guardian: MemberGuardian) -> None:
    guardian.delete()


@transaction.atomic
def update_profile(*, user: User, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Delete the resident, their household, its members and every mail to them."""
    from allauth.account.models import EmailAddress

    emails = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    forget_recipient(user=user, emails=emails)
    user.delete()


def unsubscribe_town_news(user_id: int, subject: str = "") -> bool:
    """One-click unsubscribe from town news mail. Returns whether anything changed."""
    return bool(User.objects.filter(pk=user_id, receive_town_news=True).update(receive_town_news=False))
