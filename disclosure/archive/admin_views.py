"""The 情報公開 staff's publication page in the Wagtail admin: publish a decided request in the public
archive with an edited title and text, edit it, or take it out with a reason.

Registered with the request's actions in ``disclosure/wagtail_hooks.py`` (``disclosure_requests:publication``)
and linked from the request's admin page. Only staff who may change requests (the 情報公開 group)
reach it; every look is written to the staff access log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from disclosure.archive import services
from disclosure.archive.forms import PublishForm, UnpublishForm
from disclosure.errors import DisclosureError
from disclosure.models import Request
from disclosure.release.models import ReleasedFile
from disclosure.staff import request_permissions
from portal.audit import log_staff_access
from portal.errors import add_form_error


class PublicationView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Publish, edit or unpublish one request (two forms: ``publish`` and ``unpublish``)."""

    permission_policy = request_permissions
    permission_required = "change"
    template_name = "disclosure/archive/admin/publication.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.object = get_object_or_404(Request, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Public archive")

    def get_page_subtitle(self):
        return f"{self.object.number} {self.object.name}"

    def detail_url(self) -> str:
        return reverse("disclosure_requests:inspect", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        files = list(ReleasedFile.objects.filter(request=req).only("pk", "name", "kind", "redacted", "request_id"))
        context.update(
            req=req,
            can_publish=services.can_publish(req),
            publish_form=kwargs.get("publish_form") or PublishForm(initial=services.prefill(req), prefix="publish"),
            unpublish_form=kwargs.get("unpublish_form") or UnpublishForm(prefix="unpublish"),
            public_documents=[f for f in files if f.kind == ReleasedFile.Kind.DOCUMENT],
            letters=[f for f in files if f.kind == ReleasedFile.Kind.LETTER],
            public_url=reverse("disclosure_archive:detail", args=[req.pk]) if req.published_at else "",
            cancel_url=self.detail_url(),
        )
        return context

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "unpublish-reason" in request.POST:
            form = UnpublishForm(request.POST, prefix="unpublish")
            done = _("%(number)s has been removed from the public archive.")
            key = "unpublish_form"
        else:
            form = PublishForm(request.POST, prefix="publish")
            done = _("%(number)s is published in the public archive.")
            key = "publish_form"
        if form.is_valid():
            try:
                if key == "unpublish_form":
                    services.unpublish(request=self.object, by=request.user, reason=form.cleaned_data["reason"])
                else:
                    services.publish(
                        request=self.object,
                        by=request.user,
                        title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"],
                    )
            except DisclosureError as error:
                add_form_error(form, error)
            else:
                messages.success(request, done % {"number": self.object.number})
                return redirect(self.detail_url())
        return self.render_to_response(self.get_context_data(**{key: form}))
