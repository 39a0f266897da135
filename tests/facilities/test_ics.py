"""Calendar files of bookings as calendar apps read them: RFC 5545 (a VTIMEZONE for every TZID)
and RFC 5546 (a scheduling message with METHOD names its ORGANIZER and ATTENDEE)."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from icalendar import Calendar

from facilities.services import SlotRequest, book, cancel
from notifications.models import OutboundMail
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def ics_of(mail: OutboundMail) -> Calendar:
    [attachment] = mail.attachments
    return Calendar.from_ical(base64.b64decode(attachment["content_b64"]))


def assert_tokyo_timezone_defined(cal: Calendar) -> None:
    [vtimezone] = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Asia/Tokyo"
    [standard] = vtimezone.walk("STANDARD")
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=9)
    for event in cal.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
        assert event["DTEND"].params["TZID"] == "Asia/Tokyo"


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=5)


@pytest.fixture
def resident():
    return UserFactory(district=DistrictFactory(), family_name="山田", given_name="花子", language="ja")


def test_booking_and_cancellation_files_define_the_timezone_and_name_organizer_and_attendee(g, day, resident, settings):
    settings.DEFAULT_FROM_EMAIL = "みどり町ポータル <no-reply@portal.example.jp>"
    [reservation] = book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    cancel(reservation=reservation, by=resident)
    booked_mail, cancel_mail = OutboundMail.objects.filter(to_email=resident.email).order_by("pk")

    for mail, method in ((booked_mail, "REQUEST"), (cancel_mail, "CANCEL")):
        cal = ics_of(mail)
        assert str(cal["METHOD"]) == method
        assert_tokyo_timezone_defined(cal)
        [event] = cal.walk("VEVENT")
        organizer = event["ORGANIZER"]
        assert str(organizer) == "mailto:no-reply@portal.example.jp"
        assert organizer.params["CN"] == g.facility.name
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{resident.email}"
        assert attendee.params["CN"] == "山田 花子"


def test_private_feed_defines_the_timezone_and_is_no_scheduling_message(client, g, day, resident):
    book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    client.force_login(resident)
    page = client.get("/my/reservations/calendar/").content.decode()
    url = page.split('id="feed-url" value="')[1].split('"')[0]
    client.logout()
    cal = Calendar.from_ical(client.get(urlsplit(url).path).content)
    assert "METHOD" not in cal
    assert_tokyo_timezone_defined(cal)
    [event] = cal.walk("VEVENT")
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
