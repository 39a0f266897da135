"""/health-share/: the doctor's view of a share link (no login), included from portal/urls.py."""

from django.urls import path

from health.sharing import public_views

app_name = "health_share"

urlpatterns = [
    path("<str:token>/", public_views.open_link, name="open"),
]
