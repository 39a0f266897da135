"""The cancellation waitlist (キャンセル待ち): join, leave, offers on cancellation, expiry, confirmation.

The gym (tests.facilities.factories.gym) with the clock fixed as in test_rules: November is open
for first-come booking on 15 October; online booking for 10 November closes at its midnight.
Refusals are checked in Japanese, as residents read them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from facilities import services
from facilities.errors import BookingError
from facilities.models import Occupancy, Reservation, WaitlistEntry
from facilities.selectors import Availability, SlotState
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from tests.facilities.factories import ClubFactory, gym
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
DAY = date(2026, 11, 10)  # a Tuesday
NOW = datetime(2026, 10, 15, 10, 0, tzinfo=TZ)
HOUR = timedelta(hours=1)


@pytest.fixture
def g():
    return gym()


@pytest.fixture
def holder(g):
    """A resident who booked 半面A 午前 on DAY."""
    user = UserFactory(district=DistrictFactory())
    services.book(user=user, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), DAY)], now=NOW)
    return user


def booking_of(user) -> Reservation:
    return Reservation.objects.get(user=user, status=Reservation.Status.CONFIRMED)


def join(g, user, unit=None, label="午前", day=DAY, now=NOW, club=None) -> WaitlistEntry:
    unit = unit or g.half_a
    return services.join_waitlist(user=user, unit=unit, frame=g.frame(unit, label), day=day, club=club, now=now)


def refusal_ja(g, user, **kwargs) -> str:
    with translation.override("ja"), pytest.raises(BookingError) as excinfo:
        join(g, user, **kwargs)
    return excinfo.value.message


def state(g, unit=None, label="午前", now=NOW) -> SlotState:
    unit = unit or g.half_a
    return Availability(g.facility, DAY, DAY, now=now).slot(unit, g.frame(unit, label), DAY).state


def offer_mails(user):
    return OutboundMail.objects.filter(to_email=user.email, category="facilities_waitlist_offer")


# --- Joining and leaving ------------------------------------------------------------------


def test_a_resident_joins_the_line_of_a_booked_slot_and_leaves_it(g, holder):
    resident = UserFactory()
    entry = join(g, resident)
    assert (entry.status, entry.user, entry.start) == (
        WaitlistEntry.Status.WAITING,
        resident,
        g.frame(g.half_a).bounds(DAY)[0],
    )
    services.leave_waitlist(entry=entry, user=resident, now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    join(g, resident)  # may join again after leaving
    assert WaitlistEntry.objects.filter(user=resident, status=WaitlistEntry.Status.WAITING).count() == 1


def test_refusals_are_in_japanese_and_change_nothing(g, holder):
    resident = UserFactory()
    assert refusal_ja(g, holder) == "2026年11月10日(火) 午前 09:00–12:00はご自身が予約しています。"
    assert refusal_ja(g, resident, label="午後") == (
        "2026年11月10日(火) 午後 13:00–17:00は空いています。キャンセル待ちではなく、そのまま予約してください。"
    )
    past = refusal_ja(g, resident, now=datetime(2026, 11, 10, 8, 0, tzinfo=TZ))  # online booking has closed
    assert past == "2026年11月10日(火) 午前 09:00–12:00はすでに予約を受け付けていません。"
    join(g, resident)
    assert refusal_ja(g, resident) == "2026年11月10日(火) 午前 09:00–12:00のキャンセル待ちにすでに登録しています。"
    assert WaitlistEntry.objects.count() == 1


def test_a_person_waits_for_at_most_three_slots(g, settings):
    settings.FACILITIES_WAITLIST_MAX_ENTRIES = 3
    resident = UserFactory()
    for label in ("午前", "午後", "夜間"):
        services.book(user=UserFactory(), unit=g.half_b, slots=[SlotRequest(g.frame(g.half_b, label), DAY)], now=NOW)
    services.book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), DAY)], now=NOW)
    for label in ("午前", "午後", "夜間"):
        join(g, resident, unit=g.half_b, label=label)
    assert refusal_ja(g, resident) == (
        "キャンセル待ちは同時に3件までです。ほかのキャンセル待ちを取り消してから登録してください。"
    )
    # Leaving one makes room.
    services.leave_waitlist(entry=WaitlistEntry.objects.filter(user=resident).first(), user=resident, now=NOW)
    join(g, resident)


def test_a_group_waits_through_its_representative(g, holder):
    rep = UserFactory()
    club = ClubFactory(representative=rep)
    entry = join(g, rep, club=club)
    assert entry.club == club
    with pytest.raises(BookingError) as excinfo:
        join(g, UserFactory(), club=club)
    assert excinfo.value.code == "not_representative"


# --- Offers ---------------------------------------------------------------------------------


def test_a_cancellation_offers_the_slot_to_the_first_in_line_with_a_mail(g, holder):
    first, second = UserFactory(), UserFactory()
    join(g, first)
    join(g, second, now=NOW + HOUR)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + 2 * HOUR)

    entry = WaitlistEntry.objects.get(user=first)
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert entry.offer_expires_at == NOW + 2 * HOUR + timedelta(hours=24)
    held = entry.reservation
    assert (held.status, held.user, held.source) == ("offered", first, "waitlist")
    assert Occupancy.objects.filter(reservation=held).count() == 1
    assert WaitlistEntry.objects.get(user=second).status == WaitlistEntry.Status.WAITING
    # The slot stays taken while held: nobody else can book it.
    assert state(g, now=NOW + 2 * HOUR) is SlotState.TAKEN
    with pytest.raises(BookingError):
        services.book(
            user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), DAY)], now=NOW + 3 * HOUR
        )
    [mail] = offer_mails(first)
    assert mail.subject.startswith("キャンセル待ちの枠が空きました")
    assert f"/my/reservations/waitlist/{entry.pk}/" in mail.body_text
    assert "2026年10月16日(金) 12:00までに" in mail.body_text
    assert not offer_mails(second).exists()


def test_the_hold_never_lasts_past_the_slot_start(g, holder, settings):
    settings.FACILITIES_WAITLIST_HOLD_HOURS = 24
    g.facility.booking_closes_days_before = 0
    g.facility.cancel_days_before = 0
    g.facility.save()
    resident = UserFactory()
    join(g, resident, now=datetime(2026, 11, 10, 7, 0, tzinfo=TZ))
    services.cancel(reservation=booking_of(holder), by=holder, now=datetime(2026, 11, 10, 8, 0, tzinfo=TZ))
    assert WaitlistEntry.objects.get(user=resident).offer_expires_at == datetime(2026, 11, 10, 9, 0, tzinfo=TZ)


def test_a_staff_cancellation_also_offers_the_slot(g, holder):
    resident = UserFactory()
    join(g, resident)
    services.cancel(reservation=booking_of(holder), by=None, staff=True, reason="点検", now=NOW + HOUR)
    assert WaitlistEntry.objects.get(user=resident).status == WaitlistEntry.Status.OFFERED


def test_cancelling_the_arena_offers_a_half_someone_waits_for(g):
    booker, resident = UserFactory(), UserFactory()
    services.book(user=booker, unit=g.arena, slots=[SlotRequest(g.frame(g.arena), DAY)], now=NOW)
    join(g, resident, unit=g.half_b)
    services.cancel(reservation=booking_of(booker), by=booker, now=NOW + HOUR)
    assert WaitlistEntry.objects.get(user=resident).status == WaitlistEntry.Status.OFFERED
    assert state(g, unit=g.half_a, now=NOW + HOUR) is SlotState.FREE


def test_confirming_the_offer_makes_it_a_booking(g, holder):
    resident = UserFactory()
    entry = join(g, resident)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    reservation = services.confirm_offer(entry=entry, user=resident, now=NOW + 2 * HOUR)
    assert reservation.status == Reservation.Status.CONFIRMED
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
    assert OutboundMail.objects.filter(to_email=resident.email, category="facilities_booked").count() == 1
    with translation.override("ja"), pytest.raises(BookingError) as again:
        services.confirm_offer(entry=entry, user=resident, now=NOW + 2 * HOUR)
    assert again.value.message == "この枠はすでに予約済みです。"


def test_an_unconfirmed_offer_passes_to_the_next_and_a_late_confirmation_is_refused(g, holder):
    first, second = UserFactory(), UserFactory()
    entry = join(g, first)
    join(g, second, now=NOW + HOUR)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    later = NOW + 26 * HOUR
    with translation.override("ja"), pytest.raises(BookingError) as late:
        services.confirm_offer(entry=entry, user=first, now=later)
    assert late.value.message == "確定の期限が過ぎたため、この枠は次の順番の方に案内されました。"

    assert services.expire_waitlist_offers(now=later) == 1
    assert services.expire_waitlist_offers(now=later) == 0  # idempotent
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.EXPIRED
    assert entry.reservation.status == Reservation.Status.EXPIRED
    nxt = WaitlistEntry.objects.get(user=second)
    assert nxt.status == WaitlistEntry.Status.OFFERED
    assert nxt.offer_expires_at == later + timedelta(hours=24)
    assert offer_mails(second).count() == 1
    [expired_mail] = OutboundMail.objects.filter(to_email=first.email, category="facilities_waitlist_expired")
    assert "確定されなかった" in expired_mail.subject
    assert "2026年10月16日(金) 11:00までに確定されなかったため" in expired_mail.body_text
    assert Occupancy.objects.filter(reservation__status="offered").count() == 1
    assert state(g, now=later) is SlotState.TAKEN


def test_the_last_expiry_frees_the_slot(g, holder):
    resident = UserFactory()
    join(g, resident)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    later = NOW + 26 * HOUR
    services.expire_waitlist_offers(now=later)
    assert WaitlistEntry.objects.get(user=resident).status == WaitlistEntry.Status.EXPIRED
    assert not Occupancy.objects.exists()
    assert state(g, now=later) is SlotState.FREE
    services.book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), DAY)], now=later)


def test_declining_an_offer_passes_it_on_at_once(g, holder):
    first, second = UserFactory(), UserFactory()
    entry = join(g, first)
    join(g, second, now=NOW + HOUR)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    services.leave_waitlist(entry=entry, user=first, now=NOW + 2 * HOUR)
    assert WaitlistEntry.objects.get(user=first).status == WaitlistEntry.Status.LEFT
    assert WaitlistEntry.objects.get(user=second).status == WaitlistEntry.Status.OFFERED
    assert Occupancy.objects.count() == 1


def test_a_slot_released_another_way_is_offered_by_the_periodic_task(g, holder):
    """An unconfirmed lottery win (or anything else) frees the slot without offering it: the task catches up."""
    resident = UserFactory()
    join(g, resident)
    reservation = booking_of(holder)
    Reservation.objects.filter(pk=reservation.pk).update(status=Reservation.Status.EXPIRED)
    reservation.occupancies.all().delete()
    services.expire_waitlist_offers(now=NOW + HOUR)
    assert WaitlistEntry.objects.get(user=resident).status == WaitlistEntry.Status.OFFERED
    services.expire_waitlist_offers(now=NOW + HOUR)
    assert offer_mails(resident).count() == 1


def test_another_residents_entry_cannot_be_confirmed_or_left(g, holder):
    resident, other = UserFactory(), UserFactory()
    entry = join(g, resident)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    for action in (services.confirm_offer, services.leave_waitlist):
        with pytest.raises(BookingError) as excinfo:
            action(entry=entry, user=other, now=NOW + HOUR)
        assert excinfo.value.code == "not_yours"
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.OFFERED


def test_the_periodic_task_is_registered_and_scheduled_last(settings):
    from portal.celery import app

    assert "facilities.expire_waitlist_offers" in app.tasks
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "facilities.expire_waitlist_offers"]
    assert entry["schedule"] <= timedelta(minutes=10)


def test_the_offer_mail_is_in_the_recipients_language(g, holder):
    english = UserFactory(language="en")
    join(g, english)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    [mail] = offer_mails(english)
    assert mail.language == "en"
    assert mail.subject.startswith("A slot you waited for is free")
    assert "To book it, confirm by 16 Oct 2026 11:00 on this page." in mail.body_text


def test_the_database_refuses_a_second_open_offer_for_a_slot(g, holder):
    from django.db import IntegrityError, transaction

    first, second = join(g, UserFactory()), join(g, UserFactory())
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistEntry.Status.OFFERED)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.filter(pk=second.pk).update(status=WaitlistEntry.Status.OFFERED)
    assert WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED).count() == 1


def test_staff_withdrawing_an_offer_passes_it_on_and_the_old_link_is_refused(g, holder):
    first, second = UserFactory(), UserFactory()
    entry = join(g, first)
    join(g, second, now=NOW + HOUR)
    services.cancel(reservation=booking_of(holder), by=holder, now=NOW + HOUR)
    offer = WaitlistEntry.objects.get(pk=entry.pk).reservation
    services.cancel(reservation=offer, by=None, staff=True, reason="重複のため", now=NOW + 2 * HOUR)
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.EXPIRED
    assert WaitlistEntry.objects.get(user=second).status == WaitlistEntry.Status.OFFERED
    with pytest.raises(BookingError) as excinfo:
        services.confirm_offer(entry=entry, user=first, now=NOW + 3 * HOUR)
    assert excinfo.value.code == "offer_expired"
    assert Reservation.objects.filter(status__in=Reservation.ACTIVE).count() == 1
