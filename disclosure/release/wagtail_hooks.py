"""The release and redaction pages' admin URLs (imported from DisclosureConfig.ready(): the app's own
``wagtail_hooks.py`` belongs to the disclosure requests). They are reached from a request's page."""

from django.urls import path
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_release_urls():
    from disclosure.release import staff

    return [
        path(
            "disclosure/release/<int:pk>/attach/", staff.ReleaseUploadView.as_view(), name="disclosure_release_attach"
        ),
        path("disclosure/release/file/<int:pk>/", staff.StaffFileView.as_view(), name="disclosure_release_file"),
        path(
            "disclosure/release/file/<int:pk>/remove/", staff.RemoveFileView.as_view(), name="disclosure_release_remove"
        ),
        path(
            "disclosure/release/file/<int:pk>/page/<int:page>.png",
            staff.ReleasedPreviewView.as_view(),
            name="disclosure_release_preview",
        ),
        path(
            "disclosure/release/<int:pk>/redact/", staff.RedactionStartView.as_view(), name="disclosure_redaction_start"
        ),
        path("disclosure/redaction/<int:pk>/", staff.RedactionDraftView.as_view(), name="disclosure_redaction"),
        path(
            "disclosure/redaction/<int:pk>/page/<int:page>.png",
            staff.DraftPreviewView.as_view(),
            name="disclosure_redaction_preview",
        ),
        path(
            "disclosure/redaction/<int:pk>/original/",
            staff.DraftOriginalView.as_view(),
            name="disclosure_redaction_original",
        ),
    ]
