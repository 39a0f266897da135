"""Calendar files (.ics) for reservations: one event per reservation, with a stable UID.

A booking mail carries ``METHOD:REQUEST``; a cancellation carries ``METHOD:CANCEL`` with the
same UID and a higher SEQUENCE, so calendar apps remove the event they added. The private
feed lists every active reservation of a resident.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from facilities.models import Reservation

PRODID = "-//Machi Portal//Facilities//JA"


def uid_of(reservation: Reservation) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "machi-portal"
    return f"reservation-{reservation.uid}@{host}"


def event_for(reservation: Reservation, *, cancelled: bool = False) -> Event:
    tz = timezone.get_default_timezone()
    event = Event()
    event.add("uid", uid_of(reservation))
    event.add("summary", f"{reservation.unit.facility.name} {reservation.unit.name}")
    event.add("dtstart", reservation.start.astimezone(tz))
    event.add("dtend", reservation.end.astimezone(tz))
    event.add("dtstamp", timezone.now())
    event.add("location", reservation.unit.facility.address or reservation.unit.facility.name)
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if reservation.frame_id:
        event.add("description", reservation.frame.label)
    return event


def calendar(reservations: Iterable[Reservation], *, method: str | None = None, name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for reservation in reservations:
        cal.add_component(event_for(reservation, cancelled=method == "CANCEL"))
    return cal.to_ical()


def booking_ics(reservations: list[Reservation]) -> bytes:
    return calendar(reservations, method="REQUEST")


def cancellation_ics(reservations: list[Reservation]) -> bytes:
    return calendar(reservations, method="CANCEL")
