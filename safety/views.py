"""The family's safety-mail pages under /my/safety/. Views stay thin; the rules are in the services.

Every page about a member goes through ``portal.selectors.member_for_user``: a member of
another household is a 404, never a 403, so nobody learns which member IDs exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.selectors import member_for_user
from safety import selectors, services
from safety.forms import BroadcastPreferenceForm, SubscriptionForm

HISTORY_PAGE_SIZE = 30
BROADCASTS_PAGE_SIZE = 20


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safety/overview.html",
        {"family": selectors.family_overview(request.user), "history_days": selectors.HISTORY_DAYS},
    )


@login_required
def member_settings(request: HttpRequest, member_id: int) -> HttpResponse:
    member = member_for_user(request.user, member_id)
    if member is None:
        raise Http404
    watched = hasattr(member, "watched")
    current = selectors.subscription_for(request.user, member)
    form = SubscriptionForm(
        request.POST or None,
        watched=watched,
        initial={"mode": current.mode, "no_activity_alert": current.no_activity_alert},
    )
    if request.method == "POST" and form.is_valid():
        services.set_subscription(
            user=request.user,
            member=member,
            mode=form.cleaned_data["mode"],
            no_activity_alert=form.cleaned_data.get("no_activity_alert", False),
        )
        messages.success(request, _("Your choice was saved."))
        return redirect("portal:safety")
    return render(request, "safety/member_settings.html", {"member": member, "form": form, "watched": watched})


@login_required
def member_history(request: HttpRequest, member_id: int) -> HttpResponse:
    found = selectors.history_for(request.user, member_id)
    if found is None:
        raise Http404
    member, taps = found
    page = Paginator(taps, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safety/history.html",
        {"member": member, "page": page, "history_days": selectors.HISTORY_DAYS},
    )


@login_required
def broadcast_preferences(request: HttpRequest) -> HttpResponse:
    form = BroadcastPreferenceForm(request.POST or None, initial={"categories": selectors.categories_for(request.user)})
    if request.method == "POST" and form.is_valid():
        services.set_broadcast_categories(user=request.user, categories=form.cleaned_data["categories"])
        messages.success(request, _("Your choice was saved."))
        return redirect("portal:safety_broadcasts")
    page = Paginator(selectors.received_by(request.user), BROADCASTS_PAGE_SIZE).get_page(request.GET.get("page"))
    services.mark_broadcasts_read(user=request.user)
    items = selectors.shown_in(page.object_list, get_language())
    return render(request, "safety/broadcasts.html", {"form": form, "page": page, "items": items})
