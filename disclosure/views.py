"""/my/disclosure/: the resident's disclosure requests (thin: a selector or service, then render).

A resident sees only the requests they filed; any other id is a 404, never a 403.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import selectors, services
from disclosure.errors import DisclosureError
from disclosure.fees import selectors as fee_selectors
from disclosure.forms import MessageForm, RequestForm, WithdrawForm
from disclosure.release import selectors as release_selectors
from portal.errors import add_form_error


def _get(request: HttpRequest, request_id: int):
    found = selectors.request_for(request.user, request_id)
    if found is None:
        raise Http404
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The requests the resident filed, newest first, with status and due date."""
    return render(request, "disclosure/index.html", {"disclosure_requests": selectors.requests_of(request.user)})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """File a request. The receipt number is shown on the next page and mailed."""
    user = request.user
    form = RequestForm(
        request.POST or None,
        initial={
            "name": user.get_full_name(),
            "email": user.email,
            "phone": user.phone,
            "submission_token": uuid.uuid4(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.file_request(user=user, **form.cleaned_data)
        except DisclosureError as error:
            add_form_error(form, error)
        else:
            messages.success(
                request,
                _("Your request has been received. Receipt number: %(number)s. We have mailed you a receipt.")
                % {"number": filed.number},
            )
            return redirect("portal:disclosure_request", filed.pk)
    return render(request, "disclosure/new.html", {"form": form})


def _detail_context(request: HttpRequest, found, message_form=None) -> dict:
    released = release_selectors.files_for(request.user, found)
    shown = {f.pk for f in released}
    return {
        "released_files": released,
        "redactions": [b for b in release_selectors.redactions_of(found) if b.draft.output_id in shown],
        "req": found,
        "deadline": selectors.deadline_for(found, today=timezone.localdate()),
        "events": found.events.all(),
        "thread": selectors.messages_for_requester(found),
        "message_form": message_form or MessageForm(),
        "invoice": fee_selectors.live_invoice(found),
    }


@login_required
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: its status, the due date and how it was counted, the released files and what was
    redacted with the reasons, the history and the messages."""
    found = _get(request, request_id)
    return render(request, "disclosure/detail.html", _detail_context(request, found))


@login_required
def message(request: HttpRequest, request_id: int) -> HttpResponse:
    """Write to the staff. While a correction is asked, the message is the answer and the clock runs again.

    The form is on the request's page: opening this address (GET) leads there.
    """
    found = _get(request, request_id)
    if request.method != "POST":
        return redirect("portal:disclosure_request", found.pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_message(request=found, by=request.user, body=form.cleaned_data["body"], from_staff=False)
        except DisclosureError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("portal:disclosure_request", found.pk)
    return render(request, "disclosure/detail.html", _detail_context(request, found, form), status=400)


@login_required
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    """Withdraw a request that is still open (取下げ)."""
    found = _get(request, request_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(request=found, by=request.user, reason=form.cleaned_data["reason"])
        except DisclosureError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("Your request has been withdrawn."))
            return redirect("portal:disclosure_request", found.pk)
    return render(request, "disclosure/withdraw.html", {"req": found, "form": form})
