"""/disclosure/statistics/: the 運用状況 page and its CSV (names ``disclosure_stats:…``), from portal/urls.py."""

from django.urls import path

from disclosure.stats import views

app_name = "disclosure_stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>.csv", views.year_csv, name="csv"),
]
