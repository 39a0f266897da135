"""/my/health/: included in portal's /my/ URLs (names ``portal:health…``)."""

from django.urls import path

from health import views

urlpatterns = [
    path("", views.index, name="health"),
    path("<int:record_id>/", views.record, name="health_record"),
]
