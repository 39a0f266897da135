"""/disclosure/: the public document catalogue (公開目録) and its search; included from portal/urls.py."""

from django.urls import path

from disclosure.catalogue import views

app_name = "disclosure_catalogue"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", views.SearchFeed(), name="feed"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/files/<int:file_id>/<str:name>", views.download, name="download"),
]
