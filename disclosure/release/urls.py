"""/disclosure/released/: the download of released files (names ``disclosure_release:…``)."""

from django.urls import path

from disclosure.release import views

app_name = "disclosure_release"

urlpatterns = [
    path("<int:file_id>/<str:name>", views.download, name="download"),
]
