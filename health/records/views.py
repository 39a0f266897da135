"""/my/health/<record>/<kind>/: one generic set of pages for conditions, medicines, allergies and
check-up results (the kind comes from the URL, see ``kinds``), and the check-up file itself.

Every page finds the record through ``health.selectors.record_for`` and the entry through
``selectors.entry_for``: anyone who may not manage the record (another resident, staff) gets 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from health import selectors as health_selectors
from health.models import CheckupFile
from health.records import files, kinds, selectors, services
from portal.errors import ServiceError, add_form_error


def _record_and_kind(request: HttpRequest, record_id: int, kind: str):
    health_record = health_selectors.record_for(request.user, record_id)
    the_kind = kinds.get(kind)
    if health_record is None or the_kind is None:
        raise Http404
    return health_record, the_kind


def _entry(request: HttpRequest, the_kind: kinds.Kind, record_id: int, entry_id: int):
    entry = selectors.entry_for(request.user, the_kind.model, record_id, entry_id)
    if entry is None:
        raise Http404
    return entry


def _list_url(record_id: int, kind: kinds.Kind) -> str:
    from django.urls import reverse

    return reverse("portal:health_entries", args=[record_id, kind.slug])


@login_required
def entry_list(request: HttpRequest, record_id: int, kind: str) -> HttpResponse:
    """The record's entries of one kind, newest first, each with its edit and delete links."""
    health_record, the_kind = _record_and_kind(request, record_id, kind)
    entries = [
        (entry, the_kind.heading(entry), the_kind.lines(entry))
        for entry in selectors.entries_of(health_record, the_kind.model)
    ]
    return render(request, "health/records/list.html", {"record": health_record, "kind": the_kind, "entries": entries})


@login_required
def entry_add(request: HttpRequest, record_id: int, kind: str) -> HttpResponse:
    health_record, the_kind = _record_and_kind(request, record_id, kind)
    form = the_kind.form(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            the_kind.create(health_record, form, the_kind.model)
        except ServiceError as error:
            add_form_error(form, error, "file" if "file" in form.fields else None)
        else:
            messages.success(request, _("Saved."))
            return redirect(_list_url(health_record.pk, the_kind))
    context = {"record": health_record, "kind": the_kind, "form": form, "heading": the_kind.add_label}
    return render(request, "health/records/form.html", context, status=400 if form.errors else 200)


@login_required
def entry_edit(request: HttpRequest, record_id: int, kind: str, entry_id: int) -> HttpResponse:
    health_record, the_kind = _record_and_kind(request, record_id, kind)
    entry = _entry(request, the_kind, health_record.pk, entry_id)
    form = the_kind.edit_form(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.update_entry(entry=type(entry).objects.get(pk=entry.pk), **form.cleaned_data)
        messages.success(request, _("The changes were saved."))
        return redirect(_list_url(health_record.pk, the_kind))
    context = {"record": health_record, "kind": the_kind, "form": form, "heading": the_kind.edit_label, "entry": entry}
    return render(request, "health/records/form.html", context, status=400 if form.errors else 200)


@login_required
def entry_delete(request: HttpRequest, record_id: int, kind: str, entry_id: int) -> HttpResponse:
    health_record, the_kind = _record_and_kind(request, record_id, kind)
    entry = _entry(request, the_kind, health_record.pk, entry_id)
    if request.method == "POST":
        services.delete_entry(entry=entry)
        messages.success(request, _("Deleted."))
        return redirect(_list_url(health_record.pk, the_kind))
    context = {"record": health_record, "kind": the_kind, "entry": entry, "heading": the_kind.heading(entry)}
    return render(request, "health/records/delete.html", context)


@login_required
@require_GET
def checkup_file(request: HttpRequest, record_id: int, entry_id: int) -> FileResponse:
    """The stored file, to whoever may manage the record only (404 for anyone else).

    Served with our own Content-Type (from the checked content), ``nosniff``, never cached; a PDF is
    a download (``attachment``), an image opens in the browser unless ``?download=1``.
    """
    entry = selectors.entry_for(request.user, CheckupFile, record_id, entry_id)
    if entry is None:
        raise Http404
    try:
        handle = open(files.path_of(entry.stored_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[entry.kind]
    filename = f"{entry.title or 'checkup'}.{extension}"
    inline = entry.is_image and request.GET.get("download") != "1"
    response = FileResponse(handle, content_type=entry.content_type)
    ascii_name = f"checkup-{entry.pk}.{extension}"
    response["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["Pragma"] = "no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response
