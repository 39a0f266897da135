"""The 情報公開 staff's release and redaction pages in the Wagtail admin (reached from a request's page).

Only staff who may change disclosure requests (the 情報公開 group, superusers) get in; anyone
else gets 403. Every look at an original, a draft's preview or a released file is written to the
staff access log. The pages work without JavaScript: a box is four numbers in PDF points.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy

from disclosure.errors import DisclosureError
from disclosure.models import Request
from disclosure.release import forms, redaction, services
from disclosure.release.models import RedactionBox, RedactionDraft, ReleasedFile
from portal.audit import log_staff_access
from portal.errors import add_form_error

request_permissions = ModelPermissionPolicy(Request)


def may_release(user) -> bool:
    """情報公開 staff (who may change requests) prepare and release files."""
    return request_permissions.user_has_permission(user, "change")


class StaffOnly:
    def dispatch(self, request, *args, **kwargs):
        if not may_release(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _request_url(req: Request) -> str:
    return reverse("disclosure_requests:inspect", args=[req.pk])


def _read(upload) -> bytes:
    upload.seek(0)
    return upload.read()


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Page(StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("disclosure_requests:index"), "label": _("Disclosure requests")},
            {"url": _request_url(self.req), "label": self.req.number},
            {"url": "", "label": self.get_page_title()},
        ]


class ReleaseUploadView(_Page):
    """Attach the decision letter or a disclosed document."""

    page_title = gettext_lazy("Attach a released file")
    template_name = "disclosure/release/admin/upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.req = get_object_or_404(Request, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.ReleaseForm())
        context.update(req=self.req, cancel_url=_request_url(self.req))
        return context

    def post(self, request, *args, **kwargs):
        form = forms.ReleaseForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.release_file(
                    request=self.req,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    name=upload.name,
                    data=_read(upload),
                )
            except DisclosureError as error:
                add_form_error(form, error, "file")
            else:
                messages.success(request, _("%(name)s: attached.") % {"name": upload.name})
                return redirect(_request_url(self.req))
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(require_POST, name="dispatch")
class RemoveFileView(StaffOnly, View):
    """Remove a released file (until the request is published)."""

    def post(self, request, pk):
        released = get_object_or_404(ReleasedFile.objects.select_related("request"), pk=pk)
        try:
            services.remove_file(released=released, by=request.user)
        except DisclosureError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s: removed.") % {"name": released.name})
        return redirect(_request_url(released.request))


class StaffFileView(StaffOnly, View):
    """A released file as staff see it in the admin (each look logged)."""

    def get(self, request, pk):
        released = get_object_or_404(ReleasedFile, pk=pk)
        log_staff_access(request=request, action="download", obj=released)
        try:
            handle = released.file.storage.open(released.file.name, "rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return _private(
            FileResponse(handle, as_attachment=True, filename=released.name, content_type=released.content_type)
        )


class ReleasedPreviewView(StaffOnly, View):
    """A page of a redacted file rendered from the redacted output itself (each look logged)."""

    def get(self, request, pk, page):
        released = get_object_or_404(ReleasedFile, pk=pk, content_type="application/pdf")
        log_staff_access(request=request, action="preview", obj=released)
        with released.file.storage.open(released.file.name, "rb") as handle:
            data = handle.read()
        try:
            png = redaction.render_page(data, page)
        except redaction.BadFile as error:
            raise Http404 from error
        return _private(HttpResponse(png, content_type="image/png"))


# --- The redaction tool ----------------------------------------------------------------------
class RedactionStartView(_Page):
    """Upload the original PDF of a document to redact."""

    page_title = gettext_lazy("Redact a document (部分開示)")
    template_name = "disclosure/release/admin/upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.req = get_object_or_404(Request, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.OriginalForm())
        context.update(req=self.req, cancel_url=_request_url(self.req), redaction=True)
        return context

    def post(self, request, *args, **kwargs):
        form = forms.OriginalForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draft = services.start_redaction(
                    request=self.req, by=request.user, name=upload.name, data=_read(upload)
                )
            except DisclosureError as error:
                add_form_error(form, error, "file")
            else:
                return redirect("disclosure_redaction", draft.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RedactionDraftView(_Page):
    """The draft: page previews with the boxes, the boxes and their reasons, and the forms to add, remove
    and apply them. Each look is logged."""

    template_name = "disclosure/release/admin/draft.html"

    def dispatch(self, request, *args, **kwargs):
        self.draft = get_object_or_404(RedactionDraft.objects.select_related("request", "output"), pk=kwargs["pk"])
        self.req = self.draft.request
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Redaction: %(name)s") % {"name": self.draft.name}

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.draft)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("box_form", forms.BoxForm(prefix="box", initial={"page": 1}))
        context.setdefault("phrase_form", forms.PhraseForm(prefix="phrase"))
        context.setdefault("apply_form", forms.ApplyForm(prefix="apply"))
        sizes = []
        try:
            with self.draft.original.storage.open(self.draft.original.name, "rb") as handle:
                sizes = redaction.page_sizes(handle.read())
        except (FileNotFoundError, redaction.BadFile):
            pass
        context.update(
            req=self.req,
            draft=self.draft,
            boxes=self.draft.boxes.all(),
            pages=[(n, round(w), round(h)) for n, (w, h) in enumerate(sizes, start=1)],
            output=self.draft.output,
            output_pages=range(1, (self.draft.output.pages if self.draft.output else 0) + 1),
            cancel_url=_request_url(self.req),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        forms_by_action = {
            "box": ("box_form", forms.BoxForm(request.POST, prefix="box")),
            "phrase": ("phrase_form", forms.PhraseForm(request.POST, prefix="phrase")),
            "apply": ("apply_form", forms.ApplyForm(request.POST, prefix="apply")),
        }
        if action == "remove_box":
            box = get_object_or_404(RedactionBox, pk=request.POST.get("box"), draft=self.draft)
            try:
                services.remove_box(box=box, by=request.user)
            except DisclosureError as error:
                messages.error(request, error.message)
            return redirect("disclosure_redaction", self.draft.pk)
        if action not in forms_by_action:
            raise Http404
        name, form = forms_by_action[action]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "box":
                    services.add_box(draft=self.draft, by=request.user, **data)
                    messages.success(request, _("The box was added."))
                elif action == "phrase":
                    added = services.add_phrase(draft=self.draft, by=request.user, **data)
                    messages.success(request, _("%(count)s boxes were added.") % {"count": len(added)})
                else:
                    released = services.apply_redaction(draft=self.draft, by=request.user, name=data["name"])
                    messages.success(request, _("%(name)s: redacted and attached.") % {"name": released.name})
            except DisclosureError as error:
                add_form_error(form, error)
            else:
                return redirect("disclosure_redaction", self.draft.pk)
        return self.render_to_response(self.get_context_data(**{name: form}), status=400)


class DraftPreviewView(StaffOnly, View):
    """A page of the original with the draft's boxes outlined (staff only, each look logged)."""

    def get(self, request, pk, page):
        draft = get_object_or_404(RedactionDraft, pk=pk)
        log_staff_access(request=request, action="preview", obj=draft)
        with draft.original.storage.open(draft.original.name, "rb") as handle:
            data = handle.read()
        boxes = [redaction.Box(b.page, b.x0, b.y0, b.x1, b.y1) for b in draft.boxes.filter(page=page)]
        try:
            png = redaction.render_page(data, page, boxes=boxes)
        except redaction.BadFile as error:
            raise Http404 from error
        return _private(HttpResponse(png, content_type="image/png"))


class DraftOriginalView(StaffOnly, View):
    """The original, unredacted file (staff only, each look logged)."""

    def get(self, request, pk):
        draft = get_object_or_404(RedactionDraft, pk=pk)
        log_staff_access(request=request, action="download", obj=draft)
        try:
            handle = draft.original.storage.open(draft.original.name, "rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return _private(FileResponse(handle, as_attachment=True, filename=draft.name, content_type="application/pdf"))
