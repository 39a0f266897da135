"""/disclosure/archive/: the public archive (names ``disclosure_archive:…``); included from portal/urls.py."""

from django.urls import path

from disclosure.archive import views

app_name = "disclosure_archive"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", views.ArchiveFeed(), name="feed"),
    path("<int:request_id>/", views.detail, name="detail"),
]
