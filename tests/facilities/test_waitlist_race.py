"""Exactly one holder of a released slot, whatever happens at once (PostgreSQL, real threads).

Like the booking race (bench/booking.py, "200 concurrent attempts → one booking"): 50 threads,
each with its own database connection, are released together by a barrier. The guards under
test are the row lock on the slot's open waitlist entries, the partial unique constraint "one
OFFERED entry per slot" and the occupancy constraint of the hold.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from facilities import services
from facilities.errors import BookingError
from facilities.models import Occupancy, Reservation, WaitlistEntry
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from tests.facilities.factories import gym
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DAY = date(2026, 11, 10)
RACERS = 50
CONNECTIONS = 25  # PostgreSQL's 100 connections are shared with whatever else runs


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def at(*args):
    from django.utils import timezone

    return datetime(*args, tzinfo=timezone.get_default_timezone())


NOW = at(2026, 10, 15, 10, 0)


def race(jobs) -> list[str]:
    """Run the callables at once, one thread and connection each; return 'ok', a refusal code or an error."""
    barrier = threading.Barrier(len(jobs))
    pool = threading.Semaphore(CONNECTIONS)
    results: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        barrier.wait()
        with pool:
            try:
                job()
                outcome = "ok"
            except BookingError as refusal:
                outcome = refusal.code
            except Exception as error:  # noqa: BLE001 - anything unexpected fails the test below
                outcome = f"error: {error!r}"
            finally:
                connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def released_slot_with_line(n: int):
    """The gym's 半面A 午前 on DAY, booked and then released without offering it; ``n`` people in line."""
    g = gym()
    frame = g.frame(g.half_a)
    holder = UserFactory()
    [booking] = services.book(user=holder, unit=g.half_a, slots=[SlotRequest(frame, DAY)], now=NOW)
    waiting = [UserFactory() for _ in range(n)]
    for i, user in enumerate(waiting):
        services.join_waitlist(user=user, unit=g.half_a, frame=frame, day=DAY, now=NOW + timedelta(seconds=i))
    Reservation.objects.filter(pk=booking.pk).update(status=Reservation.Status.EXPIRED)
    booking.occupancies.all().delete()
    return g, frame, waiting


def test_fifty_concurrent_offers_make_one_holder():
    g, frame, waiting = released_slot_with_line(RACERS)
    later = NOW + timedelta(hours=1)
    jobs = [lambda: services.offer_next(g.half_a, frame, DAY, now=later) for _ in range(RACERS)]
    results = race(jobs)

    assert not [r for r in results if r.startswith("error")], results
    [offer] = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED)
    assert offer.user == waiting[0], "the first in line"
    assert Reservation.objects.filter(status=Reservation.Status.OFFERED).count() == 1
    assert Occupancy.objects.count() == 1
    assert OutboundMail.objects.filter(category="facilities_waitlist_offer").count() == 1


def test_fifty_concurrent_confirmations_expiries_and_bookings_leave_one_holder():
    """The offer's holder confirms, the expiry task runs after the deadline and others try to book, all at once."""
    g, frame, waiting = released_slot_with_line(2)
    first, second = waiting
    services.offer_next(g.half_a, frame, DAY, now=NOW + timedelta(hours=1))
    entry = WaitlistEntry.objects.get(user=first)
    deadline = entry.offer_expires_at
    others = [UserFactory() for _ in range(RACERS)]

    def confirm():
        services.confirm_offer(entry=entry, user=first, now=deadline - timedelta(minutes=1))

    def expire():
        services.expire_waitlist_offers(now=deadline + timedelta(minutes=1))

    def book(user):
        return lambda: services.book(
            user=user, unit=g.half_a, slots=[SlotRequest(frame, DAY)], now=deadline + timedelta(minutes=1)
        )

    jobs = []
    for i in range(RACERS):
        jobs.append((confirm, expire, book(others[i]))[i % 3])
    results = race(jobs)

    assert not [r for r in results if r.startswith("error")], results
    assert "ok" in results
    active = list(Reservation.objects.filter(status__in=Reservation.ACTIVE))
    assert len(active) == 1, active
    [holder] = active
    assert Occupancy.objects.filter(reservation=holder).count() == 1
    assert Occupancy.objects.count() == 1
    assert WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED).count() <= 1
    if holder.user == first:  # the confirmation came first
        assert holder.status == Reservation.Status.CONFIRMED
        assert WaitlistEntry.objects.get(user=first).status == WaitlistEntry.Status.ACCEPTED
    else:  # the expiry came first: the offer passed to the next in line
        assert (holder.user, holder.status) == (second, Reservation.Status.OFFERED)
    assert not Reservation.objects.filter(user__in=others).exists(), "no first-come booking got through"
