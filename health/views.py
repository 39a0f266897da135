"""/my/health/: the resident's health log pages (thin: a selector or service, then render)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from health import selectors, services


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Whose logs the resident keeps: their own first, then the family members they look after."""
    services.ensure_records(user=request.user)
    return render(request, "health/index.html", {"records": selectors.records_of(request.user)})


@login_required
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    """One person's log: what has been recorded and where to add more."""
    health_record = selectors.record_for(request.user, record_id)
    if health_record is None:
        raise Http404
    return render(request, "health/record.html", {"record": health_record})
