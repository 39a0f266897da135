"""/my/health/: included in portal's /my/ URLs (names ``portal:health…``)."""

from django.urls import include, path, re_path

from health import views
from health.child import views as child_views
from health.measurements import views as measurement_views
from health.records import kinds as record_kinds
from health.records import views as record_views

urlpatterns = [
    path("", views.index, name="health"),
    path("<int:record_id>/", views.record, name="health_record"),
    path("", include("health.sharing.urls")),  # sharing, caregivers, summary, FHIR export
    # Medical history, medicines, allergies, check-up results: one generic set of pages (health.records).
    re_path(
        rf"^(?P<record_id>[0-9]+)/(?P<kind>{record_kinds.SLUG_PATTERN})/$",
        record_views.entry_list,
        name="health_entries",
    ),
    re_path(
        rf"^(?P<record_id>[0-9]+)/(?P<kind>{record_kinds.SLUG_PATTERN})/add/$",
        record_views.entry_add,
        name="health_entry_add",
    ),
    re_path(
        rf"^(?P<record_id>[0-9]+)/(?P<kind>{record_kinds.SLUG_PATTERN})/(?P<entry_id>[0-9]+)/edit/$",
        record_views.entry_edit,
        name="health_entry_edit",
    ),
    re_path(
        rf"^(?P<record_id>[0-9]+)/(?P<kind>{record_kinds.SLUG_PATTERN})/(?P<entry_id>[0-9]+)/delete/$",
        record_views.entry_delete,
        name="health_entry_delete",
    ),
    path("<int:record_id>/checkups/<int:entry_id>/file/", record_views.checkup_file, name="health_checkup_file"),
    # Measurements (health.measurements)
    path("mine/measure/<slug:type_key>/", measurement_views.measure_mine, name="health_measure_mine"),
    path("<int:record_id>/measure/<slug:type_key>/", measurement_views.measure, name="health_measure"),
    path("<int:record_id>/measurements.csv", measurement_views.export_csv, name="health_measurements_csv"),
    path("<int:record_id>/measurements/import/", measurement_views.import_csv, name="health_measurements_import"),
    path(
        "<int:record_id>/measurements/<int:measurement_id>/delete/",
        measurement_views.delete,
        name="health_measurement_delete",
    ),
    path("<int:record_id>/measurements/<slug:type_key>/", measurement_views.chart, name="health_chart"),
    path("<int:record_id>/measurements/<slug:type_key>/goal/", measurement_views.goal, name="health_goal"),
    path("<int:record_id>/reminders/", measurement_views.reminders, name="health_reminders"),
    path(
        "<int:record_id>/reminders/<int:reminder_id>/stop/",
        measurement_views.stop_reminder,
        name="health_reminder_stop",
    ),
    # Mother and child (health.child): growth, vaccinations and birth on a child's record, pregnancy on the mother's.
    path("<int:record_id>/growth/", child_views.growth, name="health_growth"),
    path("<int:record_id>/vaccinations/", child_views.vaccinations, name="health_vaccinations"),
    path("<int:record_id>/birth/", child_views.birth, name="health_birth"),
    path("<int:record_id>/pregnancy/", child_views.pregnancy, name="health_pregnancy"),
]
