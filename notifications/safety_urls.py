"""/my/safety/: the family's safety-mail pages, included in portal's /my/ URLs (names ``portal:safety…``)."""

from django.urls import path

from notifications import safety_views

urlpatterns = [
    path("", safety_views.overview, name="safety"),
    path("members/<int:member_id>/", safety_views.member_settings, name="safety_member"),
    path("members/<int:member_id>/history/", safety_views.member_history, name="safety_history"),
    path("broadcasts/", safety_views.broadcast_preferences, name="safety_broadcasts"),
]
