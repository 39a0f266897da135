"""Watch-over mail that is not caused by one tap: the daily digest, the no-activity alert, retention.

The rules, in plain words:

* **Daily digest.** A family member whose subscription is "one daily summary" gets, once a day
  (beat runs it at ``DIGEST_HOUR`` Japan time), one mail per person they follow listing the places
  and times of the touches of the last 24 hours up to the digest time. A watched person with no
  touch at all still gets a digest (that is news); a pupil with no tap (a holiday) gets none.
  Running the task twice on the same day mails nobody twice (idempotency key per
  user + member + date).
* **No-activity alert.** For a watched person with ``no_activity_hours`` set, every subscriber who
  asked for the alert (and has not turned mail off) is alerted when there has been no touch for that
  many *daytime* hours of the current day (daytime is 8:00–20:00 Japan time; a touch earlier today
  restarts the count). Nothing is sent at night, and at most one alert per subscriber per person per
  day.
* **Retention.** Taps (the location history) older than ``SAFETY_RETENTION_DAYS`` are deleted, and
  so are request signatures older than a day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.services import MailSpec, queue_mails_bulk
from notifications.unsubscribe import unsubscribe_url
from portal.models import HouseholdMember
from safety.mails import TAPS_TOPIC, MailTexts, compose
from safety.models import MailText, SeenSignature, Subscription, Tap, WatchedPerson
from safety.selectors import subscribers_by_member

#: The Japan-time hour at which the daily digest goes out (see CELERY_BEAT_SCHEDULE).
DIGEST_HOUR = 19
#: Daytime, in Japan time, during which hours without a touch count and alerts are sent.
DAY_START = time(8, 0)
DAY_END = time(20, 0)
#: Request signatures are only needed for replay protection within minutes; kept at most a day.
SIGNATURE_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class WatchOverRun:
    """What a task did: mails newly queued (a re-run queues none) and people looked at."""

    queued: int
    people: int


def _queue(*, user, member: HouseholdMember, key: str, idempotency_key: str, values: dict, texts: MailTexts) -> bool:
    """Queue one watch-over mail in the user's language; False if this idempotency key was queued before."""
    stop_url = unsubscribe_url(topic=TAPS_TOPIC, user_id=user.pk, subject=str(member.pk))
    with translation.override(user.language):
        subject, body = compose(*texts.get(key, user.language), values, unsubscribe_url=stop_url)
    mail = MailSpec(
        to_email=user.email,
        subject=subject,
        body_text=body,
        category=f"safety_{key}",
        idempotency_key=idempotency_key,
        recipient_id=user.pk,
        language=user.language,
        unsubscribe_url=stop_url,
    )
    return queue_mails_bulk([mail]) == 1  # the outbox skips a key it has seen, even when two runs race


# --- Daily digest -------------------------------------------------------------------------
def digest_window(day: date) -> tuple[datetime, datetime]:
    """The 24 hours a digest of ``day`` covers: from the day before at DIGEST_HOUR to ``day`` at DIGEST_HOUR."""
    end = timezone.make_aware(datetime.combine(day, time(DIGEST_HOUR)))
    return end - timedelta(days=1), end


def _day(value: date) -> str:
    """A day as the reader writes it: 6月10日 in Japanese, 10 June in English (call in the reader's language)."""
    return date_format(value, "MONTH_DAY_FORMAT")


def _places(taps: list[Tap], day: date) -> str:
    lines = []
    for tap in taps:
        local = timezone.localtime(tap.occurred_at)
        when = f"{local:%H:%M}" if local.date() == day else f"{_day(local)} {local:%H:%M}"
        lines.append(f"・{when} {tap.terminal.place}")
    return "\n".join(lines) if lines else _("No touch was recorded.")


def send_daily_digests(*, day: date | None = None) -> WatchOverRun:
    """Mail every "daily summary" subscriber one digest per member they follow, for ``day`` (default today)."""
    day = day or timezone.localdate()
    start, end = digest_window(day)
    member_ids = set(
        Subscription.objects.filter(mode=Subscription.Mode.DIGEST).values_list("member_id", flat=True).distinct()
    )
    members = list(HouseholdMember.objects.filter(pk__in=member_ids).select_related("household__owner", "watched"))
    taps_of = defaultdict(list)
    for tap in (
        Tap.objects.filter(member__in=members, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("terminal")
        .order_by("occurred_at")
    ):
        taps_of[tap.member_id].append(tap)
    subscribers = subscribers_by_member(members, mode=Subscription.Mode.DIGEST)
    texts = MailTexts()
    queued = 0
    for member in members:
        taps = taps_of[member.pk]
        if not taps and not hasattr(member, "watched"):
            continue  # a pupil on a holiday: nothing to say
        for user in subscribers[member.pk]:
            with translation.override(user.language):
                values = {
                    "name": member.given_name,
                    "date": _day(day),
                    "places": _places(taps, day),
                }
            key = f"safety:digest:{user.pk}:{member.pk}:{day.isoformat()}"
            queued += _queue(
                user=user, member=member, key=MailText.Key.DIGEST, idempotency_key=key, values=values, texts=texts
            )
    return WatchOverRun(queued=queued, people=len(member_ids))


# --- No-activity alert --------------------------------------------------------------------
def daytime_hours_without_touch(last_touch: datetime | None, now: datetime) -> float:
    """Hours of today's daytime (8:00–20:00 Japan time) up to ``now`` since the last touch; 0 at night."""
    local_now = timezone.localtime(now)
    day_start = timezone.make_aware(datetime.combine(local_now.date(), DAY_START))
    day_end = timezone.make_aware(datetime.combine(local_now.date(), DAY_END))
    if not day_start <= now < day_end:
        return 0.0
    since = max(day_start, last_touch) if last_touch is not None else day_start
    return max(0.0, (now - since).total_seconds() / 3600)


def send_no_activity_alerts(*, now: datetime | None = None) -> WatchOverRun:
    """Alert the asking family members of every watched person without a touch for their N daytime hours."""
    now = now or timezone.now()
    people = list(
        WatchedPerson.objects.filter(no_activity_hours__gt=0, member__subscriptions__no_activity_alert=True)
        .distinct()
        .select_related("member__household__owner")
        .annotate(last_touch=Max("member__taps__occurred_at"))
    )
    due = []
    for person in people:
        last = person.last_touch if person.last_touch is None or person.last_touch <= now else now
        if daytime_hours_without_touch(last, now) >= person.no_activity_hours:
            due.append((person, last))
    subscribers = subscribers_by_member([person.member for person, _last in due], mode=None, alert=True)
    texts = MailTexts()
    queued = 0
    today = timezone.localdate(now)
    for person, last in due:
        member = person.member
        for user in subscribers[member.pk]:
            with translation.override(user.language):
                local_last = timezone.localtime(last) if last else None
                last_text = f"{_day(local_last)} {local_last:%H:%M}" if local_last else _("none")
            values = {"name": member.given_name, "hours": str(person.no_activity_hours), "last_touch": last_text}
            key = f"safety:no_activity:{user.pk}:{member.pk}:{today.isoformat()}"
            with transaction.atomic():
                kind = MailText.Key.NO_ACTIVITY
                if _queue(user=user, member=member, key=kind, idempotency_key=key, values=values, texts=texts):
                    queued += 1
                    WatchedPerson.objects.filter(pk=person.pk).update(last_alerted_at=now)
    return WatchOverRun(queued=queued, people=len(people))


# --- Retention ----------------------------------------------------------------------------
def purge_old_taps(*, now: datetime | None = None) -> int:
    """Delete taps that happened more than SAFETY_RETENTION_DAYS ago, and day-old request signatures."""
    now = now or timezone.now()
    deleted, _detail = Tap.objects.filter(occurred_at__lt=now - timedelta(days=settings.SAFETY_RETENTION_DAYS)).delete()
    SeenSignature.objects.filter(seen_at__lt=now - SIGNATURE_RETENTION).delete()
    return deleted
