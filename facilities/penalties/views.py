"""The resident's page of usage records and penalty points: their own, and their groups' (representative only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from facilities.penalties import selectors


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "facilities/penalties/my_points.html",
        {
            "summary": selectors.my_points(request.user),
            "clubs": selectors.represented_clubs(request.user),
            "heading": _("Penalty points and usage record"),
        },
    )


@login_required
def club_points(request: HttpRequest, club_id: int) -> HttpResponse:
    summary = selectors.club_points_for(request.user, club_id)
    if summary is None:
        raise Http404
    return render(
        request,
        "facilities/penalties/my_points.html",
        {
            "summary": summary,
            "clubs": [],
            "heading": _("Penalty points of the group “%(name)s”") % {"name": summary.title},
        },
    )
