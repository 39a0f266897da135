"""/health-share/<token>/: what a doctor sees, without an account.

Read-only and printable. An unknown token, an expired or revoked link, a wrong passcode and a
link locked after too many wrong passcodes all get the same 404 page, so the answer tells nobody
which of these it was. Every answer is ``no-store``, ``noindex`` and sends no referrer.
Each opening (and each refused try on a known link) is logged for the record's owner.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_protect

from health.models import ShareLink, ShareLinkView
from health.sharing import selectors, services
from health.sharing.forms import PasscodeForm

Outcome = ShareLinkView.Outcome


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "health/sharing/public_gone.html", status=404))


def _log(request: HttpRequest, link: ShareLink, outcome: str) -> None:
    services.log_view(
        link=link,
        outcome=outcome,
        ip=request.META.get("REMOTE_ADDR"),
        user_agent=request.headers.get("User-Agent", ""),
    )


@csrf_protect
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.link_by_token(token)
    if link is None:
        return _gone(request)
    if not link.is_active():
        _log(request, link, Outcome.ENDED)
        return _gone(request)
    if link.has_passcode:
        if request.method != "POST":
            return _private(render(request, "health/sharing/public_passcode.html", {"form": PasscodeForm()}))
        if services.passcode_locked(link):
            _log(request, link, Outcome.LOCKED)
            return _gone(request)
        form = PasscodeForm(request.POST)
        if not (form.is_valid() and services.check_passcode(link=link, passcode=form.cleaned_data["passcode"])):
            _log(request, link, Outcome.WRONG_PASSCODE)
            return _gone(request)
    _log(request, link, Outcome.SHOWN)
    record = link.record
    context = {
        "link": link,
        "record": record,
        "shown": selectors.shown_sections(record, link.sections, link.start_date, link.end_date),
        "printed_at": timezone.now(),
    }
    return _private(render(request, "health/sharing/public_record.html", context))
