"""/my/health/<record>/…: the owner's sharing pages, included in health/urls.py (names ``portal:…``)."""

from django.urls import path

from health.sharing import views

urlpatterns = [
    path("<int:record_id>/sharing/", views.sharing, name="health_sharing"),
    path("<int:record_id>/sharing/<int:link_id>/", views.share_link, name="health_share_link"),
    path("<int:record_id>/sharing/<int:link_id>/revoke/", views.share_link_revoke, name="health_share_revoke"),
    path("<int:record_id>/caregivers/", views.caregivers, name="health_caregivers"),
    path(
        "<int:record_id>/caregivers/<int:caregiver_id>/remove/",
        views.caregiver_remove,
        name="health_caregiver_remove",
    ),
    path("<int:record_id>/summary/", views.summary, name="health_summary"),
    path("<int:record_id>/export/fhir/", views.export_fhir, name="health_export_fhir"),
]
