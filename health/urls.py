"""/my/health/: included in portal's /my/ URLs (names ``portal:health…``)."""

from django.urls import path

from health import views
from health.child import views as child_views

urlpatterns = [
    path("", views.index, name="health"),
    path("<int:record_id>/", views.record, name="health_record"),
    # Mother and child (health.child): growth, vaccinations and birth on a child's record, pregnancy on the mother's.
    path("<int:record_id>/growth/", child_views.growth, name="health_growth"),
    path("<int:record_id>/vaccinations/", child_views.vaccinations, name="health_vaccinations"),
    path("<int:record_id>/birth/", child_views.birth, name="health_birth"),
    path("<int:record_id>/pregnancy/", child_views.pregnancy, name="health_pregnancy"),
]
