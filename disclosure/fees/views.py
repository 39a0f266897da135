"""/my/disclosure/<id>/invoice/: the requester's invoice, printable, never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from disclosure import selectors as request_selectors
from disclosure.fees import selectors, services


@never_cache
@login_required
def invoice(request: HttpRequest, request_id: int) -> HttpResponse:
    """The live invoice of the resident's own request with how to pay; 404 for anyone else or when there is none."""
    found = request_selectors.request_for(request.user, request_id)
    if found is None:
        raise Http404
    live = selectors.live_invoice(found)
    if live is None:
        raise Http404
    response = render(
        request,
        "disclosure/invoice.html",
        {
            "req": found,
            "invoice": live,
            "how_to_pay": services.payment_instructions(Site.find_for_request(request)),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response
