"""/my/safety/: the family's safety-mail pages, included in portal's /my/ URLs (names ``portal:safety…``)."""

from django.urls import path

from safety import views

urlpatterns = [
    path("", views.overview, name="safety"),
    path("members/<int:member_id>/", views.member_settings, name="safety_member"),
    path("members/<int:member_id>/history/", views.member_history, name="safety_history"),
    path("broadcasts/", views.broadcast_preferences, name="safety_broadcasts"),
]
