"""Facility URLs, in one namespace ("facilities") at two places.

portal/urls.py mounts this module at the site root, before the town pages' catch-all:
public pages (no sign-in needed for looking) are under /facilities/, the resident's own pages
under /my/reservations/ (next to the rest of /my/, and the address the booking mails link to).
"""

from django.urls import include, path, re_path

from facilities import views
from facilities.lottery import views as lottery_views
from facilities.penalties import views as penalty_views

app_name = "facilities"

public_patterns = [
    path("", views.facility_list, name="list"),
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", views.feed, name="feed"),
    path("lottery/", lottery_views.lottery_rounds, name="lottery_rounds"),
    path("lottery/<int:round_id>/apply/", lottery_views.lottery_apply, name="lottery_apply"),
    path("lottery/<int:round_id>/", lottery_views.lottery_round, name="lottery_round"),
    path("lottery/<int:round_id>/draw.json", lottery_views.lottery_round_json, name="lottery_round_json"),
    path("lottery/<int:round_id>/verify/", lottery_views.lottery_round_verify, name="lottery_round_verify"),
    path("<slug:slug>/", views.facility_detail, name="detail"),
    path("<slug:slug>/book/", views.book, name="book"),
    path("<slug:slug>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("<slug:slug>/units/<int:unit_id>/", views.unit_month, name="unit_month"),
]

resident_patterns = [
    path("", views.my_reservations, name="my_reservations"),
    path("booked/", views.booked, name="booked"),
    path("<int:reservation_id>/", views.reservation_detail, name="reservation_detail"),
    path("<int:reservation_id>/cancel/", views.reservation_cancel, name="reservation_cancel"),
    path("waitlist/", views.waitlist_mine, name="waitlist_mine"),
    path("waitlist/<int:entry_id>/", views.waitlist_entry, name="waitlist_entry"),
    path("waitlist/<int:entry_id>/confirm/", views.waitlist_confirm, name="waitlist_confirm"),
    path("waitlist/<int:entry_id>/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/new-address/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("groups/", views.clubs, name="clubs"),
    path("groups/register/", views.club_register, name="club_register"),
    path("points/", penalty_views.my_points, name="my_points"),
    path("points/groups/<int:club_id>/", penalty_views.club_points, name="club_points"),
    path("lottery/", lottery_views.lottery_mine, name="lottery_mine"),
    path("lottery/<int:application_id>/", lottery_views.lottery_application, name="lottery_application"),
    path("lottery/<int:application_id>/withdraw/", lottery_views.lottery_withdraw, name="lottery_withdraw"),
    path("lottery/wins/<int:reservation_id>/confirm/", lottery_views.lottery_confirm, name="lottery_confirm"),
]

urlpatterns = [
    path("facilities/", include(public_patterns)),
    path("my/reservations/", include(resident_patterns)),
]
