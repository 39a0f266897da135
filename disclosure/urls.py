"""/my/disclosure/: included in portal's /my/ URLs (names ``portal:disclosure…``)."""

from django.urls import path

from disclosure import views
from disclosure.fees import views as fee_views

urlpatterns = [
    path("", views.index, name="disclosure"),
    path("new/", views.new, name="disclosure_new"),
    path("<int:request_id>/", views.detail, name="disclosure_request"),
    path("<int:request_id>/message/", views.message, name="disclosure_message"),
    path("<int:request_id>/withdraw/", views.withdraw, name="disclosure_withdraw"),
    path("<int:request_id>/invoice/", fee_views.invoice, name="disclosure_invoice"),
]
