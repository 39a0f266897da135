"""/my/health/: included in portal's /my/ URLs (names ``portal:health…``)."""

from django.urls import include, path

from health import views

urlpatterns = [
    path("", views.index, name="health"),
    path("<int:record_id>/", views.record, name="health_record"),
    path("", include("health.sharing.urls")),  # sharing, caregivers, summary, FHIR export
]
