"""Non-page URLs of the town homepage (feeds, calendar files). Mounted before Wagtail's pages."""

from django.urls import path

from cms import feeds, views

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("feeds/news.rss", feeds.NewsRssFeed(), name="news_rss"),
    path("feeds/news.atom", feeds.NewsAtomFeed(), name="news_atom"),
    path("events/calendar.ics", feeds.events_calendar, name="events_calendar"),
    path("events/<int:page_id>.ics", feeds.event_ics, name="event_ics"),
]
