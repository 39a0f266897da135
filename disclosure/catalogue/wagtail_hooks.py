"""The catalogue's staff pages in Wagtail's admin (imported from DisclosureConfig.ready(): the app's
own ``wagtail_hooks.py`` belongs to the disclosure requests)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from disclosure.catalogue.access import can_manage_catalogue


class CatalogueMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_catalogue(request.user)


@hooks.register("register_admin_urls")
def register_catalogue_urls():
    from disclosure.catalogue.admin_views import CatalogueEditView, CatalogueIndexView, CatalogueUploadView

    return [
        path("disclosure/catalogue/", CatalogueIndexView.as_view(), name="disclosure_catalogue_admin"),
        path("disclosure/catalogue/upload/", CatalogueUploadView.as_view(), name="disclosure_catalogue_upload"),
        path("disclosure/catalogue/<int:pk>/", CatalogueEditView.as_view(), name="disclosure_catalogue_edit"),
    ]


@hooks.register("register_admin_menu_item")
def register_catalogue_menu_item():
    return CatalogueMenuItem(
        _("Document catalogue"), reverse("disclosure_catalogue_admin"), icon_name="doc-full", order=650
    )
