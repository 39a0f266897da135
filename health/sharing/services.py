"""Writes of sharing: keyword-only, one transaction, the rule in the docstring. A refusal raises
``HealthError`` before anything is written."""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from health import sections as registry
from health.errors import HealthError
from health.models import Caregiver, HealthRecord, RecordAccess, ShareLink, ShareLinkView
from health.sharing.selectors import family_accounts_of, hash_token
from notifications.services import queue_templated_mail
from portal.models import User

#: The longest a share link may stay open, and the choices offered (hours).
MAX_HOURS = 72
HOUR_CHOICES = (1, 24, 72)
#: Wrong passcodes allowed per link within LOCK_SECONDS before the link refuses every passcode.
MAX_WRONG_PASSCODES = 5
LOCK_SECONDS = 15 * 60
#: Caregiver additions a resident may try per hour (an address that has no account says so: the
#: limit keeps that from becoming a way to test many addresses).
MAX_CAREGIVER_TRIES_PER_HOUR = 10
#: Days the share-link views and caregiver accesses are kept (docs/health-sharing.md).
LOG_RETENTION_DAYS = 365


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    token: str  # shown once to the creator (and kept in their session); only its hash is stored


@transaction.atomic
def create_share_link(
    *,
    record: HealthRecord,
    by: User,
    sections: list[str],
    hours: int,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    passcode: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> NewLink:
    """Open chosen sections of the record, for the date range, to whoever has the link, for at most
    72 hours. The caller has checked that ``by`` manages the record."""
    if not isinstance(hours, int) or hours < 1:
        raise HealthError(_("Choose how long the link stays open."), code="share_hours")
    if hours > MAX_HOURS:
        raise HealthError(
            _("A share link can stay open for at most %(hours)d hours.") % {"hours": MAX_HOURS}, code="share_too_long"
        )
    known = {s.key for s in registry.all_sections()}
    chosen = [key for key in dict.fromkeys(sections) if key in known]
    if not chosen or len(chosen) != len(set(sections)):
        raise HealthError(_("Choose at least one kind of record to share."), code="share_sections")
    if start and end and start > end:
        raise HealthError(_("The start date must not be after the end date."), code="share_dates")
    if passcode and not 4 <= len(passcode) <= 32:
        raise HealthError(_("A passcode has 4 to 32 characters."), code="share_passcode")
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)  # 256 bits
    link = ShareLink.objects.create(
        record=record,
        token_hash=hash_token(token),
        sections=chosen,
        start_date=start,
        end_date=end,
        note=note.strip()[:100],
        passcode_hash=make_password(passcode) if passcode else "",
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    return NewLink(link=link, token=token)


@transaction.atomic
def revoke_share_link(*, link: ShareLink, now: datetime.datetime | None = None) -> ShareLink:
    """Close the link at once: the next request for it gets 404. Revoking twice changes nothing."""
    if link.revoked_at is None:
        link.revoked_at = now or timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def network_of(ip: str | None) -> str:
    """The viewer's network, not their address: IPv4 /24, IPv6 /48 ("" when unknown)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def log_view(*, link: ShareLink, outcome: str, ip: str | None, user_agent: str = "") -> ShareLinkView:
    return ShareLinkView.objects.create(
        link=link, outcome=outcome, network=network_of(ip), user_agent=(user_agent or "")[:200]
    )


def _tries_key(link: ShareLink) -> str:
    return f"health:share:wrong-passcodes:{link.pk}"


def passcode_locked(link: ShareLink) -> bool:
    return (cache.get(_tries_key(link)) or 0) >= MAX_WRONG_PASSCODES


def check_passcode(*, link: ShareLink, passcode: str) -> bool:
    """True for the link's passcode. Wrong tries are counted in the cache: after
    MAX_WRONG_PASSCODES within LOCK_SECONDS, every passcode is refused until the window ends."""
    if passcode_locked(link):
        return False
    if passcode and check_password(passcode, link.passcode_hash):
        return True
    key = _tries_key(link)
    cache.add(key, 0, timeout=LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=LOCK_SECONDS)
    return False


@transaction.atomic
def add_caregiver(*, record: HealthRecord, by: User, email: str = "", user_id: int | None = None) -> Caregiver:
    """Let another account manage the owner's own record. Only the owner adds caregivers, by the
    e-mail of an existing account or by choosing a family account (``family_accounts_of``).
    The caregiver gets a mail saying so, with the link to the record."""
    if record.user_id != by.pk:
        raise HealthError(_("Only the owner of a record chooses its caregivers."), code="caregiver_not_owner")
    key = f"health:caregiver-tries:{by.pk}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > MAX_CAREGIVER_TRIES_PER_HOUR:
        raise HealthError(_("Too many tries. Please wait an hour and try again."), code="caregiver_rate_limited")
    if user_id is not None:
        user = next((u for u in family_accounts_of(by) if u.pk == user_id), None)
    else:
        user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise HealthError(_("No account uses this e-mail address."), code="caregiver_unknown")
    if user.pk == by.pk:
        raise HealthError(_("You already manage your own record."), code="caregiver_self")
    if Caregiver.objects.filter(record=record, user=user).exists():
        raise HealthError(_("This person is already a caregiver."), code="caregiver_twice")
    caregiver = Caregiver.objects.create(record=record, user=user)
    queue_templated_mail(
        template="health_caregiver_added",
        context={
            "owner": by.get_full_name() or by.email,
            "record_url": settings.SITE_URL.rstrip("/") + reverse("portal:health_record", args=[record.pk]),
        },
        to_email=user.email,
        recipient=user,
        category="health_caregiver",
        idempotency_key=f"health-caregiver-added:{caregiver.pk}",
    )
    return caregiver


@transaction.atomic
def remove_caregiver(*, caregiver: Caregiver, by: User) -> None:
    """The owner takes a caregiver's access away; their next request for the record gets 404."""
    if caregiver.record.user_id != by.pk:
        raise HealthError(_("Only the owner of a record chooses its caregivers."), code="caregiver_not_owner")
    caregiver.delete()


def purge_old_logs(*, now: datetime.datetime | None = None) -> int:
    """Delete share-link views and caregiver accesses older than LOG_RETENTION_DAYS, and the links
    that ended before then (their views are gone). Returns the number of rows deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=LOG_RETENTION_DAYS)
    deleted = ShareLinkView.objects.filter(at__lt=cutoff).delete()[0]
    deleted += RecordAccess.objects.filter(at__lt=cutoff).delete()[0]
    deleted += ShareLink.objects.filter(expires_at__lt=cutoff).delete()[0]
    return deleted
