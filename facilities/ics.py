"""Calendar files (.ics) for reservations: one event per reservation, with a stable UID.

A booking mail carries ``METHOD:REQUEST``; a cancellation carries ``METHOD:CANCEL`` with the
same UID and a higher SEQUENCE, so calendar apps remove the event they added. The private
feed lists every active reservation of a resident.

Standards: times carry ``TZID=Asia/Tokyo`` and the file its VTIMEZONE (RFC 5545 3.2.19); a file
with a METHOD names the facility as ORGANIZER (the portal's sender address) and the resident
the mail goes to as ATTENDEE (RFC 5546 3.2.2, 3.2.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from facilities.models import Reservation

PRODID = "-//Machi Portal//Facilities//JA"


def uid_of(reservation: Reservation) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "machi-portal"
    return f"reservation-{reservation.uid}@{host}"


def organizer_of(reservation: Reservation) -> vCalAddress:
    """The facility, at the address the portal mails from: replies go where the booking mail came from."""
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = reservation.unit.facility.name
    return address


def attendee(user) -> vCalAddress:
    """The resident the calendar file is mailed to; the booking is theirs, so it is already accepted."""
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = user.get_full_name() or user.email
    address.params["role"] = "REQ-PARTICIPANT"
    address.params["partstat"] = "ACCEPTED"
    address.params["rsvp"] = "FALSE"
    return address


def event_for(reservation: Reservation, *, cancelled: bool = False, to=None) -> Event:
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
    if to is not None:
        event.add("organizer", organizer_of(reservation))
        event.add("attendee", attendee(to))
    return event


def calendar(reservations: Iterable[Reservation], *, method: str | None = None, name: str = "", to=None) -> bytes:
    """The calendar file; with a ``method`` (a scheduling message) ``to`` is the resident it is mailed to."""
    if method and to is None:
        raise ValueError("a calendar file with a METHOD needs its attendee")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for reservation in reservations:
        cal.add_component(event_for(reservation, cancelled=method == "CANCEL", to=to if method else None))
    cal.add_missing_timezones()
    return cal.to_ical()


def booking_ics(reservations: list[Reservation], *, to) -> bytes:
    return calendar(reservations, method="REQUEST", to=to)


def cancellation_ics(reservations: list[Reservation], *, to) -> bytes:
    return calendar(reservations, method="CANCEL", to=to)
