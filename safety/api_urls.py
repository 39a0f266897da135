"""URLs of the terminal API, mounted at /api/terminals/ (documented in docs/terminal-api.openapi.yaml)."""

from django.urls import path, re_path

from safety import api

urlpatterns = [
    path("v1/events", api.events, name="events"),
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not_found"),
]
