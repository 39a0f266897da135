"""News feeds (RSS 2.0, Atom) and event calendars (iCalendar) of the town homepage.

Only live, public pages are published: a draft, a private page or a page behind a password never
appears in a feed or a calendar file. Every link in them starts with ``SITE_URL``; Atom entries
carry ``<updated>`` and the feed its ``<author>``, the town (RFC 4287 4.1.1, 4.1.2).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from icalendar import Calendar, Event, vCalAddress

from cms.models import EventIndexPage, EventPage, NewsIndexPage, NewsPage, site_root_url

TOKYO = ZoneInfo("Asia/Tokyo")
FEED_SIZE = 30
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _site_name() -> str:
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "Machi Portal"


# --- News feeds ---------------------------------------------------------------------------------


class NewsRssFeed(Feed):
    """The latest news as RSS 2.0."""

    language = "ja"

    def author_name(self):
        return _site_name()

    def author_link(self):
        return site_root_url() + "/"

    def get_object(self, request, *args, **kwargs):
        return NewsIndexPage.objects.live().public().order_by("path").first()

    def title(self, index):
        return index.title if index else _site_name()

    def link(self, index):
        if index and index.full_url:
            return index.full_url
        return site_root_url() + "/"

    def description(self, index):
        if index and index.intro:
            return index.intro
        return self.title(index)

    def feed_url(self, index):
        return site_root_url() + reverse("cms:news_rss")

    def items(self, index):
        return NewsPage.objects.live().public().select_related("category").order_by("-date", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.full_url

    def item_guid(self, item):
        return item.full_url

    def item_description(self, item):
        return item.intro

    def item_pubdate(self, item):
        return datetime.combine(item.date, time.min, tzinfo=TOKYO)

    def item_updateddate(self, item):
        """When the news was last published, never before its date (a correction updates it)."""
        published = self.item_pubdate(item)
        if item.last_published_at is None:
            return published
        return max(published, item.last_published_at.replace(microsecond=0))

    def item_categories(self, item):
        return [item.category.name] if item.category else []


class NewsAtomFeed(NewsRssFeed):
    """The latest news as Atom 1.0."""

    feed_type = Atom1Feed

    def subtitle(self, index):
        return self.description(index)

    def feed_url(self, index):
        return site_root_url() + reverse("cms:news_atom")


# --- Event calendars ------------------------------------------------------------------------------


def _events():
    return EventPage.objects.live().public()


def _organizer() -> vCalAddress:
    """The town, at the address the portal mails from: RFC 5546 wants an ORGANIZER on a PUBLISH."""
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = _site_name()
    return address


def _vevent(page: EventPage) -> Event:
    event = Event()
    event.add("uid", f"event-{page.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}")
    event.add("summary", page.title)
    event.add("dtstart", timezone.localtime(page.start, TOKYO))
    event.add("dtend", timezone.localtime(page.end, TOKYO))
    stamp = page.last_published_at or timezone.now()
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("organizer", _organizer())
    if page.venue:
        event.add("location", page.venue)
    if page.intro:
        event.add("description", page.intro)
    url = page.full_url
    if url:
        event.add("url", url)
    return event


def _calendar(name: str, pages) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.MAIL_MESSAGE_ID_DOMAIN}//{_site_name()}//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    for page in pages:
        calendar.add_component(_vevent(page))
    calendar.add_missing_timezones()
    return calendar


def event_ics(request, page_id: int) -> HttpResponse:
    """One event as an .ics file to add to the resident's own calendar."""
    page = get_object_or_404(_events(), pk=page_id)
    calendar = _calendar(page.title, [page])
    response = HttpResponse(calendar.to_ical(), content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="event-{page.pk}.ics"'
    return response


def events_calendar(request) -> HttpResponse:
    """All upcoming events, for subscribing in a calendar application."""
    index = EventIndexPage.objects.live().public().order_by("path").first()
    name = f"{_site_name()} {index.title}" if index else _site_name()
    pages = _events().filter(end__gte=timezone.now()).order_by("start", "pk")
    calendar = _calendar(name, pages)
    return HttpResponse(calendar.to_ical(), content_type=CALENDAR_CONTENT_TYPE)
