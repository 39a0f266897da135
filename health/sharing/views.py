"""The owner's sharing pages under /my/health/<record>/: share links, caregivers, the printable
summary and the FHIR export. Thin: a selector or a service, then render. Every page first asks
``health.selectors.record_for`` (None → 404); caregiver pages also need the record's owner."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from health import selectors as health_selectors
from health.models import HealthRecord
from health.sharing import fhir, selectors, services
from health.sharing.forms import CaregiverForm, ShareLinkForm
from health.sharing.qr import qr_svg
from portal.errors import ServiceError, add_form_error, show_error

#: The session keeps the tokens of the links this browser created, so the owner can show the QR
#: code again at the clinic on the same phone; the database only has their hashes.
SESSION_TOKENS = "health_share_tokens"


def _record(request: HttpRequest, record_id: int) -> HealthRecord:
    record = health_selectors.record_for(request.user, record_id)
    if record is None:
        raise Http404
    return record


def _owned_record(request: HttpRequest, record_id: int) -> HealthRecord:
    """The record if the requester is its owner (caregivers are chosen by the owner alone)."""
    record = _record(request, record_id)
    if record.user_id != request.user.pk:
        raise Http404
    return record


def _remember_token(request: HttpRequest, link_id: int, token: str) -> None:
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    tokens[str(link_id)] = token
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-20:])


@login_required
def sharing(request: HttpRequest, record_id: int) -> HttpResponse:
    """Create a share link; list the record's links and who opened them."""
    record = _record(request, record_id)
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.create_share_link(
                record=record,
                by=request.user,
                sections=data["sections"],
                hours=data["hours"],
                start=data["start"],
                end=data["end"],
                passcode=data["passcode"],
                note=data["note"],
            )
        except ServiceError as error:
            add_form_error(form, error)
        else:
            _remember_token(request, new.link.pk, new.token)
            messages.success(request, _("The share link was created. Show the QR code or send the address."))
            return redirect("portal:health_share_link", record.pk, new.link.pk)
    now = timezone.now()
    links = list(selectors.links_of(record))
    for link in links:
        link.labels = selectors.section_labels(link.sections)
    context = {
        "record": record,
        "form": form,
        "active_links": [link for link in links if link.is_active(now)],
        "ended_links": [link for link in links if not link.is_active(now)][:20],
        "views": selectors.link_views_of(record),
        "has_sections": bool(form.fields["sections"].choices),
    }
    response = render(request, "health/sharing/sharing.html", context, status=400 if form.errors else 200)
    add_never_cache_headers(response)
    return response


@login_required
def share_link(request: HttpRequest, record_id: int, link_id: int) -> HttpResponse:
    """One link: its address and QR code (on the browser that created it), its views, revoke."""
    record = _record(request, record_id)
    link = selectors.link_of(record, link_id)
    if link is None:
        raise Http404
    token = request.session.get(SESSION_TOKENS, {}).get(str(link.pk))
    url = qr = None
    if token and link.is_active():
        url = request.build_absolute_uri(reverse("health_share:open", args=[token]))
        qr = qr_svg(url, label=_("QR code of the share link"))
    link.labels = selectors.section_labels(link.sections)
    context = {"record": record, "link": link, "url": url, "qr": qr, "views": selectors.link_views_of(record, link)}
    response = render(request, "health/sharing/link.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, record_id: int, link_id: int) -> HttpResponse:
    record = _record(request, record_id)
    link = selectors.link_of(record, link_id)
    if link is None:
        raise Http404
    services.revoke_share_link(link=link)
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    if tokens.pop(str(link.pk), None):
        request.session[SESSION_TOKENS] = tokens
    messages.success(request, _("The share link was revoked. Nobody can open it any more."))
    return redirect("portal:health_sharing", record.pk)


@login_required
def caregivers(request: HttpRequest, record_id: int) -> HttpResponse:
    """The owner adds and removes caregivers and sees when they opened the record."""
    record = _owned_record(request, record_id)
    family = selectors.family_accounts_of(request.user)
    form = CaregiverForm(request.POST or None, family_accounts=family)
    if request.method == "POST" and form.is_valid():
        try:
            caregiver = services.add_caregiver(
                record=record,
                by=request.user,
                email=form.cleaned_data.get("email") or "",
                user_id=None if form.cleaned_data.get("email") else form.cleaned_data.get("family_account"),
            )
        except ServiceError as error:
            add_form_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s can now manage your health log.")
                % {"name": caregiver.user.get_full_name() or caregiver.user.email},
            )
            return redirect("portal:health_caregivers", record.pk)
    context = {
        "record": record,
        "form": form,
        "caregivers": selectors.caregivers_of(record),
        "accesses": selectors.accesses_of(record),
    }
    return render(request, "health/sharing/caregivers.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def caregiver_remove(request: HttpRequest, record_id: int, caregiver_id: int) -> HttpResponse:
    record = _owned_record(request, record_id)
    caregiver = selectors.caregiver_of(record, caregiver_id)
    if caregiver is None:
        raise Http404
    try:
        services.remove_caregiver(caregiver=caregiver, by=request.user)
    except ServiceError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s can no longer open your health log.")
            % {"name": caregiver.user.get_full_name() or caregiver.user.email},
        )
    return redirect("portal:health_caregivers", record.pk)


@login_required
def summary(request: HttpRequest, record_id: int) -> HttpResponse:
    """The whole record on one printable page."""
    record = _record(request, record_id)
    context = {
        "record": record,
        "shown": selectors.shown_sections(record, None, None, None),
        "printed_at": timezone.now(),
    }
    response = render(request, "health/sharing/summary.html", context)
    add_never_cache_headers(response)
    return response


@login_required
def export_fhir(request: HttpRequest, record_id: int) -> HttpResponse:
    """The whole record as a FHIR R4 Bundle to download."""
    record = _record(request, record_id)
    bundle = fhir.build_bundle(record)
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=1), content_type=f"{fhir.FHIR_JSON}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="health-record-{timezone.localdate():%Y%m%d}.json"'
    add_never_cache_headers(response)
    return response
