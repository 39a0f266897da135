"""The appeal steps' admin URLs (imported from DisclosureConfig.ready(), as the catalogue's hooks are)."""

from django.urls import path
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_appeal_urls():
    from disclosure.appeals.admin_views import AppealStepView

    return [path("disclosure/appeals/<str:step>/<int:pk>/", AppealStepView.as_view(), name="disclosure_appeal_step")]
