"""The catalogue's staff pages in Wagtail's admin: the documents with their extraction state
(「OCR未処理」 for scans without a text layer) and the bulk upload (CSV + files)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, UpdateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from disclosure.catalogue.access import can_manage_catalogue
from disclosure.catalogue.bulk import files_from_zip, import_catalogue
from disclosure.catalogue.errors import CatalogueImportError
from disclosure.catalogue.models import CatalogueDocument, CatalogueFile

#: Largest upload taken in one go (CSV, zip and files together).
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class StaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_catalogue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CatalogueIndexView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Document catalogue")
    header_icon = "doc-full"
    template_name = "disclosure/catalogue/admin/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        needs_ocr = CatalogueFile.objects.filter(document=OuterRef("pk"), pages_without_text__gt=0)
        failed = CatalogueFile.objects.filter(document=OuterRef("pk")).exclude(extraction_error="")
        documents = (
            CatalogueDocument.objects.defer("text", "search_text", "search_title")
            .annotate(file_count=Count("files"), needs_ocr=Exists(needs_ocr), failed=Exists(failed))
            .order_by("-created_at", "-pk")
        )
        flagged = documents.filter(Q(needs_ocr=True) | Q(failed=True))
        only_ocr = self.request.GET.get("ocr") == "1"
        if only_ocr:
            documents = flagged
        context["only_ocr"] = only_ocr
        context["ocr_count"] = flagged.count()
        context["page_obj"] = Paginator(documents, 50).get_page(self.request.GET.get("page"))
        context["upload_url"] = reverse("disclosure_catalogue_upload")
        return context


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class UploadForm(forms.Form):
    csv = forms.FileField(
        label=gettext_lazy("CSV of documents"),
        help_text=gettext_lazy(
            "Columns: 文書番号, 件名, 担当課, 作成日, 決裁日, 保存期間, 公開区分, キーワード, ファイル. "
            "UTF-8 or Shift_JIS (as Excel saves it)."
        ),
    )
    archive = forms.FileField(
        label=gettext_lazy("Files as a zip"), required=False, help_text=gettext_lazy("The files the CSV names.")
    )
    files = MultipleFileField(
        label=gettext_lazy("Or the files themselves"),
        required=False,
        help_text=gettext_lazy("PDF, Word (docx), Excel (xlsx) or text; several at once."),
    )

    def clean(self):
        cleaned = super().clean()
        uploads = [cleaned.get("csv"), cleaned.get("archive"), *(cleaned.get("files") or [])]
        if sum(upload.size for upload in uploads if upload) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The upload is larger than 500 MB. Send it in several parts."))
        return cleaned


class CatalogueUploadView(StaffOnlyMixin, WagtailAdminTemplateMixin, FormView):
    page_title = gettext_lazy("Upload documents")
    header_icon = "upload"
    template_name = "disclosure/catalogue/admin/upload.html"
    form_class = UploadForm

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("disclosure_catalogue_admin"), "label": _("Document catalogue")},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        files: dict[str, bytes] = {}
        try:
            if form.cleaned_data.get("archive"):
                files.update(files_from_zip(form.cleaned_data["archive"].read()))
            for upload in form.cleaned_data.get("files") or []:
                files[upload.name] = upload.read()
            documents = import_catalogue(csv_bytes=form.cleaned_data["csv"].read(), files=files)
        except CatalogueImportError as error:
            return self.render_to_response(self.get_context_data(form=form, problems=error.problems))
        messages.success(
            self.request, _("%(count)s documents were added to the catalogue.") % {"count": len(documents)}
        )
        return redirect("disclosure_catalogue_admin")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = CatalogueDocument
        fields = ["file_number", "title", "department", "created_on", "decided_on", "retention", "category", "keywords"]

    def save(self, commit=True):
        document = super().save(commit=False)
        # A change of category changes what is searchable: a closed document's text never is.
        document.refresh_search_fields()
        if commit:
            document.save()
        return document


class CatalogueEditView(StaffOnlyMixin, WagtailAdminTemplateMixin, UpdateView):
    """Change a document's catalogue entry (e.g. its category after a disclosure decision)."""

    page_title = gettext_lazy("Edit document")
    header_icon = "doc-full"
    template_name = "disclosure/catalogue/admin/edit.html"
    form_class = DocumentForm

    def get_object(self, queryset=None):
        return get_object_or_404(CatalogueDocument, pk=self.kwargs["pk"])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("disclosure_catalogue_admin"), "label": _("Document catalogue")},
            {"url": "", "label": self.object.file_number},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["files"] = list(self.object.files.all())
        return context

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("The document was saved."))
        return redirect("disclosure_catalogue_admin")
